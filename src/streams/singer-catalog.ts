// The Singer catalog: its shape (validated against schemas/singer-catalog.schema.json at the edge), breadcrumb
// metadata, and the selection rules Singer and Meltano apply. Protocol layer only: no Salesforce words here.
import { compiledValidator } from '../compiled-schemas.js';
import { ConnectorError } from './connector-errors.js';
import type { JsonSchema, JsonValue } from './singer-messages.js';

export type Inclusion = 'available' | 'automatic' | 'unsupported';
export type ReplicationMethod = 'FULL_TABLE' | 'INCREMENTAL' | 'LOG_BASED';

/** Metadata keys a tap writes (discoverable) and an orchestrator writes (selected, replication-*). */
export interface MetadataValues {
  inclusion?: Inclusion;
  selected?: boolean;
  'selected-by-default'?: boolean;
  'replication-method'?: ReplicationMethod;
  'replication-key'?: string | null;
  'forced-replication-method'?: ReplicationMethod | { 'replication-method': ReplicationMethod; reason?: string };
  'table-key-properties'?: string[];
  'valid-replication-keys'?: string[];
  'unsupported-description'?: string;
  [key: string]: JsonValue | undefined;
}

export interface MetadataEntry {
  breadcrumb: string[];
  metadata: MetadataValues;
}

export interface CatalogStream {
  tap_stream_id: string;
  stream: string;
  schema: JsonSchema & { properties: Record<string, JsonSchema> };
  metadata: MetadataEntry[];
  key_properties?: string[];
  replication_key?: string | null;
  replication_method?: string;
  stream_alias?: string | null;
}

export interface Catalog {
  streams: CatalogStream[];
}

/** Checks that a parsed JSON value is a Singer catalog; the error names where it breaks the shape. */
export function parseCatalog(raw: unknown, source: string): Catalog {
  const validate = compiledValidator('singer-catalog.schema.json');
  if (!validate(raw)) {
    const e = validate.errors?.[0];
    const at = e ? e.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(root)' : '(root)';
    const why = e?.keyword === 'required' ? `misses "${(e.params as { missingProperty: string }).missingProperty}"` : (e?.message ?? 'is invalid');
    throw new ConnectorError('INPUT_INVALID', `the catalog ${source} is not a Singer catalog: ${at} ${why}`, { where: at });
  }
  const catalog = raw as Catalog;
  const ids = new Set<string>();
  for (const s of catalog.streams) {
    if (ids.has(s.tap_stream_id)) throw new ConnectorError('INPUT_INVALID', `the catalog ${source} lists stream "${s.tap_stream_id}" twice`, { where: s.tap_stream_id });
    ids.add(s.tap_stream_id);
  }
  return catalog;
}

/** The metadata of one catalog stream, looked up by breadcrumb. */
export class StreamMetadata {
  private readonly fields = new Map<string, MetadataValues>();
  readonly stream: MetadataValues;

  constructor(entries: readonly MetadataEntry[]) {
    let top: MetadataValues = {};
    for (const e of entries) {
      if (e.breadcrumb.length === 0) top = e.metadata;
      else if (e.breadcrumb.length === 2 && e.breadcrumb[0] === 'properties') this.fields.set(e.breadcrumb[1]!, e.metadata);
    }
    this.stream = top;
  }

  field(name: string): MetadataValues | undefined {
    return this.fields.get(name);
  }

  /** Singer/Meltano stream selection: explicit `selected` wins, else `selected-by-default`, else not selected. */
  get selected(): boolean {
    if (this.stream.inclusion === 'unsupported') return false;
    return this.stream.selected ?? this.stream['selected-by-default'] ?? false;
  }

  /**
   * Field selection: `unsupported` never, `automatic` always (a `selected: false` is ignored), explicit
   * `selected` wins, else `selected-by-default`, else `byDefault` (a field the catalog does not list yet).
   */
  fieldSelected(name: string, byDefault: boolean): boolean {
    const m = this.fields.get(name);
    if (!m) return byDefault;
    if (m.inclusion === 'unsupported') return false;
    if (m.inclusion === 'automatic') return true;
    return m.selected ?? m['selected-by-default'] ?? byDefault;
  }
}

/** Names matching any of the globs (`*` any run of characters, `?` one), case-insensitively. */
export function globMatcher(globs: readonly string[]): (name: string) => boolean {
  const res = globs.map((g) => new RegExp(`^${g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i'));
  return (name) => res.some((re) => re.test(name));
}
