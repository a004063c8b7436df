// The SOQL subset of Bulk API 2.0 query jobs: compile a query against the org, run it into a
// snapshot, and page its CSV by locator.
export { SoqlError } from './errors.js';
export { compileQuery, compileCondition, type CompiledQuery } from './compile.js';
export type { QueryResult, PageFormat, ColumnDelimiter, LineEnding } from '../query/result.js';
export { encodeLocator, decodeLocator } from '../query/locator.js';
