// Quota awareness: the Sforce-Limit-Info header on every reply, and the org's /limits resource,
// summarized as the remaining daily allocations a Bulk caller cares about.

export interface Usage {
  readonly used: number;
  readonly max: number;
  readonly remaining: number;
}

export interface LimitInfo {
  /** `api-usage=<used>/<max>`: the org's daily API requests. */
  readonly apiUsage?: Usage;
  /** `per-app-api-usage=<used>/<max>(appName=<name>)`, when the connected app has a quota. */
  readonly perAppApiUsage?: Usage & { readonly appName?: string };
  /** `api-bursts=<used>/<max>`. */
  readonly apiBursts?: Usage;
}

/**
 * Parses `Sforce-Limit-Info`, e.g. `api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)`.
 * Unknown parts are ignored; undefined when nothing is readable.
 */
export function parseLimitInfo(value: string | readonly string[] | undefined): LimitInfo | undefined {
  const text = Array.isArray(value) ? value.join(';') : value;
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  const out: { apiUsage?: Usage; perAppApiUsage?: Usage & { appName?: string }; apiBursts?: Usage } = {};
  for (const part of text.split(/[;,]/)) {
    const m = /^\s*([a-z-]+)\s*=\s*(\d+)\s*\/\s*(\d+)\s*(?:\(\s*appName\s*=\s*([^)]*)\))?\s*$/i.exec(part);
    if (!m) continue;
    const used = Number(m[2]);
    const max = Number(m[3]);
    const usage: Usage = { used, max, remaining: Math.max(0, max - used) };
    switch (m[1]!.toLowerCase()) {
      case 'api-usage':
        out.apiUsage = usage;
        break;
      case 'per-app-api-usage':
        out.perAppApiUsage = m[4] !== undefined ? { ...usage, appName: m[4].trim() } : usage;
        break;
      case 'api-bursts':
        out.apiBursts = usage;
        break;
    }
  }
  return Object.keys(out).length ? out : undefined;
}

/** One entry of `/limits`. */
export interface OrgLimit {
  readonly Max: number;
  readonly Remaining: number;
}

export type OrgLimits = Readonly<Record<string, OrgLimit & Readonly<Record<string, unknown>>>>;

/** The allocations that decide whether a Bulk 2.0 run can proceed. */
export interface BulkAllowance {
  /** Daily REST/Bulk API requests. */
  readonly apiRequests?: Usage;
  /** Internal 10,000-record batches (shared by Bulk API and Bulk 2.0 ingest). */
  readonly bulkApiBatches?: Usage;
  /** Bulk 2.0 query jobs per 24 h. */
  readonly bulkV2QueryJobs?: Usage;
  /** Bulk 2.0 query results storage, MB per 24 h. */
  readonly bulkV2QueryFileStorageMB?: Usage;
}

function usageOf(limit: unknown): Usage | undefined {
  if (!limit || typeof limit !== 'object') return undefined;
  const { Max, Remaining } = limit as Record<string, unknown>;
  if (typeof Max !== 'number' || typeof Remaining !== 'number') return undefined;
  return { max: Max, remaining: Remaining, used: Math.max(0, Max - Remaining) };
}

export function bulkAllowance(limits: OrgLimits): BulkAllowance {
  const pick = (name: string): Usage | undefined => usageOf(limits[name]);
  const out: Record<string, Usage> = {};
  const entries: [keyof BulkAllowance, string][] = [
    ['apiRequests', 'DailyApiRequests'],
    ['bulkApiBatches', 'DailyBulkApiBatches'],
    ['bulkV2QueryJobs', 'DailyBulkV2QueryJobs'],
    ['bulkV2QueryFileStorageMB', 'DailyBulkV2QueryFileStorageMB'],
  ];
  for (const [key, name] of entries) {
    const u = pick(name);
    if (u) out[key] = u;
  }
  return out as BulkAllowance;
}

/**
 * How many internal batches an ingest of `rows` rows consumes (10,000 records each), so a caller can
 * compare it with `bulkApiBatches.remaining` before uploading.
 */
export function batchesFor(rows: number): number {
  return Math.ceil(Math.max(0, rows) / 10_000);
}
