// How the REST `query` resource prints a result: JSON records with typed values (numbers, booleans, null),
// `attributes` on every record, parent relationships as nested records, address and location compounds as
// objects, and aggregate rows as `AggregateResult` records. Sources: src/emulator/README.md, "REST query".
import type { FieldDef, FieldValue, OrgStore, Row } from '../org/types.js';
import type { CompileOptions } from '../soql/compile.js';
import { planRestQuery, type AggregateColumn, type RestColumn, type RestQueryOutcome } from '../soql/rest-query.js';
import { formatJsonDateTime } from '../json-datetime.js';

type Json = Record<string, unknown>;

export interface RestQueryResult {
  /** `totalSize`: rows (or groups) in the whole result. */
  readonly totalSize: number;
  /** Records [offset, offset + n) as the REST API prints them at API version `version`. */
  records(offset: number, n: number, version: number): Json[];
}

/** The JSON value of a stored field value, typed as REST prints it. */
export function restValue(v: FieldValue | undefined, field: FieldDef | null): unknown {
  if (v === null || v === undefined) return null;
  if (field === null) return v;
  switch (field.type) {
    case 'datetime':
      return typeof v === 'number' ? formatJsonDateTime(v) : v;
    case 'int':
    case 'long':
    case 'double':
    case 'currency':
    case 'percent':
      return typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
    case 'boolean':
      return v === 'true' ? true : v === 'false' ? false : v;
    default:
      return v;
  }
}

/** The key a component takes in its compound object: `BillingPostalCode` -> `postalCode`, `Loc__Latitude__s` -> `latitude`. */
export function compoundKey(compound: string, component: string): string {
  const base = compound.endsWith('__c') ? compound.slice(0, -3) + '__' : compound.replace(/(Address|Location)$/, '');
  let rest = component.startsWith(base) ? component.slice(base.length) : component;
  rest = rest.replace(/__s$/, '');
  return rest.charAt(0).toLowerCase() + rest.slice(1);
}

function recordUrl(version: number, type: string, id: FieldValue | undefined): string | undefined {
  return typeof id === 'string' && id !== '' ? `/services/data/v${version}.0/sobjects/${type}/${id}` : undefined;
}

function attributes(type: string, url: string | undefined): Json {
  return url === undefined ? { type } : { type, url };
}

/** Records of a plain query: the rows, and for every relationship in the SELECT list the parent row of each. */
/** A record column with its compound keys worked out (address and location objects list keys alphabetically). */
interface PrintedColumn extends RestColumn {
  readonly keyed: readonly { readonly key: string; readonly field: string }[];
}

export class RestRecordsResult implements RestQueryResult {
  private readonly columns: readonly PrintedColumn[];

  constructor(
    private readonly object: string,
    private readonly rows: readonly Row[],
    private readonly chains: readonly (readonly (Row | undefined)[])[],
    columns: readonly RestColumn[],
    /** The object a parent row belongs to (polymorphic relationships are resolved by the id's key prefix). */
    private readonly typeOf: (row: Row) => string,
  ) {
    this.columns = columns.map((c) => ({
      ...c,
      keyed: c.components
        .map((field) => ({ key: compoundKey(c.field.name, field), field }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    }));
  }

  get totalSize(): number {
    return this.rows.length;
  }

  records(offset: number, n: number, version: number): Json[] {
    const out: Json[] = [];
    const end = Math.min(this.rows.length, offset + n);
    for (let i = Math.max(0, offset); i < end; i++) out.push(this.record(i, version));
    return out;
  }

  private record(i: number, version: number): Json {
    const row = this.rows[i];
    const rec: Json = { attributes: attributes(this.object, recordUrl(version, this.object, row.Id)) };
    for (const col of this.columns) {
      let target: Json | null = rec;
      let src: Row | undefined = row;
      for (const hop of col.hops) {
        const parent = this.chains[hop.chain][i];
        const existing = target[hop.name];
        if (existing === undefined) {
          if (parent === undefined) {
            target[hop.name] = null;
            target = null;
            break;
          }
          const type = this.typeOf(parent);
          const nested: Json = { attributes: attributes(type, recordUrl(version, type, parent.Id)) };
          target[hop.name] = nested;
          target = nested;
        } else if (existing === null) {
          target = null;
          break;
        } else target = existing as Json;
        src = parent;
      }
      if (target === null || src === undefined) continue;
      target[col.field.name] = this.value(src, col, version);
    }
    return rec;
  }

  private value(src: Row, col: PrintedColumn, version: number): unknown {
    const f = col.field;
    if (col.keyed.length) {
      const compound: Json = {};
      let any = false;
      for (const c of col.keyed) {
        const v = src[c.field];
        if (v !== null && v !== undefined) any = true;
        compound[c.key] = v ?? null;
      }
      return any ? compound : null;
    }
    if (f.type === 'base64') {
      // Blob fields answer the URL that serves the bytes, not the bytes.
      const v = src[f.name];
      return v === null || v === undefined ? null : `${recordUrl(version, this.typeOf(src), src.Id)}/${f.name}`;
    }
    return restValue(src[f.name], f);
  }
}

/** Rows of an aggregate query: one `AggregateResult` record per group. */
export class AggregateRecordsResult implements RestQueryResult {
  constructor(
    private readonly groups: readonly (readonly FieldValue[])[],
    private readonly columns: readonly AggregateColumn[],
  ) {}

  get totalSize(): number {
    return this.groups.length;
  }

  records(offset: number, n: number): Json[] {
    const out: Json[] = [];
    const end = Math.min(this.groups.length, offset + n);
    for (let i = Math.max(0, offset); i < end; i++) {
      const rec: Json = { attributes: { type: 'AggregateResult' } };
      this.columns.forEach((c, k) => (rec[c.key] = restValue(this.groups[i][k], c.field)));
      out.push(rec);
    }
    return out;
  }
}

/** `SELECT count() FROM …`: only a size, never records. */
export class CountResult implements RestQueryResult {
  constructor(readonly totalSize: number) {}

  records(): Json[] {
    return [];
  }
}

/** The printable result of a REST query's outcome. */
export function restQueryResult(store: OrgStore, object: string, outcome: RestQueryOutcome): RestQueryResult {
  switch (outcome.kind) {
    case 'count':
      return new CountResult(outcome.count);
    case 'aggregate':
      return new AggregateRecordsResult(outcome.groups, outcome.columns);
    case 'records': {
      const typeOf = (row: Row): string => (typeof row.Id === 'string' ? store.typeOfId(row.Id)?.name : undefined) ?? object;
      return new RestRecordsResult(object, outcome.rows, outcome.chains, outcome.columns, typeOf);
    }
  }
}

export interface CompiledRestQuery {
  readonly object: string;
  /** Runs the query now (`includeDeleted`: queryAll) and keeps the result as a snapshot for paging. */
  execute(includeDeleted: boolean): RestQueryResult;
}

/** A REST query compiled against `store`; throws SoqlError with Salesforce's code and text. */
export function compileRestQuery(store: OrgStore, soql: string, options: CompileOptions = {}): CompiledRestQuery {
  const plan = planRestQuery(store, soql, options);
  const object = plan.object.name;
  return { object, execute: (includeDeleted) => restQueryResult(store, object, plan.run(includeDeleted)) };
}
