// The one step between tap and target that neither can do alone: a Contact extracted from the source org names its
// Account by the source org's Id (AccountId), which means nothing in the destination org. Salesforce links the two
// by the parent's external id instead (the relationship column Account.External_Id__c), so this stage adds that
// value to each Contact record, looked up from the extracted Accounts. It is what a stream map (Meltano's mappers)
// does in a real pipeline. Line by line: only the Id -> external id table is held in memory.
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** Source Account Id -> its External_Id__c, from the Account RECORDs of a Singer JSON lines file. */
export async function externalIdsById(file: string, stream: string, idField: string, externalIdField: string): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (!line.includes('"RECORD"')) continue;
    const m = JSON.parse(line) as { type: string; stream: string; record: Record<string, unknown> };
    if (m.type !== 'RECORD' || m.stream !== stream) continue;
    const id = m.record[idField];
    const ext = m.record[externalIdField];
    if (typeof id === 'string' && typeof ext === 'string' && ext !== '') ids.set(id, ext);
  }
  return ids;
}

export interface ParentKeyStage {
  readonly stream: string;
  /** The record property holding the source org's parent Id. */
  readonly referenceProperty: string;
  /** The property added, holding the parent's external id (null when the row has no parent). */
  readonly addedProperty: string;
  readonly externalIds: ReadonlyMap<string, string>;
}

/** Copies a Singer file, adding `addedProperty` to the SCHEMA and RECORDs of one stream. Returns rows whose parent was not found. */
export async function addParentKeys(input: string, output: string, stage: ParentKeyStage): Promise<number> {
  const out = createWriteStream(output, { mode: 0o600 });
  let orphans = 0;
  for await (const line of createInterface({ input: createReadStream(input), crlfDelay: Infinity })) {
    if (line === '') continue;
    const m = JSON.parse(line) as Record<string, any>;
    if (m.stream === stage.stream && m.type === 'SCHEMA') {
      m.schema.properties[stage.addedProperty] = { type: ['string', 'null'] };
    } else if (m.stream === stage.stream && m.type === 'RECORD') {
      const ref = m.record[stage.referenceProperty];
      const ext = typeof ref === 'string' && ref !== '' ? stage.externalIds.get(ref) : undefined;
      if (typeof ref === 'string' && ref !== '' && ext === undefined) orphans++;
      m.record[stage.addedProperty] = ext ?? null;
    }
    if (!out.write(`${JSON.stringify(m)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return orphans;
}
