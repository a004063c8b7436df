// The SOQL engine: parse, bind against the org's metadata, plan and evaluate (Bulk API 2.0 queries, REST
// queries, validation-rule conditions). Results and their printing live in ../query.
export { SoqlError } from './errors.js';
export { planQuery, compileCondition, type QueryPlan, type ResultColumn, type CompileOptions } from './compile.js';
export { planRestQuery, type RestQueryPlan, type RestQueryOutcome } from './rest-query.js';
