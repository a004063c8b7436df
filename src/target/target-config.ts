// The target's configuration: its own keys (schemas/target-config.schema.json, defaults filled) beside the
// connection keys, which the Bulk client validates. Parsed once at the edge; the rest of the target trusts it.
import { parseConnectionConfig, type ConnectionConfig } from '../bulk/index.js';
import { isSalesforceError } from '../bulk/index.js';
import { configValidator } from '../streams/config-file.js';
import { ConnectorError } from '../streams/connector-errors.js';

export type TargetOperation = 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';

export interface StreamMapping {
  readonly object: string;
  readonly operation: TargetOperation;
  readonly external_id_field?: string;
  readonly field_map?: Readonly<Record<string, string | null>>;
  readonly depends_on?: readonly string[];
}

export interface TargetSettings {
  readonly streams: Readonly<Record<string, StreamMapping>>;
  readonly unmapped_streams: 'fail' | 'skip' | 'by_name';
  readonly default_operation: TargetOperation;
  readonly max_bytes_per_upload: number;
  readonly max_records_per_job: number;
  readonly max_parallel_jobs: number;
  readonly max_retries: number;
  readonly retry_backoff_seconds: number;
  readonly failed_records_dir: string;
  readonly state_dir: string;
  readonly max_record_age_seconds: number;
  readonly null_handling: '#N/A' | 'leave';
  readonly skip_unchanged: boolean;
  readonly min_remaining_api_percent: number;
  readonly allow_failed_rows: boolean;
  readonly on_interrupt: 'finish' | 'abort';
  readonly transform_threads: number;
}

export interface TargetConfig {
  readonly settings: TargetSettings;
  /** The raw connection keys, parsed only when a mapped stream needs the org. */
  readonly connection: () => ConnectionConfig;
}

const validateSettings = configValidator<TargetSettings>('target-config.schema.json');

export function parseTargetConfig(raw: unknown): TargetConfig {
  const settings = validateSettings(raw);
  for (const [name, s] of Object.entries(settings.streams)) {
    for (const dep of s.depends_on ?? []) {
      if (dep === name) throw new ConnectorError('CONFIG_INVALID', `config key "streams.${name}.depends_on" names the stream itself`, { where: `streams.${name}.depends_on` });
    }
    if (s.operation === 'upsert' && !s.external_id_field) {
      throw new ConnectorError('CONFIG_INVALID', `missing config key "streams.${name}.external_id_field" (an upsert matches on an external id field)`, { where: `streams.${name}.external_id_field` });
    }
  }
  let parsed: ConnectionConfig | undefined;
  return {
    settings,
    connection: () => {
      if (!parsed) {
        try {
          parsed = parseConnectionConfig(raw);
        } catch (e) {
          if (isSalesforceError(e)) throw new ConnectorError('CONFIG_INVALID', e.message, { cause: e, where: (e as { key?: string }).key });
          throw e;
        }
      }
      return parsed;
    },
  };
}
