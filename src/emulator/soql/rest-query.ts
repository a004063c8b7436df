// The REST `query` / `queryAll` resource's SOQL: what Bulk API 2.0 refuses (compound fields, count(),
// aggregates with GROUP BY, OFFSET) compiled and evaluated here; query/rest-records.ts prints the result.
import type { FieldDef, OrgStore, Row, SObjectType } from '../org/types.js';
import {
  AggregateRecordsResult,
  compoundKey,
  CountResult,
  RestRecordsResult,
  type AggregateColumn,
  type RestColumn,
  type RestQueryResult,
} from '../query/rest-records.js';
import { evaluateAggregate } from './aggregate.js';
import { bindQuery, Runtime, type CompileOptions, type Plan, type Resolved } from './compile.js';
import { todayUtc } from './date-literals.js';
import { SoqlError, TEXT } from './errors.js';
import { parseQuery } from './parser.js';

export interface CompiledRestQuery {
  readonly object: SObjectType;
  /** Runs the query now (`includeDeleted`: queryAll) and keeps the result as a snapshot for paging. */
  execute(includeDeleted: boolean): RestQueryResult;
}

/** Address / location components of `field` on `owner`, keyed as the compound object prints them. */
function components(owner: SObjectType, field: FieldDef): RestColumn['components'] {
  if (field.type !== 'address' && field.type !== 'location') return [];
  return owner.fields
    .filter((f) => f.compoundFieldName === field.name && f.name !== field.name)
    .map((f) => ({ key: compoundKey(field.name, f.name), field: f.name }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
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
export function compileRestQuery(store: OrgStore, soql: string, options: CompileOptions = {}): CompiledRestQuery {
  const now = options.now ?? Date.now;
  if (typeof soql !== 'string' || soql.trim() === '') throw new SoqlError('MALFORMED_QUERY', TEXT.unexpectedToken('<EOF>'));
  const plan = bindQuery(store, soql, parseQuery(soql), 'rest');
  const selection = plan.selection;
  const typeOf = (row: Row): string => (typeof row.Id === 'string' ? store.typeOfId(row.Id)?.name : undefined) ?? plan.object.name;
  const columns = selection.kind === 'records' ? restColumns(plan, selection.fields) : [];
  return {
    object: plan.object,
    execute(includeDeleted) {
      const rt = new Runtime(store, todayUtc(now()));
      if (selection.kind === 'aggregate') {
        const { rows } = plan.run(rt, includeDeleted, false);
        const groups = evaluateAggregate(selection.plan, rows, rt, plan.limit, plan.offset);
        const cols: AggregateColumn[] = selection.plan.items.map((item) => ({
          key: item.key,
          field: item.kind === 'group' ? selection.plan.groupBy[item.index].field : item.fn === 'MIN' || item.fn === 'MAX' ? item.arg!.field : null,
        }));
        return new AggregateRecordsResult(groups, cols);
      }
      const { rows, chains } = plan.run(rt, includeDeleted);
      if (selection.kind === 'count') return new CountResult(rows.length);
      return new RestRecordsResult(plan.object.name, rows, chains, columns, typeOf);
    },
  };
}
