// The SOQL of one window, as sent: bounds, the documented resume condition after a row, and refusals of
// anything that is not a name or an Id (nothing a user wrote is pasted into a query).
import t from 'tap';
import { earliestSoql, windowSoql } from '../../src/tap/soql.js';
import { windowHolding } from '../../src/tap/stream-plan.js';

const base = { object: 'Account', fields: ['Id', 'Name', 'SystemModstamp'], replicationKey: 'SystemModstamp' };

t.test('a window and a resume after a row, in (rk, Id) order', async (t) => {
  t.equal(windowSoql({ ...base, window: { start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00.000Z' } }),
    'SELECT Id, Name, SystemModstamp FROM Account WHERE SystemModstamp >= 2026-01-01T00:00:00.000Z AND SystemModstamp < 2026-02-01T00:00:00.000Z ORDER BY SystemModstamp ASC, Id ASC');
  t.equal(windowSoql({ ...base, window: { start: null, end: null }, after: { replication_key_value: '2026-01-05T10:00:00.000+0000', id: '0015g00000A0001AAB' } }),
    "SELECT Id, Name, SystemModstamp FROM Account WHERE ((SystemModstamp = 2026-01-05T10:00:00.000Z AND Id > '0015g00000A0001AAB') OR SystemModstamp > 2026-01-05T10:00:00.000Z) ORDER BY SystemModstamp ASC, Id ASC",
    'rows sharing the timestamp continue after the Id; later ones all come');
  t.equal(windowSoql({ ...base, replicationKey: undefined, window: { start: null, end: null }, after: { replication_key_value: null, id: '0015g00000A0001AAB' } }),
    "SELECT Id, Name, SystemModstamp FROM Account WHERE Id > '0015g00000A0001AAB' ORDER BY Id ASC", 'FULL_TABLE resumes by Id');
});

t.test('names and Ids are checked before they reach the query', async (t) => {
  t.throws(() => windowSoql({ ...base, fields: ['Id', "Name FROM Account WHERE Name = 'x'"], window: { start: null, end: null } }), /not an API name/);
  t.throws(() => windowSoql({ ...base, window: { start: null, end: null }, after: { replication_key_value: '2026-01-01T00:00:00Z', id: "x' OR Id != '" } }), /not a record Id/);
  t.throws(() => windowSoql({ ...base, window: { start: null, end: null }, after: { replication_key_value: null, id: '0015g00000A0001AAB' } }), /without a replication key value/);
  t.throws(() => windowSoql({ ...base, window: { start: 'yesterday', end: null } }), /not an instant/);
});

t.test('the lookup of the earliest value in a span, and the window holding it', async (t) => {
  t.equal(earliestSoql({ object: 'Account', replicationKey: 'SystemModstamp', window: { start: '2000-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' } }),
    'SELECT SystemModstamp FROM Account WHERE SystemModstamp >= 2000-01-01T00:00:00.000Z AND SystemModstamp < 2026-02-01T00:00:00.000Z ORDER BY SystemModstamp ASC LIMIT 1');
  t.throws(() => earliestSoql({ object: 'Account WHERE', replicationKey: 'SystemModstamp', window: { start: null, end: null } }), /not an API name/);
  const w = [
    { start: '2026-01-01T00:00:00.000Z', end: '2026-01-02T00:00:00.000Z' },
    { start: '2026-01-02T00:00:00.000Z', end: '2026-01-03T00:00:00.000Z' },
  ];
  t.equal(windowHolding(w, Date.parse('2026-01-01T23:59:59.999Z')), 0);
  t.equal(windowHolding(w, Date.parse('2026-01-02T00:00:00.000Z')), 1, 'a value on a bound belongs to the window it starts (half-open)');
  t.equal(windowHolding(w, Date.parse('2026-01-03T00:00:00.000Z')), 2, 'past the last window: none');
});
