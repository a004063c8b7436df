// Check before you spend, at the stream level: a stream's mapping is turned into CSV columns and checked against
// describe before any job exists: every field is real (with "did you mean" for labels and near names), writable for
// the operation, the upsert key is an external id, and relationship columns name a real relationship and an
// external-id field of its target. Problems are collected and reported at once.
import type { FieldDescribe, GlobalDescribe, SObjectDescribe } from '../bulk/index.js';
import { ConnectorError } from '../streams/connector-errors.js';
import type { JsonSchema } from '../streams/singer-messages.js';
import type { StreamMapping, TargetOperation } from './target-config.js';

export interface PlannedColumn {
  /** The record property it comes from. */
  readonly property: string;
  /** The CSV header: a field name or a relationship column (`Account.External_Id__c`). */
  readonly header: string;
  /** The field it writes (for a relationship column, the reference field). */
  readonly field: FieldDescribe;
  /** The relationship target's external id field, for relationship columns. */
  readonly lookupField?: FieldDescribe;
}

export interface StreamPlan {
  readonly stream: string;
  readonly object: string;
  readonly operation: TargetOperation;
  readonly externalId: string | null;
  readonly columns: readonly PlannedColumn[];
  /** Index of the column rows are grouped by (the first lookup), or -1. */
  readonly parentIndex: number;
  /** Index of the row's key column (external id on upsert, Id on update/delete), or -1. */
  readonly keyIndex: number;
  /** Fields an insert must set (not nillable, no default): checked per row. */
  readonly required: readonly FieldDescribe[];
  readonly dependsOn: readonly string[];
}

export interface DescribeSource {
  sobjects(): Promise<GlobalDescribe>;
  describe(name: string): Promise<SObjectDescribe>;
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

const squash = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The API name a user most likely meant: a label, the name without `__c`, or a near spelling. */
export function didYouMean(wrong: string, candidates: readonly { name: string; label: string }[]): string | undefined {
  const w = squash(wrong);
  const byLabel = candidates.find((c) => squash(c.label) === w || squash(c.name.replace(/__c$/i, '')) === w);
  if (byLabel) return byLabel.name;
  let best: { name: string; d: number } | undefined;
  for (const c of candidates) {
    const d = distance(w, squash(c.name));
    if (d <= Math.max(1, Math.floor(w.length / 4)) && (!best || d < best.d)) best = { name: c.name, d };
  }
  return best?.name;
}

function fieldNamed(d: SObjectDescribe, name: string): FieldDescribe | undefined {
  const lower = name.toLowerCase();
  return d.fields.find((f) => f.name.toLowerCase() === lower);
}

function unknownField(object: string, name: string, d: SObjectDescribe): string {
  const hint = didYouMean(name, d.fields);
  return `${object} has no field "${name}"${hint ? ` (did you mean \`${hint}\`?)` : ''}`;
}

function writable(f: FieldDescribe, op: TargetOperation): boolean {
  if (op === 'insert') return f.createable;
  if (op === 'update') return f.updateable;
  if (op === 'upsert') return f.createable || f.updateable;
  return f.name === 'Id';
}

export async function planStream(
  stream: string,
  mapping: StreamMapping,
  schema: JsonSchema,
  source: DescribeSource,
): Promise<StreamPlan> {
  const where = `streams.${stream}`;
  let d: SObjectDescribe;
  try {
    d = await source.describe(mapping.object);
  } catch (e) {
    let hint: string | undefined;
    try {
      hint = didYouMean(mapping.object, (await source.sobjects()).sobjects);
    } catch {
      // the describe error is the one to report
    }
    throw new ConnectorError(
      'CONFIG_INVALID',
      `config key "${where}.object": ${(e as Error).message}${hint ? ` (did you mean \`${hint}\`?)` : ''}`,
      { where: `${where}.object`, cause: e },
    );
  }
  const object = d.name;
  const op = mapping.operation;
  const problems: string[] = [];
  const props = Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {});
  const fieldMap = mapping.field_map ?? {};
  for (const k of Object.keys(fieldMap)) if (!props.includes(k)) problems.push(`field_map names property "${k}", which the stream's SCHEMA does not have`);

  const columns: PlannedColumn[] = [];
  const isDelete = op === 'delete' || op === 'hardDelete';
  for (const property of props) {
    const target = property in fieldMap ? fieldMap[property] : property;
    if (target === null || target === undefined) continue;
    if (isDelete && target.toLowerCase() !== 'id') continue; // a delete sends ids only
    const dot = target.indexOf('.');
    if (dot < 0) {
      const f = fieldNamed(d, target);
      if (!f) problems.push(`property "${property}": ${unknownField(object, target, d)}`);
      else if (!writable(f, op) && !(f.name === 'Id' && op !== 'insert')) {
        problems.push(`property "${property}": ${object}.${f.name} is not ${op === 'insert' ? 'createable' : 'updateable'} (map it to null in ${where}.field_map to leave it out)`);
      } else columns.push({ property, header: f.name, field: f });
      continue;
    }
    // Relationship column, in the header syntax Salesforce documents for Bulk API CSV ("Relationship Fields in a
    // Header Row", https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/datafiles_csv_rel_field_header_row.htm):
    // RelationshipName.IndexedFieldName, and for a polymorphic lookup ObjectType:RelationshipName.IndexedFieldName
    // (`User:Owner.External_Id__c`, `Lead:Who.Email`). The column is sent as written, so the reversed form, which
    // Salesforce rejects, is refused here with the documented one to use instead.
    const left = target.slice(0, dot);
    const ext = target.slice(dot + 1);
    const colon = left.indexOf(':');
    const type = colon >= 0 ? left.slice(0, colon) : undefined;
    const relName = colon >= 0 ? left.slice(colon + 1) : left;
    const relNamed = (n: string): FieldDescribe | undefined => d.fields.find((f) => f.relationshipName?.toLowerCase() === n.toLowerCase());
    const rel = relNamed(relName);
    if (!rel) {
      const swapped = type === undefined ? undefined : relNamed(type);
      if (swapped?.referenceTo.some((t) => t.toLowerCase() === relName.toLowerCase())) {
        problems.push(`property "${property}": "${target}" names the relationship before the type; a polymorphic column is ObjectType:RelationshipName.Field (did you mean \`${relName}:${swapped.relationshipName}.${ext}\`?)`);
        continue;
      }
      const hint = didYouMean(relName, d.fields.filter((f) => f.relationshipName).map((f) => ({ name: f.relationshipName!, label: f.label })));
      problems.push(`property "${property}": ${object} has no relationship "${relName}"${hint ? ` (did you mean \`${hint}\`?)` : ''}`);
      continue;
    }
    if (!writable(rel, op)) {
      problems.push(`property "${property}": ${object}.${rel.name} is not ${op === 'insert' ? 'createable' : 'updateable'}`);
      continue;
    }
    if (type !== undefined && rel.referenceTo.length <= 1) {
      problems.push(`property "${property}": ${object}.${rel.name} is not polymorphic, so its column takes no type (did you mean \`${rel.relationshipName}.${ext}\`?)`);
      continue;
    }
    const targets = type !== undefined ? rel.referenceTo.filter((t) => t.toLowerCase() === type.toLowerCase()) : rel.referenceTo;
    if (targets.length === 0) {
      problems.push(`property "${property}": ${object}.${rel.name} does not reference ${type} (it references ${rel.referenceTo.join(', ')})`);
      continue;
    }
    if (targets.length > 1) {
      problems.push(`property "${property}": ${object}.${rel.name} is polymorphic (${rel.referenceTo.join(', ')}): name the type, e.g. \`${rel.referenceTo[0]}:${rel.relationshipName}.${ext}\``);
      continue;
    }
    let parent: SObjectDescribe;
    try {
      parent = await source.describe(targets[0]!);
    } catch (e) {
      problems.push(`property "${property}": ${(e as Error).message}`);
      continue;
    }
    const pf = fieldNamed(parent, ext);
    if (!pf) problems.push(`property "${property}": ${unknownField(parent.name, ext, parent)}`);
    // Salesforce resolves a relationship column through any indexed lookup field of the parent: Id, an external id,
    // or an idLookup field such as Contact.Email or User.Username.
    else if (!pf.externalId && !pf.idLookup && pf.name !== 'Id') problems.push(`property "${property}": ${parent.name}.${pf.name} is neither an external id nor an idLookup field, so it cannot identify the ${rel.relationshipName} of a row`);
    else columns.push({ property, header: target, field: rel, lookupField: pf });
  }

  let externalId: string | null = null;
  let keyIndex = -1;
  if (op === 'upsert') {
    const name = mapping.external_id_field;
    const f = name === undefined ? undefined : fieldNamed(d, name);
    if (name === undefined) problems.push(`an upsert needs ${where}.external_id_field`);
    else if (!f) problems.push(`external_id_field: ${unknownField(object, name, d)}`);
    else if (!f.externalId && f.name !== 'Id' && !f.idLookup) problems.push(`external_id_field: ${object}.${f.name} is not an external id field`);
    else {
      externalId = f.name;
      keyIndex = columns.findIndex((c) => c.header === f.name);
      if (keyIndex < 0) problems.push(`external_id_field ${f.name}: no property maps to it`);
    }
  } else if (op !== 'insert') {
    keyIndex = columns.findIndex((c) => c.header === 'Id');
    if (keyIndex < 0) problems.push(`a ${op} needs the record Id: map a property to Id in ${where}.field_map`);
  }
  const required =
    op === 'insert'
      ? d.fields.filter((f) => f.createable && !f.nillable && !f.defaultedOnCreate && f.type !== 'boolean')
      : [];
  if (op === 'insert') {
    for (const f of required) {
      if (!columns.some((c) => c.field.name === f.name)) problems.push(`${object}.${f.name} is required on insert and no property maps to it`);
    }
  }
  if (problems.length) {
    throw new ConnectorError('CONFIG_INVALID', `stream "${stream}" -> ${object} (${op}): ${problems.join('; ')}`, { where });
  }
  const parentIndex = columns.findIndex((c) => c.lookupField !== undefined || (c.field.type === 'reference' && c.field.name !== 'Id'));
  return { stream, object, operation: op, externalId, columns, parentIndex, keyIndex, required, dependsOn: mapping.depends_on ?? [] };
}
