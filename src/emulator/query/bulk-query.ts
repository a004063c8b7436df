// A Bulk API 2.0 query job's query: planned by the SOQL engine, run into a snapshot that pages as CSV.
import type { OrgStore, SObjectType } from '../org/types.js';
import { planQuery, type CompileOptions } from '../soql/compile.js';
import { SnapshotResult, type QueryResult } from './result.js';

export interface CompiledQuery {
  /** The object queried (the job's `object`). */
  readonly object: SObjectType;
  /** Header cells as Salesforce writes them: as queried, in canonical case (`Account.Name`). */
  readonly columns: string[];
  /** Runs the query now (`includeDeleted`: queryAll) and keeps the matching rows as a snapshot. */
  execute(includeDeleted: boolean): QueryResult;
}

/** Parses, checks and plans a Bulk API 2.0 query; throws SoqlError with Salesforce's code and text. */
export function compileQuery(store: OrgStore, soql: string, options: CompileOptions = {}): CompiledQuery {
  const plan = planQuery(store, soql, options);
  return {
    object: plan.object,
    columns: plan.columns.map((c) => c.header),
    execute(includeDeleted) {
      const { rows, chains } = plan.run(includeDeleted);
      return new SnapshotResult(rows, chains, plan.columns);
    },
  };
}
