import t from 'tap';
import { idChecksum, isValidId, makeId, to18 } from '../../src/emulator/ids.js';

t.test('checksums match ids captured from real orgs', async (t) => {
  // Pairs from Salesforce's documentation and public captures.
  t.equal(to18('001D000000IqhSL'), '001D000000IqhSLIAZ');
  t.equal(to18('0015000000Lp3Wr'), '0015000000Lp3WrAAJ');
  t.equal(idChecksum('0015000000Lp3Wr'), 'AAJ');
});

t.test('makeId builds valid, unique, prefixed 18-character ids', async (t) => {
  const a = makeId('001', 1);
  const b = makeId('001', 2);
  t.equal(a.length, 18);
  t.ok(a.startsWith('001'));
  t.not(a, b);
  t.ok(isValidId(a));
  t.notOk(isValidId(a.slice(0, 15) + 'ZZZ'), 'a wrong checksum is refused');
  t.notOk(isValidId('001xx'), 'a short id is refused');
});
