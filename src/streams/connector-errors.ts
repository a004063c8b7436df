// One error hierarchy for the Singer side of both connectors (the Bulk client has its own, SalesforceError).
// Callers switch on `code`; the CLI maps each code to one documented exit code.

export type ConnectorErrorCode =
  | 'CONFIG_INVALID' // the config file is missing, unreadable or breaks its schema: fix the named key
  | 'INPUT_INVALID' // a Singer line, catalog or state file is malformed: fix the named line or key
  | 'ROWS_FAILED' // some rows failed permanently (target): they are in the failed-rows output
  | 'QUOTA_LOW' // stopped cleanly before exhausting the org's daily allocation; resume later from STATE
  | 'INTERRUPTED' // SIGINT/SIGTERM: stopped after writing the last safe STATE
  | 'RUN_FAILED'; // a job or the connection failed; nothing durable was lost, re-run to resume

/** Exit codes, documented in the README. */
export const EXIT_CODES: Readonly<Record<ConnectorErrorCode | 'OK', number>> = {
  OK: 0,
  RUN_FAILED: 1,
  CONFIG_INVALID: 2,
  INPUT_INVALID: 2,
  ROWS_FAILED: 3,
  QUOTA_LOW: 4,
  INTERRUPTED: 130,
};

export class ConnectorError extends Error {
  readonly code: ConnectorErrorCode;
  /** The config key, catalog key or input line the message names, when there is one. */
  readonly where: string | undefined;

  constructor(code: ConnectorErrorCode, message: string, options: { where?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.where = options.where;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}
