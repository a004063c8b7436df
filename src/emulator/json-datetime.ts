// Salesforce's datetime in JSON answers (job info, REST records and query results): `2026-11-22T14:43:08.000+0000`.
// (Bulk CSV results print `…Z` instead: query/csv-values.ts.)
export function formatJsonDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}
