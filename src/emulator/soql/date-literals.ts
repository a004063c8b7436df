// SOQL relative date literals (TODAY, LAST_N_DAYS:n, ...) as half-open UTC ranges [start, end).
// The org's time zone is taken as UTC; weeks start on Sunday (en_US locale), as Salesforce's default.

const FIXED = new Set([
  'TODAY', 'YESTERDAY', 'TOMORROW', 'LAST_WEEK', 'THIS_WEEK', 'NEXT_WEEK', 'LAST_MONTH', 'THIS_MONTH',
  'NEXT_MONTH', 'LAST_90_DAYS', 'NEXT_90_DAYS', 'THIS_QUARTER', 'LAST_QUARTER', 'NEXT_QUARTER', 'THIS_YEAR',
  'LAST_YEAR', 'NEXT_YEAR',
]);
const WITH_N = new Set([
  'LAST_N_DAYS', 'NEXT_N_DAYS', 'N_DAYS_AGO', 'LAST_N_WEEKS', 'NEXT_N_WEEKS', 'N_WEEKS_AGO', 'LAST_N_MONTHS',
  'NEXT_N_MONTHS', 'N_MONTHS_AGO', 'LAST_N_QUARTERS', 'NEXT_N_QUARTERS', 'N_QUARTERS_AGO', 'LAST_N_YEARS',
  'NEXT_N_YEARS', 'N_YEARS_AGO',
]);

export function isDateLiteralName(upper: string): boolean {
  return FIXED.has(upper) || WITH_N.has(upper);
}

export function dateLiteralTakesN(upper: string): boolean {
  return WITH_N.has(upper);
}

/** A range as UTC day numbers (days since 1970-01-01), start inclusive, end exclusive. */
export interface DayRange {
  readonly start: number;
  readonly end: number;
}

const DAY = 86_400_000;

function monthStartDay(y: number, m: number): number {
  return Date.UTC(y, m, 1) / DAY;
}

/** The range a date literal denotes on the UTC day `today` (days since epoch). */
export function dateLiteralRange(name: string, n: number, today: number): DayRange {
  const d = new Date(today * DAY);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const weekStart = today - d.getUTCDay();
  const q0 = m - (m % 3);
  const months = (fromMonth: number, count: number): DayRange => ({
    start: monthStartDay(y, fromMonth),
    end: monthStartDay(y, fromMonth + count),
  });
  switch (name) {
    case 'TODAY': return { start: today, end: today + 1 };
    case 'YESTERDAY': return { start: today - 1, end: today };
    case 'TOMORROW': return { start: today + 1, end: today + 2 };
    case 'THIS_WEEK': return { start: weekStart, end: weekStart + 7 };
    case 'LAST_WEEK': return { start: weekStart - 7, end: weekStart };
    case 'NEXT_WEEK': return { start: weekStart + 7, end: weekStart + 14 };
    case 'THIS_MONTH': return months(m, 1);
    case 'LAST_MONTH': return months(m - 1, 1);
    case 'NEXT_MONTH': return months(m + 1, 1);
    case 'LAST_90_DAYS': return { start: today - 90, end: today + 1 };
    case 'NEXT_90_DAYS': return { start: today + 1, end: today + 91 };
    case 'THIS_QUARTER': return months(q0, 3);
    case 'LAST_QUARTER': return months(q0 - 3, 3);
    case 'NEXT_QUARTER': return months(q0 + 3, 3);
    case 'THIS_YEAR': return months(0, 12);
    case 'LAST_YEAR': return months(-12, 12);
    case 'NEXT_YEAR': return months(12, 12);
    case 'LAST_N_DAYS': return { start: today - n, end: today + 1 };
    case 'NEXT_N_DAYS': return { start: today + 1, end: today + 1 + n };
    case 'N_DAYS_AGO': return { start: today - n, end: today - n + 1 };
    case 'LAST_N_WEEKS': return { start: weekStart - 7 * n, end: weekStart };
    case 'NEXT_N_WEEKS': return { start: weekStart + 7, end: weekStart + 7 + 7 * n };
    case 'N_WEEKS_AGO': return { start: weekStart - 7 * n, end: weekStart - 7 * n + 7 };
    case 'LAST_N_MONTHS': return months(m - n, n);
    case 'NEXT_N_MONTHS': return months(m + 1, n);
    case 'N_MONTHS_AGO': return months(m - n, 1);
    case 'LAST_N_QUARTERS': return months(q0 - 3 * n, 3 * n);
    case 'NEXT_N_QUARTERS': return months(q0 + 3, 3 * n);
    case 'N_QUARTERS_AGO': return months(q0 - 3 * n, 3);
    case 'LAST_N_YEARS': return months(-12 * n, 12 * n);
    case 'NEXT_N_YEARS': return months(12, 12 * n);
    case 'N_YEARS_AGO': return months(-12 * n, 12);
    default: throw new RangeError(`unknown date literal ${name}`);
  }
}

/** 'YYYY-MM-DD' of a UTC day number. */
export function dayToDateString(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

export function dayToMillis(day: number): number {
  return day * DAY;
}

export function todayUtc(nowMs: number): number {
  return Math.floor(nowMs / DAY);
}
