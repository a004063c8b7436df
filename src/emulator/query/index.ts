// Query results: Bulk query jobs' CSV snapshots paged by locator, and the REST query resource's JSON records.
// The SOQL engine (../soql) plans and evaluates; this folder owns what a result is and how it prints.
export { compileQuery, type CompiledQuery } from './bulk-query.js';
export type { QueryResult, PageFormat, ColumnDelimiter, LineEnding } from './result.js';
export { encodeLocator, decodeLocator } from './locator.js';
export { compileRestQuery, type CompiledRestQuery, type RestQueryResult } from './rest-records.js';
