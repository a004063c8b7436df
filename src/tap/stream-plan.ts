// What one selected stream will extract: the fields (selected in the catalog and confirmed by this run's
// describe), its schema, its replication key, and the windows from the bookmark to the signpost.
import { NotFoundError, type DescribeCache, type SObjectDescribe } from '../bulk/index.js';
import { StreamMetadata, type CatalogStream } from '../streams/singer-catalog.js';
import { ConnectorError } from '../streams/connector-errors.js';
import type { JsonSchema } from '../streams/singer-messages.js';
import { fieldProperty } from './field-schema.js';
import { validReplicationKeys } from './replication.js';
import type { TapSettings } from './tap-config.js';
import type { StreamBookmark, WindowBounds } from './tap-state.js';

export interface StreamPlan {
  readonly stream: string;
  readonly object: string;
  readonly fields: readonly string[];
  readonly schema: JsonSchema & { properties: Record<string, JsonSchema> };
  /** undefined: FULL_TABLE. */
  readonly replicationKey: string | undefined;
  readonly operation: 'query' | 'queryAll';
}

/** Builds the plan from the catalog entry and a fresh describe; bad selections are named. */
export async function planStream(entry: CatalogStream, describe: DescribeCache, settings: TapSettings, signal?: AbortSignal): Promise<StreamPlan> {
  const md = new StreamMetadata(entry.metadata);
  let d: SObjectDescribe;
  try {
    d = await describe.describe(entry.tap_stream_id, { signal });
  } catch (e) {
    if (e instanceof NotFoundError) {
      throw new ConnectorError('INPUT_INVALID', `catalog stream "${entry.tap_stream_id}" is not an sObject the org describes: remove it from the catalog or run --discover again`, { where: entry.tap_stream_id, cause: e });
    }
    throw e;
  }
  const byName = new Map(d.fields.map((f) => [f.name, f]));
  const validKeys = validReplicationKeys(d);
  const method = md.stream['replication-method'] ?? (validKeys.length ? 'INCREMENTAL' : 'FULL_TABLE');
  let replicationKey: string | undefined;
  if (method === 'INCREMENTAL') {
    const wanted = md.stream['replication-key'] ?? validKeys[0];
    if (!wanted || !validKeys.includes(wanted)) {
      throw new ConnectorError(
        'INPUT_INVALID',
        `catalog stream "${entry.tap_stream_id}": replication-key "${wanted ?? ''}" is not one of its valid replication keys (${validKeys.join(', ') || 'none: use FULL_TABLE'})`,
        { where: `${entry.tap_stream_id}.replication-key` },
      );
    }
    replicationKey = wanted;
  } else if (method !== 'FULL_TABLE') {
    throw new ConnectorError('INPUT_INVALID', `catalog stream "${entry.tap_stream_id}": replication-method ${method} is not supported (INCREMENTAL or FULL_TABLE)`, { where: `${entry.tap_stream_id}.replication-method` });
  }
  // A field selected in the catalog that describe does not know is named, not skipped.
  for (const m of entry.metadata) {
    if (m.breadcrumb.length !== 2 || m.breadcrumb[0] !== 'properties') continue;
    const f = m.breadcrumb[1]!;
    if (!byName.has(f) && md.fieldSelected(f, false) && m.metadata.selected === true) {
      throw new ConnectorError('INPUT_INVALID', `catalog stream "${entry.tap_stream_id}" selects field "${f}", which the org's describe of ${d.name} does not have`, { where: `${entry.tap_stream_id}.${f}` });
    }
  }
  const forced = new Set(['Id', ...(replicationKey ? [replicationKey] : [])]);
  if (settings.includeDeleted && byName.has('IsDeleted')) forced.add('IsDeleted');
  const fields: string[] = [];
  const properties: Record<string, JsonSchema> = {};
  for (const f of d.fields) {
    const p = fieldProperty(f);
    if (p.inclusion === 'unsupported') continue;
    if (!forced.has(f.name) && !md.fieldSelected(f.name, settings.selectFieldsByDefault)) continue;
    fields.push(f.name);
    properties[f.name] = p.schema;
  }
  for (const path of settings.relationshipFields[entry.tap_stream_id] ?? []) {
    const { column, schema } = await parentColumn(entry.tap_stream_id, d, path, describe, signal);
    fields.push(column);
    properties[column] = schema;
  }
  return {
    stream: entry.stream,
    object: d.name,
    fields,
    schema: { type: 'object', additionalProperties: false, properties },
    replicationKey,
    operation: settings.includeDeleted ? 'queryAll' : 'query',
  };
}

/**
 * A `Relationship.Field` column (config `relationship_fields`): the relationship must be a lookup of this object
 * to one parent object, the field a field of that parent that Bulk queries can read. The names in the query are
 * describe's; the value is null when the row has no parent.
 */
async function parentColumn(stream: string, d: SObjectDescribe, path: string, describe: DescribeCache, signal?: AbortSignal): Promise<{ column: string; schema: JsonSchema }> {
  const [rel, field] = path.split('.') as [string, string];
  const where = `relationship_fields.${stream}`;
  const lookup = d.fields.find((f) => f.type === 'reference' && f.relationshipName !== null && f.relationshipName.toLowerCase() === rel.toLowerCase());
  if (!lookup) {
    const known = d.fields.filter((f) => f.type === 'reference' && f.relationshipName).map((f) => f.relationshipName);
    throw new ConnectorError('INPUT_INVALID', `config relationship_fields: ${d.name} has no relationship "${rel}" (its relationships: ${known.join(', ') || 'none'})`, { where });
  }
  if (lookup.referenceTo.length !== 1) {
    throw new ConnectorError('INPUT_INVALID', `config relationship_fields: ${d.name}.${lookup.relationshipName} may point to ${lookup.referenceTo.join(', ')}; only a lookup to one object can be followed`, { where });
  }
  const parent = await describe.describe(lookup.referenceTo[0]!, { signal });
  const pf = parent.fields.find((f) => f.name.toLowerCase() === field.toLowerCase());
  // Nullable whatever the parent field says: a row without a parent has no value.
  const p = pf && fieldProperty({ ...pf, nillable: true });
  if (!pf || !p || p.inclusion === 'unsupported') {
    throw new ConnectorError('INPUT_INVALID', `config relationship_fields: ${parent.name} has no field "${field}" that Bulk queries can read`, { where });
  }
  return { column: `${lookup.relationshipName}.${pf.name}`, schema: p.schema };
}

/**
 * Half-open windows [start, end) from the bookmark (less the lookback) or start_date, up to the signpost or
 * end_date. Without either lower bound the first window is open below. FULL_TABLE: one unbounded window.
 */
export function planWindows(plan: Pick<StreamPlan, 'replicationKey'>, bookmark: StreamBookmark | undefined, settings: TapSettings, signpostMs: number): WindowBounds[] {
  if (plan.replicationKey === undefined) return [{ start: null, end: null }];
  const upper = Math.min(settings.endMs ?? signpostMs, signpostMs);
  let lower: number | undefined = settings.startMs;
  if (bookmark?.replication_key_value !== undefined && bookmark.replication_key === plan.replicationKey) {
    const from = Date.parse(bookmark.replication_key_value) - settings.lookbackMs;
    lower = lower === undefined ? from : Math.max(lower, from);
  }
  const iso = (t: number) => new Date(t).toISOString();
  if (lower === undefined) return [{ start: null, end: iso(upper) }];
  const out: WindowBounds[] = [];
  for (let s = lower; s < upper; s += settings.windowMs) out.push({ start: iso(s), end: iso(Math.min(s + settings.windowMs, upper)) });
  return out;
}

/** The index of the first window ending after `ms` (the window that holds it), or `windows.length`. */
export function windowHolding(windows: readonly WindowBounds[], ms: number): number {
  const i = windows.findIndex((w) => w.end === null || Date.parse(w.end) > ms);
  return i === -1 ? windows.length : i;
}
