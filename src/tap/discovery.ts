// Discovery: the org's sObject list and each describe become a Singer catalog. One stream per object a Bulk
// API 2.0 query can serve; every other object is left out with its reason logged at info.
import { NotFoundError, type BulkClient, type Logger, type SObjectDescribe } from '../bulk/index.js';
import { globMatcher, type Catalog, type CatalogStream, type MetadataEntry, type MetadataValues } from '../streams/singer-catalog.js';
import type { JsonSchema } from '../streams/singer-messages.js';
import { fieldProperty } from './field-schema.js';
import { bulkExclusionReason, validReplicationKeys } from './replication.js';
import type { TapSettings } from './tap-config.js';

/** Describes at once: enough to hide latency, few enough to stay polite to the org. */
const DESCRIBE_CONCURRENCY = 8;

export async function discover(client: BulkClient, settings: TapSettings, logger: Logger, signal?: AbortSignal): Promise<Catalog> {
  const global = await client.describe.sobjects({ signal });
  const wanted = settings.streamsToDiscover ? globMatcher(settings.streamsToDiscover) : () => true;
  const candidates: string[] = [];
  for (const o of global.sobjects) {
    if (!wanted(o.name)) continue;
    if (!o.queryable) {
      logger.log('info', `discovery: ${o.name} left out: not queryable`);
      continue;
    }
    const reason = bulkExclusionReason(o.name);
    if (reason) {
      logger.log('info', `discovery: ${o.name} left out: ${reason}`);
      continue;
    }
    candidates.push(o.name);
  }
  const streams: (CatalogStream | undefined)[] = new Array(candidates.length);
  let next = 0;
  const worker = async () => {
    while (next < candidates.length) {
      const i = next++;
      const name = candidates[i]!;
      let d: SObjectDescribe;
      try {
        d = await client.describe.describe(name, { signal });
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e;
        logger.log('info', `discovery: ${name} left out: its describe is not available (${e.status ?? 404})`);
        continue;
      }
      streams[i] = catalogStream(d, settings, logger);
    }
  };
  await Promise.all(Array.from({ length: Math.min(DESCRIBE_CONCURRENCY, candidates.length) }, worker));
  const out = streams.filter((s): s is CatalogStream => s !== undefined).sort((a, b) => (a.tap_stream_id < b.tap_stream_id ? -1 : 1));
  logger.log('info', `discovery: ${out.length} streams from ${global.sobjects.length} objects`);
  return { streams: out };
}

/** One object's catalog entry; undefined (logged) when the object cannot be a stream. */
export function catalogStream(d: SObjectDescribe, settings: Pick<TapSettings, 'selectFieldsByDefault' | 'includeDeleted'>, logger: Logger): CatalogStream | undefined {
  if (!d.fields.some((f) => f.name === 'Id' && f.type === 'id')) {
    logger.log('info', `discovery: ${d.name} left out: it has no Id field`);
    return undefined;
  }
  const keys = validReplicationKeys(d);
  const replicationKey = keys[0];
  const properties: Record<string, JsonSchema> = {};
  const fieldMetadata: MetadataEntry[] = [];
  for (const f of d.fields) {
    const p = fieldProperty(f);
    properties[f.name] = p.schema;
    const automatic = f.name === 'Id' || f.name === replicationKey || (settings.includeDeleted && f.name === 'IsDeleted');
    const md: MetadataValues =
      p.inclusion === 'unsupported'
        ? { inclusion: 'unsupported', 'selected-by-default': false, 'unsupported-description': p.unsupportedReason! }
        : automatic
          ? { inclusion: 'automatic', 'selected-by-default': true }
          : { inclusion: 'available', 'selected-by-default': settings.selectFieldsByDefault };
    md['sf-type'] = f.type;
    fieldMetadata.push({ breadcrumb: ['properties', f.name], metadata: md });
  }
  const top: MetadataValues = {
    inclusion: 'available',
    'selected-by-default': false,
    'table-key-properties': ['Id'],
    'valid-replication-keys': keys,
  };
  if (replicationKey) {
    top['replication-method'] = 'INCREMENTAL';
    top['replication-key'] = replicationKey;
  } else {
    top['forced-replication-method'] = 'FULL_TABLE';
    top['replication-method'] = 'FULL_TABLE';
  }
  return {
    tap_stream_id: d.name,
    stream: d.name,
    key_properties: ['Id'],
    ...(replicationKey ? { replication_key: replicationKey, replication_method: 'INCREMENTAL' } : { replication_method: 'FULL_TABLE' }),
    schema: { type: 'object', additionalProperties: false, properties },
    metadata: [{ breadcrumb: [], metadata: top }, ...fieldMetadata],
  };
}
