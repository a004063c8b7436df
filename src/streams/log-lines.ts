// The one logger of both executables: every line on stderr (stdout carries only Singer messages), filtered by
// --log-level, as `LEVEL message` text or as JSON lines {"ts","level","logger","msg",...} (--log-format json), and
// passed through the redactor last, so no registered secret reaches a line whatever logged it. It satisfies the
// Bulk client's Logger interface, so the client's own lines come through here too.
import { Option } from 'commander';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LineLoggerOptions {
  /** The "logger" of a JSON line: the executable's name. */
  readonly name: string;
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Replaces every registered secret (the Bulk client's Redactor); secrets may be added while the run goes on. */
  readonly redactor: { redact(text: string): string };
  readonly write?: (line: string) => void;
  readonly now?: () => Date;
}

/** Extra structured fields of a line (JSON format only; text shows the message alone). */
export type LogFields = Readonly<Record<string, unknown>>;

export class LineLogger {
  private write: (line: string) => void;
  private readonly direct: (line: string) => void;
  private readonly now: () => Date;

  constructor(private readonly o: LineLoggerOptions) {
    this.direct = o.write ?? ((line) => process.stderr.write(line));
    this.write = this.direct;
    this.now = o.now ?? (() => new Date());
  }

  get format(): LogFormat {
    return this.o.format;
  }

  /** Sends lines elsewhere (above a live progress line) until called with undefined. */
  divert(write: ((line: string) => void) | undefined): void {
    this.write = write ?? this.direct;
  }

  enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.o.level];
  }

  log(level: LogLevel, message: string, fields?: LogFields): void {
    if (!this.enabled(level)) return;
    const r = this.o.redactor;
    if (this.o.format === 'text') {
      this.write(`${level.toUpperCase()} ${r.redact(message)}\n`);
      return;
    }
    const line = { ts: this.now().toISOString(), level, logger: this.o.name, msg: r.redact(message), ...(fields ? redactDeep(fields, r) as object : {}) };
    this.write(`${JSON.stringify(line)}\n`);
  }
}

/** Strings anywhere in a value, redacted (before serialising: an escaped secret would no longer match). */
function redactDeep(v: unknown, r: { redact(text: string): string }): unknown {
  if (typeof v === 'string') return r.redact(v);
  if (Array.isArray(v)) return v.map((x) => redactDeep(x, r));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactDeep(x, r)]));
  return v;
}

/** `--log-level` and `--log-format`, the same on both executables. */
export function logOptions(): Option[] {
  return [
    new Option('--log-level <level>', 'lowest level written to stderr').choices(LOG_LEVELS).default('info'),
    new Option('--log-format <format>', 'stderr lines as text, or as JSON lines {"ts","level","logger","msg",...}').choices(LOG_FORMATS).default('text'),
  ];
}
