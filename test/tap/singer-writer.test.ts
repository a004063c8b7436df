// The writer holds at most one chunk when its reader is slow: every write beyond the stream's buffer waits for
// 'drain', and lines keep their order (a STATE never overtakes the RECORDs it covers).
import { Writable } from 'node:stream';
import t from 'tap';
import { RecordCoercer } from '../../src/streams/record-coercer.js';
import { SingerWriter, recordPrefix } from '../../src/streams/singer-writer.js';

t.test('a slow reader makes the writer wait instead of buffering', async (t) => {
  const chunks: string[] = [];
  const held: (() => void)[] = [];
  const out = new Writable({
    highWaterMark: 1024,
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      held.push(cb); // the reader takes nothing more until we release it
    },
  });
  const w = new SingerWriter(out);
  const prefix = recordPrefix('S');
  const json = `{"Id":"${'x'.repeat(100)}"}`;
  let flushed = false;
  let wrote = 0;
  const producer = (async () => {
    for (let i = 0; i < 5000; i++) {
      wrote++;
      if (w.record(prefix, json, '2026-01-01T00:00:00.000Z')) await w.flush();
    }
    await w.state({ bookmarks: {} });
    flushed = true;
  })();
  // Let the producer run as far as it can while nothing is released.
  for (let i = 0; i < 50 && held.length === 0; i++) await new Promise((r) => setImmediate(r));
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
  t.equal(held.length, 1, 'one chunk handed to the stream, the rest waits');
  t.ok(wrote < 1000, `the producer is held back (${wrote} of 5000 records made)`);
  t.notOk(flushed);
  while (!flushed) {
    const cb = held.shift();
    if (cb) cb();
    await new Promise((r) => setImmediate(r));
  }
  await producer;
  const lines = chunks.join('').trim().split('\n').map((l) => JSON.parse(l));
  t.equal(lines.length, 5001);
  t.equal(lines.at(-1).type, 'STATE', 'the STATE comes after every RECORD');
  t.ok(chunks.every((c) => c.length <= 64 * 1024 + 200), 'chunks are bounded');
});

t.test('record coercion by JSON Schema', async (t) => {
  const props = {
    Id: { type: 'string' },
    Name: { type: ['null', 'string'] },
    Code: { type: 'string' },
    N: { type: ['null', 'integer'] },
    X: { type: ['null', 'number'] },
    B: { type: 'boolean' },
    D: { type: ['null', 'string'], format: 'date' },
    T: { type: ['null', 'string'], format: 'date-time' },
    H: { type: ['null', 'string'], format: 'time' },
    A: { type: ['null', 'string', 'number', 'boolean'] },
  };
  const c = new RecordCoercer(props, Object.keys(props));
  t.same(c.typed({ Id: '001', Name: 'Acme "Q"', Code: '', N: '42', X: '1.5E3', B: 'true', D: '2024-02-29', T: '2024-02-29T10:11:12.000Z', H: '10:11:12.000Z', A: 'x' }), {
    Id: '001', Name: 'Acme "Q"', Code: '', N: 42, X: 1500, B: true, D: '2024-02-29', T: '2024-02-29T10:11:12.000Z', H: '10:11:12.000Z', A: 'x',
  });
  t.same(c.typed({ Id: '002', Name: '', Code: '', N: '', X: '', B: 'false', D: '', T: '', H: '', A: '' }), {
    Id: '002', Name: null, Code: '', N: null, X: null, B: false, D: null, T: null, H: null, A: null,
  }, 'empty cells are null except for non-nullable strings');
  t.same(c.typed({ Id: '3', Name: 'n', Code: 'c', N: '5.0', X: '007', B: 'TRUE', D: '', T: '2024-02-29T10:11:12+01:00', H: '', A: '' }).T, '2024-02-29T09:11:12.000Z', 'datetimes in ISO 8601 UTC');
  t.same(c.typed({ Id: '3', Name: 'n', Code: 'c', N: '5.0', X: '007', B: 'TRUE', D: '', T: '', H: '', A: '' }).N, 5, 'an integral "5.0" is the integer 5');
  t.equal(c.typed({ Id: '5', Name: 'line\nbreak\t"q" \\ end', Code: 'x', N: '', X: '', B: 'true', D: '', T: '', H: '', A: '' }).Name, 'line\nbreak\t"q" \\ end', 'control characters, quotes and backslashes escaped');
  t.throws(() => c.json({ Id: '4', Name: '', Code: '', N: 'abc', X: '', B: 'true', D: '', T: '', H: '', A: '' }), /column "N" holds "abc", which is not a valid integer/);
  t.throws(() => c.json({ Id: '4', Name: '', Code: '', N: '', X: '', B: 'yes', D: '', T: '', H: '', A: '' }), /not a valid boolean/);
  t.throws(() => new RecordCoercer(props, ['Id', 'Other']), /result column "Other" is not in the stream's schema/);
});
