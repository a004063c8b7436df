// The REST `query` / `queryAll` resource's SOQL: what Bulk API 2.0 refuses (compound fields, count(),
// aggregates with GROUP BY, OFFSET) planned and evaluated here; query/rest-records.ts prints the outcome.
import type { FieldDef, FieldValue, OrgStore, Row, SObjectType } from '../org/types.js';
import { evaluateAggregate } from './aggregate.js';
import { bindQuery, Runtime, type CompileOptions, type Plan, type Resolved } from './compile.js';
import { todayUtc } from './date-literals.js';
import { SoqlError, TEXT } from './errors.js';
import { parseQuery } from './parser.js';

/** One selected field of a record query, reached through `hops` (none for the object's own fields). */
export interface RestColumn {
  /** Relationship names (`Account`, `Owner`, `Parent__r`) and the parent chain each one's rows are in. */
  readonly hops: readonly { readonly name: string; readonly chain: number }[];
  readonly field: FieldDef;
  /** Address or location: its component fields on the same object (`BillingCity`, …). */
  readonly components: readonly string[];
}

/** A column of an aggregate query: a grouped field or an aggregate, under its alias or `exprN`. */
export interface AggregateColumn {
  readonly key: string;
  /** Field whose type prints the value (MIN, MAX and grouped fields); null for counts, sums and averages. */
  readonly field: FieldDef | null;
}

/** What a REST query found: records (with their parents), a count, or aggregate rows. */
export type RestQueryOutcome =
  | { readonly kind: 'records'; readonly rows: readonly Row[]; readonly chains: readonly (readonly (Row | undefined)[])[]; readonly columns: readonly RestColumn[] }
  | { readonly kind: 'count'; readonly count: number }
  | { readonly kind: 'aggregate'; readonly groups: readonly (readonly FieldValue[])[]; readonly columns: readonly AggregateColumn[] };

export interface RestQueryPlan {
  readonly object: SObjectType;
  /** Runs the query now (`includeDeleted`: queryAll). */
  run(includeDeleted: boolean): RestQueryOutcome;
}

function components(owner: SObjectType, field: FieldDef): string[] {
  if (field.type !== 'address' && field.type !== 'location') return [];
  return owner.fields.filter((f) => f.compoundFieldName === field.name && f.name !== field.name).map((f) => f.name);
}

function restColumns(plan: Plan, fields: readonly Resolved[]): RestColumn[] {
  return fields.map((r) => {
    const hops: { name: string; chain: number }[] = [];
    let key = '';
    for (const hop of r.chain) {
      const name = hop.field.relationshipName!;
      key = key ? `${key}.${name}` : name;
      hops.push({ name, chain: plan.chainIndex.get(key)! });
    }
    const owner = r.chain.length ? r.chain[r.chain.length - 1].target : plan.object;
    return { hops, field: r.field, components: components(owner, r.field) };
  });
}

/** Parses, checks and plans a REST query; throws SoqlError with Salesforce's code and text. */
export function planRestQuery(store: OrgStore, soql: string, options: CompileOptions = {}): RestQueryPlan {
  const now = options.now ?? Date.now;
  if (typeof soql !== 'string' || soql.trim() === '') throw new SoqlError('MALFORMED_QUERY', TEXT.unexpectedToken('<EOF>'));
  const plan = bindQuery(store, soql, parseQuery(soql), 'rest');
  const selection = plan.selection;
  const columns = selection.kind === 'records' ? restColumns(plan, selection.fields) : [];
  return {
    object: plan.object,
    run(includeDeleted) {
      const rt = new Runtime(store, todayUtc(now()));
      if (selection.kind === 'aggregate') {
        const { rows } = plan.run(rt, includeDeleted, false);
        const agg = selection.plan;
        return {
          kind: 'aggregate',
          groups: evaluateAggregate(agg, rows, rt, plan.limit, plan.offset),
          columns: agg.items.map((item) => ({
            key: item.key,
            field: item.kind === 'group' ? agg.groupBy[item.index].field : item.fn === 'MIN' || item.fn === 'MAX' ? item.arg!.field : null,
          })),
        };
      }
      const { rows, chains } = plan.run(rt, includeDeleted);
      if (selection.kind === 'count') return { kind: 'count', count: rows.length };
      return { kind: 'records', rows, chains, columns };
    },
  };
}
