// Fault injection: the failures real orgs produce, on demand and reproducible (seeded).
import { readFileSync } from 'node:fs';
import { compiledValidator } from '../compiled-schemas.js';
import { hashString, seededRng, type Rng } from './rng.js';

export type FaultKind =
  | 'latency' // delay the answer by latencyMs
  | 'http500' // 500 [{"errorCode":"UNKNOWN_EXCEPTION",...}]
  | 'http503' // 503 SERVER_UNAVAILABLE, with Retry-After when retryAfterSeconds is set
  | 'http429' // 429 (API gateways in front of orgs answer this)
  | 'requestLimitExceeded' // 403 REQUEST_LIMIT_EXCEEDED
  | 'connectionReset' // destroy the socket before answering (after reading the request)
  | 'resetMidResponse' // send the status line and part of the body, then destroy the socket
  | 'sessionExpiry'; // end every session, so this request (and the next ones) get 401 INVALID_SESSION_ID

export interface FaultRule {
  readonly kind: FaultKind;
  /** HTTP method to match (any when absent). */
  readonly method?: string;
  /** Regular expression matched against the request path (version segment included), e.g. "/jobs/ingest/[^/]+/?$". */
  readonly path?: string;
  /** Chance per matching request, 0..1 (default 1). */
  readonly rate?: number;
  /** Let this many matching requests through first. */
  readonly skip?: number;
  /** Fire at most this many times. */
  readonly count?: number;
  readonly latencyMs?: number;
  readonly retryAfterSeconds?: number;
}

export interface JobHold {
  /** Hold jobs in this state for `seconds` before they move on. */
  readonly state: 'UploadComplete' | 'InProgress';
  readonly seconds: number;
  readonly object?: string;
  readonly jobType?: 'ingest' | 'query';
}

export interface BatchTimeoutFault {
  /** Chance that an internal batch attempt times out, 0..1. */
  readonly rate?: number;
  /** Or: the first N attempts of every batch time out (N > retry limit fails the job). */
  readonly attempts?: number;
  readonly object?: string;
}

export interface FaultConfig {
  readonly seed?: number;
  readonly rules?: readonly FaultRule[];
  readonly holdJobs?: readonly JobHold[];
  readonly batchTimeouts?: BatchTimeoutFault;
  /** UNABLE_TO_LOCK_ROW chance for a child row whose parent another concurrent batch holds (default 0.5). */
  readonly lockFailureRate?: number;
}

export type FaultDecision =
  | { readonly kind: 'none'; readonly latencyMs: number }
  | { readonly kind: Exclude<FaultKind, 'latency'>; readonly latencyMs: number; readonly rule: FaultRule };

/** Validates a fault configuration against schemas/emulator-faults.schema.json; throws naming the bad key. */
export function parseFaultConfig(value: unknown, source = 'faults'): FaultConfig {
  const validate = compiledValidator('emulator-faults.schema.json');
  if (!validate(value)) {
    const errs = (validate.errors as { instancePath: string; message?: string }[])
      .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`)
      .join('; ');
    throw new Error(`${source}: invalid fault configuration: ${errs}`);
  }
  for (const r of (value as FaultConfig).rules ?? []) {
    if (r.path) {
      try {
        new RegExp(r.path);
      } catch {
        throw new Error(`${source}: rules[].path is not a valid regular expression: ${r.path}`);
      }
    }
  }
  return value as FaultConfig;
}

export function loadFaultFile(file: string): FaultConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not a readable JSON fault configuration: ${(e as Error).message}`);
  }
  return parseFaultConfig(json, file);
}

interface RuleState {
  readonly rule: FaultRule;
  readonly re: RegExp | null;
  seen: number;
  fired: number;
}

/** Live fault state: decides per request, per job and per batch attempt. */
export class Faults {
  private rules: RuleState[] = [];
  private rng: Rng = seededRng(0);
  private config: FaultConfig = {};

  constructor(config: FaultConfig = {}) {
    this.set(config);
  }

  set(config: FaultConfig): void {
    this.config = config;
    this.rng = seededRng(config.seed ?? 0);
    this.rules = (config.rules ?? []).map((rule) => ({
      rule,
      re: rule.path ? new RegExp(rule.path) : null,
      seen: 0,
      fired: 0,
    }));
  }

  get current(): FaultConfig {
    return this.config;
  }

  /** Decides what happens to one request. Latency rules add up; the first firing failure rule wins. */
  decide(method: string, path: string): FaultDecision {
    let latencyMs = 0;
    for (const st of this.rules) {
      const { rule } = st;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (st.re && !st.re.test(path)) continue;
      st.seen++;
      if (rule.skip && st.seen <= rule.skip) continue;
      if (rule.count !== undefined && st.fired >= rule.count) continue;
      if (this.rng() >= (rule.rate ?? 1)) continue;
      st.fired++;
      if (rule.kind === 'latency') {
        latencyMs += rule.latencyMs ?? 0;
        continue;
      }
      return { kind: rule.kind, latencyMs: latencyMs + (rule.latencyMs ?? 0), rule };
    }
    return { kind: 'none', latencyMs };
  }

  /** Seconds to hold a job in `state` (0 = no hold). */
  holdSeconds(state: JobHold['state'], jobType: 'ingest' | 'query', object: string): number {
    let s = 0;
    for (const h of this.config.holdJobs ?? []) {
      if (h.state !== state) continue;
      if (h.jobType && h.jobType !== jobType) continue;
      if (h.object && h.object.toLowerCase() !== object.toLowerCase()) continue;
      s = Math.max(s, h.seconds);
    }
    return s;
  }

  /** Whether attempt `attempt` (0-based) of internal batch `batchIndex` of a job times out. Deterministic per job. */
  batchTimesOut(jobId: string, object: string, batchIndex: number, attempt: number): boolean {
    const bt = this.config.batchTimeouts;
    if (!bt) return false;
    if (bt.object && bt.object.toLowerCase() !== object.toLowerCase()) return false;
    if (bt.attempts !== undefined && attempt < bt.attempts) return true;
    if (bt.rate) {
      const r = seededRng(hashString(`${this.config.seed ?? 0}:${jobId}:${batchIndex}:${attempt}`))();
      return r < bt.rate;
    }
    return false;
  }

  get lockFailureRate(): number {
    return this.config.lockFailureRate ?? 0.5;
  }
}
