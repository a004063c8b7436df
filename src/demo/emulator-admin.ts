// The emulator's admin API (/__emulator/...), which the demo uses to check what each org holds.
import { parse } from 'csv-parse/sync';

export async function adminQuery(url: string, soql: string): Promise<Record<string, string>[]> {
  const res = await fetch(`${url}/__emulator/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ soql, all: false }),
  });
  const body = (await res.json()) as { csv?: string };
  if (!res.ok || typeof body.csv !== 'string') throw new Error(`admin query "${soql}" answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return parse(body.csv, { columns: true }) as Record<string, string>[];
}

export async function adminCounts(url: string): Promise<Record<string, { live: number; deleted: number }>> {
  const res = await fetch(`${url}/__emulator/counts`);
  if (!res.ok) throw new Error(`GET /__emulator/counts answered ${res.status}`);
  return (await res.json()) as Record<string, { live: number; deleted: number }>;
}
