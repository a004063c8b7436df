// The quota guard: before each job, the org's remaining daily API requests (from the latest Sforce-Limit-Info,
// or /limits before any was seen) are compared with min_remaining_api_percent; below it the run stops cleanly.
import type { BulkClient, Usage } from '../bulk/index.js';
import { ConnectorError } from '../streams/connector-errors.js';

export class QuotaGuard {
  private checkedLimits = false;

  constructor(private readonly minPercent: number) {}

  async check(client: BulkClient): Promise<void> {
    if (this.minPercent <= 0) return;
    let usage: Usage | undefined = client.limitInfo?.apiUsage;
    if (!this.checkedLimits) {
      this.checkedLimits = true;
      usage = (await client.bulkAllowance()).apiRequests ?? usage;
    }
    if (!usage || usage.max <= 0) return;
    const percent = (usage.remaining / usage.max) * 100;
    if (percent < this.minPercent) {
      throw new ConnectorError(
        'QUOTA_LOW',
        `the org has ${usage.remaining} of its ${usage.max} daily API requests left (${percent.toFixed(1)}%), below min_remaining_api_percent (${this.minPercent}%): ` +
          `stopped before creating another job. STATE is written up to the last durable point; resume once the org's rolling 24-hour allocation has recovered (or lower min_remaining_api_percent)`,
      );
    }
  }
}
