// How the REST `query` resource prints a result: JSON records with typed values (numbers, booleans, null),
// `attributes` on every record, parent relationships as nested records, address and location compounds as
// objects, and aggregate rows as `AggregateResult` records. Sources: src/emulator/README.md, "REST query".
import type { FieldDef, FieldValue, Row } from '../org/types.js';
import { isoDateTime } from './csv-values.js';

type Json = Record<string, unknown>;

/** One step from a record to its parent: the relationship name and the parent rows captured for it. */
export interface RestHop {
  /** Relationship name as described (`Account`, `Owner`, `Parent__r`). */
  readonly name: string;
  /** Index into the result's parent chains. */
  readonly chain: number;
}

/** One selected field of a record query, reached through `hops` (none for the object's own fields). */
export interface RestColumn {
  readonly hops: readonly RestHop[];
  readonly field: FieldDef;
  /** Address or location: the component fields and their keys in the compound object, in key order. */
  readonly components: readonly { readonly key: string; readonly field: string }[];
}

/** A column of an aggregate query: a grouped field or an aggregate, under its alias or `exprN`. */
export interface AggregateColumn {
  readonly key: string;
  /** Field whose type prints the value (MIN, MAX and grouped fields); null for counts, sums and averages. */
  readonly field: FieldDef | null;
}

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
      // REST prints datetimes with a numeric zone: 2026-11-22T14:43:08.000+0000
      return typeof v === 'number' ? isoDateTime(v).slice(0, -1) + '+0000' : v;
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
export class RestRecordsResult implements RestQueryResult {
  constructor(
    private readonly object: string,
    private readonly rows: readonly Row[],
    private readonly chains: readonly (readonly (Row | undefined)[])[],
    private readonly columns: readonly RestColumn[],
    /** The object a parent row belongs to (polymorphic relationships are resolved by the id's key prefix). */
    private readonly typeOf: (row: Row) => string,
  ) {}

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

  private value(src: Row, col: RestColumn, version: number): unknown {
    const f = col.field;
    if (col.components.length) {
      const compound: Json = {};
      let any = false;
      for (const c of col.components) {
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
