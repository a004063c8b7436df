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
