// The tap's STATE: one bookmark per stream and, while a window is in flight, exactly where it stands (the query
// job, the next page, the last row written), so a cut run resumes to the row. It is the tap's only ledger.
import { ConnectorError } from '../streams/connector-errors.js';
import type { JsonValue } from '../streams/singer-messages.js';

export interface WindowBounds {
  /** ISO instant, inclusive; null: no lower bound. */
  readonly start: string | null;
  /** ISO instant, exclusive; null: no upper bound (FULL_TABLE). */
  readonly end: string | null;
}

export interface JobPosition {
  readonly id: string;
  readonly operation: 'query' | 'queryAll';
  /** Locator of the next page to read; null: the first page. */
  readonly locator: string | null;
  /** Rows of the job read before that page (so the job's total is still checked). */
  readonly rows_before: number;
  /** Rows of that page already written (a run stopped mid-page). */
  readonly skip: number;
}

export interface LastRow {
  /** The replication key of the last row written (null for FULL_TABLE). */
  readonly replication_key_value: string | null;
  readonly id: string;
}

export interface InFlight {
  readonly window: WindowBounds;
  /** The job serving the window (absent once it is known to be gone). */
  readonly job?: JobPosition;
  /** The last row written in this window, in (replication key, Id) order. */
  readonly last?: LastRow;
}

export interface StreamBookmark {
  readonly replication_key?: string;
  /** Everything below this instant is written (exclusive bound of the next window). */
  readonly replication_key_value?: string;
  readonly in_flight?: InFlight;
}

export interface TapState {
  readonly currently_syncing: string | null;
  readonly bookmarks: Readonly<Record<string, StreamBookmark>>;
}

export const EMPTY_STATE: TapState = { currently_syncing: null, bookmarks: {} };

function bad(source: string, where: string, what: string): ConnectorError {
  return new ConnectorError('INPUT_INVALID', `the state ${source} is not a tap-salesforce-bulk state: ${where} ${what}`, { where });
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isInstant = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));

/** Checks a parsed state file; an empty object is a fresh start. */
export function parseState(raw: unknown, source: string): TapState {
  if (!isObject(raw)) throw bad(source, '(root)', 'must be a JSON object');
  const cs = raw.currently_syncing ?? null;
  if (cs !== null && typeof cs !== 'string') throw bad(source, 'currently_syncing', 'must be a stream name or null');
  const bms = raw.bookmarks ?? {};
  if (!isObject(bms)) throw bad(source, 'bookmarks', 'must be an object keyed by stream');
  for (const [stream, b] of Object.entries(bms)) {
    const at = `bookmarks.${stream}`;
    if (!isObject(b)) throw bad(source, at, 'must be an object');
    if (b.replication_key_value !== undefined && !isInstant(b.replication_key_value)) throw bad(source, `${at}.replication_key_value`, 'must be an ISO 8601 instant');
    if (b.in_flight === undefined) continue;
    const f = b.in_flight;
    if (!isObject(f) || !isObject(f.window)) throw bad(source, `${at}.in_flight`, 'must hold a window');
    for (const k of ['start', 'end'] as const) {
      if (f.window[k] !== null && !isInstant(f.window[k])) throw bad(source, `${at}.in_flight.window.${k}`, 'must be an ISO 8601 instant or null');
    }
    if (f.job !== undefined) {
      const j = f.job;
      if (!isObject(j) || typeof j.id !== 'string' || !/^[A-Za-z0-9]{15,18}$/.test(j.id)) throw bad(source, `${at}.in_flight.job.id`, 'must be a job id');
      if (j.operation !== 'query' && j.operation !== 'queryAll') throw bad(source, `${at}.in_flight.job.operation`, 'must be "query" or "queryAll"');
      if (j.locator !== null && typeof j.locator !== 'string') throw bad(source, `${at}.in_flight.job.locator`, 'must be a locator or null');
      for (const k of ['rows_before', 'skip'] as const) {
        if (!Number.isInteger(j[k]) || (j[k] as number) < 0) throw bad(source, `${at}.in_flight.job.${k}`, 'must be a count');
      }
    }
    if (f.last !== undefined) {
      const l = f.last;
      if (!isObject(l) || typeof l.id !== 'string' || (l.replication_key_value !== null && !isInstant(l.replication_key_value))) {
        throw bad(source, `${at}.in_flight.last`, 'must hold the last Id and replication key value');
      }
    }
  }
  return { currently_syncing: cs, bookmarks: bms as Record<string, StreamBookmark> };
}

/** The state as the JSON value of a STATE message. */
export function stateValue(s: TapState): JsonValue {
  return s as unknown as JsonValue;
}
