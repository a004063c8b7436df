// SOQL for a window of one stream. Every name in it comes from describe (and is checked again here), never from
// catalog text, and every literal is formatted here: nothing a user wrote is pasted into the query.
import { ConnectorError } from '../streams/connector-errors.js';
import type { LastRow, WindowBounds } from './tap-state.js';

const API_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const ID = /^[A-Za-z0-9]{15,18}$/;

function name(n: string): string {
  if (!API_NAME.test(n)) throw new ConnectorError('RUN_FAILED', `"${n}" is not an API name; refusing to put it in a query`);
  return n;
}

/** A SOQL datetime literal (UTC, milliseconds). */
export function soqlInstant(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new ConnectorError('RUN_FAILED', `"${iso}" is not an instant`);
  return new Date(t).toISOString();
}

/** A field, or one relationship step to a parent field (`Account.External_Id__c`). */
function fieldName(n: string): string {
  const dot = n.indexOf('.');
  return dot === -1 ? name(n) : `${name(n.slice(0, dot))}.${name(n.slice(dot + 1))}`;
}

function idLiteral(id: string): string {
  if (!ID.test(id)) throw new ConnectorError('RUN_FAILED', `"${id}" is not a record Id`);
  return `'${id}'`;
}

export interface WindowQuery {
  readonly object: string;
  readonly fields: readonly string[];
  /** The replication key; undefined for FULL_TABLE (ordered by Id). */
  readonly replicationKey: string | undefined;
  readonly window: WindowBounds;
  /** Resume after this row (the job that served the window is gone). */
  readonly after?: LastRow;
}

/**
 * `SELECT ... WHERE rk >= start AND rk < end ORDER BY rk, Id`; after a row (rk = v, Id = id) the condition adds
 * `((rk = v AND Id > id) OR rk > v)`: no row with an equal timestamp is lost, none is written twice. A row that
 * changed since it was written has a later rk and comes back, as a changed row should.
 */
export function windowSoql(q: WindowQuery): string {
  const where: string[] = [];
  const rk = q.replicationKey === undefined ? undefined : name(q.replicationKey);
  if (rk) {
    if (q.window.start !== null) where.push(`${rk} >= ${soqlInstant(q.window.start)}`);
    if (q.window.end !== null) where.push(`${rk} < ${soqlInstant(q.window.end)}`);
    if (q.after) {
      if (q.after.replication_key_value === null) throw new ConnectorError('RUN_FAILED', 'cannot resume after a row without a replication key value');
      const v = soqlInstant(q.after.replication_key_value);
      where.push(`((${rk} = ${v} AND Id > ${idLiteral(q.after.id)}) OR ${rk} > ${v})`);
    }
  } else if (q.after) {
    where.push(`Id > ${idLiteral(q.after.id)}`);
  }
  const fields = q.fields.map(fieldName).join(', ');
  const order = rk ? `${rk} ASC, Id ASC` : 'Id ASC';
  return `SELECT ${fields} FROM ${name(q.object)}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order}`;
}

/**
 * `SELECT rk FROM X WHERE rk >= start AND rk < end ORDER BY rk ASC LIMIT 1`: the earliest replication-key value
 * in a span, one cheap REST call that spares a query job for every empty window before it.
 */
export function earliestSoql(q: Pick<WindowQuery, 'object' | 'window'> & { readonly replicationKey: string }): string {
  const rk = name(q.replicationKey);
  const where: string[] = [];
  if (q.window.start !== null) where.push(`${rk} >= ${soqlInstant(q.window.start)}`);
  if (q.window.end !== null) where.push(`${rk} < ${soqlInstant(q.window.end)}`);
  return `SELECT ${rk} FROM ${name(q.object)}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${rk} ASC LIMIT 1`;
}
