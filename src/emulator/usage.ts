// Rolling 24 h allocations of the org: what `/limits` and `Sforce-Limit-Info` report and what jobs consume.
import type { OrgSettings } from './org/types.js';

export class Usage {
  apiRequests = 0;
  bulkApiBatches = 0;
  bulkV2QueryJobs = 0;
  ingestRecords = 0;
  queryFileStorageBytes = 0;

  constructor(private settings: OrgSettings) {}

  reset(settings: OrgSettings): void {
    this.settings = settings;
    this.apiRequests = this.bulkApiBatches = this.bulkV2QueryJobs = this.ingestRecords = this.queryFileStorageBytes = 0;
  }

  get limits(): OrgSettings {
    return this.settings;
  }

  /** Counts one API request; false when the daily allocation is spent (the request is refused). */
  takeApiRequest(): boolean {
    if (this.apiRequests >= this.settings.dailyApiRequests) return false;
    this.apiRequests++;
    return true;
  }

  takeIngestRecords(n: number): boolean {
    if (this.ingestRecords + n > this.settings.dailyBulkIngestRecords) return false;
    this.ingestRecords += n;
    return true;
  }

  takeBatch(): boolean {
    if (this.bulkApiBatches >= this.settings.dailyBulkApiBatches) return false;
    this.bulkApiBatches++;
    return true;
  }

  takeQueryJob(): boolean {
    if (this.bulkV2QueryJobs >= this.settings.dailyBulkV2QueryJobs) return false;
    this.bulkV2QueryJobs++;
    return true;
  }

  limitInfoHeader(): string {
    return `api-usage=${this.apiRequests}/${this.settings.dailyApiRequests}`;
  }

  /** The body of GET /limits: Salesforce's keys, Max and Remaining. */
  limitsJson(): Record<string, { Max: number; Remaining: number }> {
    const s = this.settings;
    const e = (max: number, used: number) => ({ Max: max, Remaining: Math.max(0, max - used) });
    return {
      ConcurrentAsyncGetReportInstances: e(200, 0),
      ConcurrentSyncReportRuns: e(20, 0),
      DailyApiRequests: e(s.dailyApiRequests, this.apiRequests),
      DailyAsyncApexExecutions: e(250000, 0),
      DailyBulkApiBatches: e(s.dailyBulkApiBatches, this.bulkApiBatches),
      DailyBulkV2QueryFileStorageMB: e(976562, Math.ceil(this.queryFileStorageBytes / 1048576)),
      DailyBulkV2QueryJobs: e(s.dailyBulkV2QueryJobs, this.bulkV2QueryJobs),
      DailyGenericStreamingApiEvents: e(10000, 0),
      DailyStreamingApiEvents: e(10000, 0),
      DataStorageMB: e(5, 0),
      FileStorageMB: e(20, 0),
      HourlyTimeBasedWorkflow: e(1000, 0),
      MassEmail: e(10, 0),
      SingleEmail: e(15, 0),
    };
  }
}
