// Field values the platform computes on save (not formulas the SOQL engine evaluates): person names, auto numbers,
// the Opportunity stage family, Case closing, fiscal period, and a custom object's default Name.
import type { FieldValue, SObjectType } from './types.js';

/** A record being written, as seen by a derivation. One reused instance per table: never keep it. */
export interface Draft {
  readonly insert: boolean;
  readonly now: number;
  /** The value that will be stored (undefined or null: no value). */
  get(name: string): FieldValue | undefined;
  set(name: string, value: FieldValue | undefined): void;
  /** Whether the caller supplied this field in this write (insert values / update changes). */
  given(name: string): boolean;
  /** The next value of an auto-number field. */
  nextAutoNumber(field: string): string;
}

export type Deriver = (d: Draft) => void;

/** Salesforce's default Opportunity stages: probability, forecast category, closed, won. */
export const OPPORTUNITY_STAGES: Readonly<Record<string, readonly [number, string, boolean, boolean]>> = {
  Prospecting: [10, 'Pipeline', false, false],
  Qualification: [10, 'Pipeline', false, false],
  'Needs Analysis': [20, 'Pipeline', false, false],
  'Value Proposition': [50, 'Pipeline', false, false],
  'Id. Decision Makers': [60, 'Pipeline', false, false],
  'Perception Analysis': [70, 'Pipeline', false, false],
  'Proposal/Price Quote': [75, 'Pipeline', false, false],
  'Negotiation/Review': [90, 'Pipeline', false, false],
  'Closed Won': [100, 'Closed', true, true],
  'Closed Lost': [0, 'Omitted', true, false],
};

/** ForecastCategory (the API-only field) for a ForecastCategoryName. */
const FORECAST_CATEGORY: Record<string, string> = {
  Omitted: 'Omitted',
  Pipeline: 'Pipeline',
  'Best Case': 'BestCase',
  Commit: 'Forecast',
  Closed: 'Closed',
};

function personName(d: Draft): void {
  if (!d.insert && !d.given('FirstName') && !d.given('LastName')) return;
  const first = d.get('FirstName');
  const last = d.get('LastName');
  const parts = [first, last].filter((p) => typeof p === 'string' && p !== '');
  d.set('Name', parts.length ? parts.join(' ') : null);
}

function opportunity(d: Draft): void {
  if (d.insert || d.given('StageName')) {
    const stage = OPPORTUNITY_STAGES[String(d.get('StageName'))];
    if (stage) {
      const [probability, category, closed, won] = stage;
      if (!d.given('Probability') || d.get('Probability') == null) d.set('Probability', probability);
      if (!d.given('ForecastCategoryName') || d.get('ForecastCategoryName') == null) {
        d.set('ForecastCategoryName', category);
      }
      d.set('IsClosed', closed);
      d.set('IsWon', won);
    }
  }
  const fcn = d.get('ForecastCategoryName');
  d.set('ForecastCategory', typeof fcn === 'string' ? (FORECAST_CATEGORY[fcn] ?? fcn) : null);
  if (d.insert || d.given('CloseDate')) {
    const close = d.get('CloseDate');
    if (typeof close === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(close)) {
      const year = Number(close.slice(0, 4));
      const quarter = Math.floor((Number(close.slice(5, 7)) - 1) / 3) + 1;
      d.set('FiscalYear', year);
      d.set('FiscalQuarter', quarter);
      d.set('Fiscal', `${year} ${quarter}`);
    } else {
      d.set('FiscalYear', null);
      d.set('FiscalQuarter', null);
      d.set('Fiscal', null);
    }
  }
}

function caseClosing(d: Draft): void {
  if (!d.insert && !d.given('Status')) return;
  const closed = d.get('Status') === 'Closed';
  d.set('IsClosed', closed);
  if (closed && d.get('ClosedDate') == null) d.set('ClosedDate', d.now);
  if (!closed) d.set('ClosedDate', null);
}

function customName(d: Draft): void {
  // A custom object record saved without a Name is named after its Id.
  const name = d.get('Name');
  if (name == null || name === '') d.set('Name', d.get('Id'));
}

/** Derivations that apply to records of `type`, in order. */
export function derivationsFor(type: SObjectType): Deriver[] {
  const out: Deriver[] = [];
  const autoNumbers = type.fields.filter((f) => f.raw.autoNumber === true).map((f) => f.name);
  if (autoNumbers.length) {
    out.push((d) => {
      if (!d.insert) return;
      for (const f of autoNumbers) if (d.get(f) == null) d.set(f, d.nextAutoNumber(f));
    });
  }
  switch (type.name) {
    case 'Contact':
    case 'Lead':
    case 'User':
      out.push(personName);
      break;
    case 'Opportunity':
      out.push(opportunity);
      break;
    case 'Case':
      out.push(caseClosing);
      break;
  }
  if (type.custom && type.field('Name')?.raw.nameField === true) out.push(customName);
  return out;
}
