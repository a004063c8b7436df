// The demo's closing table: per stream, rows extracted by the tap and what the target did with them.
export interface StreamRow {
  readonly stream: string;
  readonly extracted: number;
  readonly loaded: number;
  readonly failed: number;
  readonly failedReasons: Readonly<Record<string, number>>;
  readonly skipped: number;
}

export interface PhaseTime {
  readonly name: string;
  readonly seconds: number;
  readonly records: number;
}

const rate = (records: number, seconds: number): string => (seconds > 0 && records > 0 ? String(Math.round(records / seconds)) : '-');

export function renderSummary(rows: readonly StreamRow[], phases: readonly PhaseTime[]): string {
  const header = ['stream', 'extracted', 'loaded', 'failed', 'skipped', 'failure reasons'];
  const body = rows.map((r) => [
    r.stream,
    String(r.extracted),
    String(r.loaded),
    String(r.failed),
    String(r.skipped),
    Object.entries(r.failedReasons).map(([code, n]) => `${code} ${n}`).join(', ') || '-',
  ]);
  const sum = (k: 'extracted' | 'loaded' | 'failed' | 'skipped') => String(rows.reduce((n, r) => n + r[k], 0));
  body.push(['total', sum('extracted'), sum('loaded'), sum('failed'), sum('skipped'), '']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const lines = [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(fmt)];
  lines.push('');
  const timing = ['phase', 'records', 'seconds', 'records/s'];
  const trows = phases.map((p) => [p.name, p.records ? String(p.records) : '-', p.seconds.toFixed(1), rate(p.records, p.seconds)]);
  const tw = timing.map((h, i) => Math.max(h.length, ...trows.map((r) => r[i]!.length)));
  const tfmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(tw[i]!) : c.padStart(tw[i]!))).join('  ');
  lines.push(tfmt(timing), tw.map((w) => '-'.repeat(w)).join('  '), ...trows.map(tfmt));
  return lines.join('\n');
}
