// findBy and unique checks through the table's value indexes agree with a plain scan after any sequence of
// inserts, updates, soft and hard deletes, undeletes and compactions.
import fc from 'fast-check';
import t from 'tap';
import { createOrgStore } from '../../src/emulator/org/store.js';
import { ValueIndex } from '../../src/emulator/org/value-index.js';
import type { Row } from '../../src/emulator/org/types.js';

const NOW = Date.UTC(2026, 0, 1);
const email = fc.constantFrom('a@x.io', 'A@x.io', 'b@x.io', 'c@x.io', 'ü@x.io');
const ext = fc.constantFrom('k1', 'K1', 'k2', 'k3', 'Ü1', '');

type Op =
  | { op: 'insert'; email: string; ext: string }
  | { op: 'update'; at: number; email: string; ext: string }
  | { op: 'softDelete' | 'undelete' | 'hardDelete'; at: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), email, ext }),
  fc.record({ op: fc.constant('update' as const), at: fc.nat(), email, ext }),
  fc.record({ op: fc.constantFrom('softDelete' as const, 'undelete' as const, 'hardDelete' as const), at: fc.nat() }),
);

t.test('indexes agree with a scan', async (t) => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 80 }), fc.boolean(), (ops, lookFirst) => {
      const contacts = createOrgStore({ now: NOW }).table('Contact')!;
      const ids: string[] = [];
      const scan = (field: string, key: string) =>
        [...contacts.scan(false)].filter((r: Row) => typeof r[field] === 'string' && (r[field] as string).toUpperCase() === key.toUpperCase()).map((r) => r.Id);
      const check = () => {
        for (const k of ['a@x.io', 'b@x.io', 'ü@x.io', 'Ü@X.IO']) {
          const got = contacts.findBy('Email', k).map((r) => r.Id);
          const want = scan('Email', k);
          if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`Email ${k}: ${got} != ${want}`);
        }
        for (const k of ['k1', 'k2', 'ü1']) {
          const got = contacts.findBy('External_Id__c', k).map((r) => r.Id);
          if (JSON.stringify(got) !== JSON.stringify(scan('External_Id__c', k))) throw new Error(`External_Id__c ${k}: ${got}`);
        }
      };
      if (lookFirst) check(); // indexes built before the writes, and maintained by them
      for (const o of ops) {
        try {
          if (o.op === 'insert') ids.push(contacts.insert({ LastName: 'L', Email: o.email, External_Id__c: o.ext || null }, NOW).Id as string);
          else if (ids.length === 0) continue;
          else if (o.op === 'update') contacts.update(ids[o.at % ids.length], { Email: o.email, External_Id__c: o.ext || null }, NOW);
          else if (o.op === 'softDelete') contacts.softDelete(ids[o.at % ids.length], NOW);
          else if (o.op === 'undelete') contacts.undelete(ids[o.at % ids.length], NOW);
          else contacts.hardDelete(ids[o.at % ids.length]);
        } catch (e) {
          const code = (e as { code?: string }).code;
          if (!['DUPLICATE_VALUE', 'ENTITY_IS_DELETED', 'NOT_FOUND'].includes(code ?? '')) throw e;
          if (code === 'DUPLICATE_VALUE' && o.op !== 'undelete') {
            // the refusal is right: a live row holds the value
            if (scan('External_Id__c', (o as { ext: string }).ext).length === 0) throw new Error(`DUPLICATE_VALUE for a free value ${JSON.stringify(o)}`);
          }
        }
      }
      check();
    }),
    { numRuns: 300, seed: 5 },
  );
  t.pass('300 random histories');
});

t.test('a hard-delete compaction moves rows; lookups still find them', async (t) => {
  const accounts = createOrgStore({ now: NOW }).table('Account')!;
  const ids: string[] = [];
  for (let i = 0; i < 3000; i++) ids.push(accounts.insert({ Name: `A${i}`, External_Id__c: `E${i}` }, NOW).Id as string);
  t.equal(accounts.findBy('External_Id__c', 'e2999')[0].Id, ids[2999]);
  for (let i = 0; i < 2000; i++) accounts.hardDelete(ids[i]);
  t.same(accounts.findBy('External_Id__c', 'E2999').map((r) => r.Id), [ids[2999]]);
  t.same(accounts.findBy('External_Id__c', 'E10'), []);
  t.throws(() => accounts.insert({ Name: 'dup', External_Id__c: 'e2500' }, NOW), { code: 'DUPLICATE_VALUE' });
  t.equal(accounts.insert({ Name: 'free again', External_Id__c: 'E10' }, NOW).External_Id__c, 'E10');
});

t.test('a case-insensitive index hashes and compares ASCII text without upper-casing it, and other text by upper-casing it', async (t) => {
  const rows: Row[] = [{ Name: 'bench-1' }, { Name: 'Über' }, { Name: 'MiXeD-Ω' }, { Name: 'plain' }, { Name: 'straße' }];
  const keyOf = (v: unknown) => (typeof v === 'string' && v !== '' ? v.toUpperCase() : undefined);
  const folded = new ValueIndex('Name', keyOf, 0, true);
  const byKey = new ValueIndex('Name', keyOf, 0, false);
  rows.forEach((r, p) => {
    folded.addValue(r.Name, p);
    byKey.addValue(r.Name, p);
  });
  for (const [probe, want] of [['BENCH-1', [0]], ['über', [1]], ['mixed-ω', [2]], ['PLAIN', [3]], ['bench-2', []], ['STRASSE', [4]], ['bench-1x', []], ['bench-', []]] as const) {
    for (const [name, idx] of [['folded', folded], ['by key', byKey]] as const) {
      const out: number[] = [];
      idx.find(keyOf(probe)!, rows, out);
      t.same(out, want, `${name}: ${probe}`);
    }
  }
  folded.addValue('', 9);
  folded.addValue(null, 9);
  const none: number[] = [];
  folded.find('', rows, none);
  t.same(none, [], 'empty and null values are not indexed');
});
