// The tap's configuration: its own keys (schemas/tap-config.schema.json) and the connection keys (validated by
// the Bulk client), parsed once at the edge into typed values.
import { parseConnectionConfig, type ConnectionConfig } from '../bulk/index.js';
import { configValidator } from '../streams/config-file.js';
import { ConnectorError } from '../streams/connector-errors.js';

export interface TapSettings {
  /** Epoch ms, inclusive lower bound of the replication key; undefined: everything. */
  readonly startMs: number | undefined;
  /** Epoch ms, exclusive upper bound; undefined: the moment the run started. */
  readonly endMs: number | undefined;
  readonly lookbackMs: number;
  readonly windowMs: number;
  readonly maxParallelPages: number;
  readonly pageSize: number | undefined;
  readonly streamsToDiscover: readonly string[] | undefined;
  readonly selectFieldsByDefault: boolean;
  readonly includeDeleted: boolean;
  readonly quotaReservePercent: number;
  readonly stateEveryPages: number;
  /** Per stream, `Relationship.Field` columns read from the parent (confirmed against describe when planned). */
  readonly relationshipFields: Readonly<Record<string, readonly string[]>>;
}

export interface TapConfig {
  readonly connection: ConnectionConfig;
  readonly settings: TapSettings;
}

interface RawTapKeys {
  start_date?: string;
  end_date?: string;
  lookback_window_seconds: number;
  window_size_days: number;
  max_parallel_pages: number;
  page_size?: number;
  streams_to_discover?: string[];
  select_fields_by_default: boolean;
  include_deleted: boolean;
  quota_reserve_percent: number;
  state_every_pages: number;
  relationship_fields?: Record<string, string[]>;
}

const validateTapKeys = configValidator<RawTapKeys>('tap-config.schema.json');

/** An ISO 8601 date or datetime as epoch ms; a date is its midnight UTC, a datetime without offset is UTC. */
export function parseInstant(text: string, key: string): number {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(text) ? text : `${text}Z`);
  if (Number.isNaN(t)) throw new ConnectorError('CONFIG_INVALID', `config key "${key}" is not a valid date or datetime: "${text}"`, { where: key });
  return t;
}

export function parseTapConfig(raw: unknown): TapConfig {
  const keys = validateTapKeys(raw);
  let connection: ConnectionConfig;
  try {
    connection = parseConnectionConfig(raw);
  } catch (e) {
    const key = (e as { key?: string }).key;
    throw new ConnectorError('CONFIG_INVALID', (e as Error).message, { cause: e, ...(key ? { where: key } : {}) });
  }
  const startMs = keys.start_date === undefined ? undefined : parseInstant(keys.start_date, 'start_date');
  const endMs = keys.end_date === undefined ? undefined : parseInstant(keys.end_date, 'end_date');
  if (startMs !== undefined && endMs !== undefined && endMs <= startMs) {
    throw new ConnectorError('CONFIG_INVALID', `config key "end_date" (${keys.end_date}) must be after "start_date" (${keys.start_date})`, { where: 'end_date' });
  }
  return {
    connection,
    settings: {
      startMs,
      endMs,
      lookbackMs: keys.lookback_window_seconds * 1000,
      windowMs: keys.window_size_days * 86_400_000,
      maxParallelPages: keys.max_parallel_pages,
      pageSize: keys.page_size,
      streamsToDiscover: keys.streams_to_discover,
      selectFieldsByDefault: keys.select_fields_by_default,
      includeDeleted: keys.include_deleted,
      quotaReservePercent: keys.quota_reserve_percent,
      stateEveryPages: keys.state_every_pages,
      relationshipFields: keys.relationship_fields ?? {},
    },
  };
}
