// The library logs through a Logger the caller provides (the tap and target write to stderr).
// Every line passes through the Redactor first.
import type { Redactor } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string): void;
}

export const silentLogger: Logger = { log() {} };

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A logger writing `level message` lines to stderr, from `min` up. */
export function stderrLogger(min: LogLevel = 'info'): Logger {
  return {
    log(level, message) {
      if (ORDER[level] >= ORDER[min]) process.stderr.write(`${level.toUpperCase()} ${message}\n`);
    },
  };
}

/** Wraps a logger so that nothing it receives can carry a registered secret. */
export function redactingLogger(inner: Logger, redactor: Redactor): Logger {
  return { log: (level, message) => inner.log(level, redactor.redact(message)) };
}
