// What every route handler sees: the org, auth, jobs, faults, usage and the request at hand.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthService, Session } from '../auth/index.js';
import type { EmulatorClock } from '../clock.js';
import type { Faults } from '../faults.js';
import type { JobStore } from '../jobs/job-store.js';
import type { JobProcessor } from '../jobs/processor.js';
import type { OrgStore } from '../org/types.js';
import type { Usage } from '../usage.js';
import type { QueryCursors } from './query-cursors.js';
import type { RequestLog } from './request-log.js';

export interface EmulatorLimits {
  /** Largest accepted ingest upload (raw bytes). Salesforce: 150 MB after base64, i.e. about 112 MB raw. */
  maxUploadBytes: number;
  /** Largest CSV part of a multipart job create, in characters. */
  maxMultipartCsvChars: number;
  /** Rows per query result page when the client gives no maxRecords. */
  defaultPageRecords: number;
}

export interface EmulatorState {
  org: OrgStore;
  auth: AuthService;
  readonly faults: Faults;
  readonly jobs: JobStore;
  readonly processor: JobProcessor;
  readonly usage: Usage;
  readonly log: RequestLog;
  /** REST query results still being paged by nextRecordsUrl. */
  readonly cursors: QueryCursors;
  readonly limits: EmulatorLimits;
  /** The emulator's time (token expiry, job timestamps, SOQL date literals); tests advance it. */
  readonly now: () => number;
  readonly clock: EmulatorClock;
  /** Reloads the org from a seed (admin reset/seed). */
  reseed(spec: string | object, scale?: number): Promise<void>;
}

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly emu: EmulatorState;
  /** Path with duplicate slashes collapsed and no trailing slash. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The origin the client used, e.g. http://127.0.0.1:PORT (login and instance URL in the emulator). */
  readonly origin: string;
  /** Notes for the request log. */
  readonly note: { jobId?: string; state?: string; records?: number; bytesIn?: number };
  session?: Session;
}
