// The parsed form of the SOQL subset. Names are as written (not yet resolved against metadata);
// every node keeps its source offset so resolution errors can point at it.

export interface Path {
  /** Segments as written, e.g. ['Account', 'Owner', 'Name']. */
  readonly segments: readonly string[];
  readonly offset: number;
  /** Source length of the whole path. */
  readonly length: number;
}

/** A name given to a selected field or aggregate (`MAX(Amount) biggest`); only aggregate queries allow them. */
export interface Alias {
  readonly name: string;
  readonly offset: number;
}

export type AggregateFunction = 'COUNT' | 'COUNT_DISTINCT' | 'SUM' | 'AVG' | 'MIN' | 'MAX';

export type SelectItem =
  /** A field, or a date function of one (`CALENDAR_YEAR(CreatedDate)`, aggregate queries only). */
  | { readonly kind: 'field'; readonly path: Path; readonly alias?: Alias; readonly fn?: string }
  | { readonly kind: 'fields'; readonly which: 'ALL' | 'STANDARD' | 'CUSTOM'; readonly offset: number }
  /** `COUNT()` has no argument; every other aggregate names one field. */
  | { readonly kind: 'aggregate'; readonly fn: AggregateFunction; readonly arg: Path | null; readonly alias?: Alias; readonly offset: number; readonly length: number };

export type Literal =
  | { readonly kind: 'string'; readonly value: string; readonly raw: string; readonly offset: number; readonly length: number }
  | { readonly kind: 'number'; readonly value: number; readonly text: string; readonly offset: number; readonly length: number }
  | { readonly kind: 'boolean'; readonly value: boolean; readonly offset: number; readonly length: number }
  | { readonly kind: 'null'; readonly offset: number; readonly length: number }
  | { readonly kind: 'date'; readonly value: string; readonly offset: number; readonly length: number }
  | { readonly kind: 'datetime'; readonly value: number; readonly text: string; readonly offset: number; readonly length: number }
  | { readonly kind: 'dateLiteral'; readonly name: string; readonly n: number; readonly offset: number; readonly length: number };

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** A field operand, optionally wrapped in a date function such as CALENDAR_YEAR(CreatedDate). */
export interface Operand {
  readonly path: Path;
  readonly fn: string | null;
  /** An aggregate as operand (HAVING COUNT(Id) > 1); `path` then stands for its position in the text. */
  readonly aggregate?: { readonly fn: AggregateFunction; readonly arg: Path | null };
}

export interface SubQuery {
  readonly query: Query;
  readonly offset: number;
}

export type Condition =
  | { readonly kind: 'and'; readonly items: readonly Condition[] }
  | { readonly kind: 'or'; readonly items: readonly Condition[] }
  | { readonly kind: 'not'; readonly item: Condition }
  | { readonly kind: 'compare'; readonly left: Operand; readonly op: CompareOp; readonly right: Literal }
  | { readonly kind: 'like'; readonly left: Operand; readonly pattern: Literal }
  | { readonly kind: 'in'; readonly left: Operand; readonly negated: boolean; readonly values: readonly Literal[] | SubQuery }
  | { readonly kind: 'includes'; readonly left: Operand; readonly negated: boolean; readonly values: readonly Literal[] };

export interface OrderItem {
  readonly path: Path;
  /** A date function of the field (aggregate queries only). */
  readonly fn?: string;
  readonly descending: boolean;
  readonly nullsLast: boolean;
}

/** Constructs Bulk API 2.0 refuses; recorded by the parser, refused after the object is known. */
export interface Unsupported {
  readonly subquery: boolean;
  readonly aggregate: boolean;
  readonly groupBy: boolean;
  readonly having: boolean;
  readonly offsetClause: boolean;
  readonly typeOf: boolean;
  /** Valid in REST SOQL, not evaluated by the emulator: `ORDER BY COUNT(Id)`, `GROUPING(f)`. */
  readonly orderByAggregate: boolean;
  readonly grouping: boolean;
  /** The first function call in the SELECT list outside aggregates and FIELDS() (toLabel, FORMAT, date functions). */
  readonly selectFunction: { readonly name: string; readonly offset: number } | null;
  /** Offset of the `(` of the first date function in the SELECT list, GROUP BY or ORDER BY (Bulk: a syntax error there). */
  readonly dateFunctionAt: number | null;
}

export interface Query {
  readonly select: readonly SelectItem[];
  readonly from: { readonly name: string; readonly offset: number; readonly alias: string | null };
  readonly where: Condition | null;
  readonly having: Condition | null;
  readonly orderBy: readonly OrderItem[];
  readonly limit: number | null;
  /** GROUP BY fields or date functions of fields (ROLLUP and CUBE are recorded in `groupByFunction`). */
  readonly groupBy: readonly { readonly path: Path; readonly fn: string | null }[];
  readonly groupByFunction: string | null;
  readonly offset: number | null;
  readonly unsupported: Unsupported;
}
