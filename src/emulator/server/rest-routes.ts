// Discovery and org endpoints: versions, resources, sobjects, describe, limits, user records, REST query.
import { compileRestQuery, type RestQueryResult } from '../query/index.js';
import { SoqlError } from '../soql/index.js';
import { versionsJson } from '../versions.js';
import type { RequestContext } from './context.js';
import { ApiError, notFound, salesforceJson, send, sendJson } from './respond.js';

// Per body and version, the served JSON cut where the origin goes: every emulator in a process (a test file starts
// many, each on its own port) shares one serialization of each captured describe (Account's is about 160 KB, the
// global list 940 KB) instead of pretty-printing it again for each new origin.
const describeCache = new WeakMap<object, Map<number, readonly string[]>>();

/** The describe body as served at this version and origin (captured bodies name v48.0 and a real host). */
function servedDescribe(
  body: Readonly<Record<string, unknown>>,
  version: number,
  origin: string,
  wrap: (b: Readonly<Record<string, unknown>>) => unknown = (b) => b,
): string {
  let byVersion = describeCache.get(body);
  if (!byVersion) describeCache.set(body, (byVersion = new Map()));
  let parts = byVersion.get(version);
  if (!parts) {
    parts = salesforceJson(wrap(body))
      .replace(/\/services\/data\/v\d+\.0\//g, `/services/data/v${version}.0/`)
      .split(/https:\/\/[A-Za-z0-9.-]+\.salesforce\.com/);
    if (byVersion.size > 8) byVersion.clear();
    byVersion.set(version, parts);
  }
  return parts.join(origin);
}

export function getVersions(ctx: RequestContext): void {
  sendJson(ctx.req, ctx.res, 200, versionsJson());
}

export function getResources(ctx: RequestContext, v: number): void {
  const base = `/services/data/v${v}.0`;
  const names = ['tooling', 'metadata', 'eclair', 'folders', 'prechatForms', 'connect', 'chatter', 'tabs', 'appMenu',
    'quickActions', 'queryAll', 'dedupe', 'commerce', 'wave', 'iot', 'analytics', 'search', 'identity', 'composite',
    'parameterizedSearch', 'fingerprint', 'theme', 'nouns', 'event', 'serviceTemplates', 'recent', 'connect', 'licensing',
    'limits', 'process', 'async-queries', 'query', 'jobs', 'match', 'localizedvalue', 'mobile', 'emailConnect', 'consent',
    'tokenizer', 'compactLayouts', 'knowledgeManagement', 'sobjects', 'actions', 'support'];
  const body: Record<string, string> = {};
  for (const n of names) body[n] = n === 'identity' ? `${ctx.origin}/id/${ctx.emu.org.orgId}/${ctx.emu.org.user.id}` : `${base}/${n}`;
  sendJson(ctx.req, ctx.res, 200, body);
}

export function getSObjects(ctx: RequestContext, v: number): void {
  // The global list (about 900 KB) is serialized once per list and version, like describes.
  const list = ctx.emu.org.globalList();
  const json = servedDescribe(list as unknown as Readonly<Record<string, unknown>>, v, ctx.origin, (l) => ({
    encoding: 'UTF-8',
    maxBatchSize: 200,
    sobjects: l,
  }));
  send(ctx.req, ctx.res, 200, json, { 'Content-Type': 'application/json;charset=UTF-8' });
}

function typeOr404(ctx: RequestContext, name: string) {
  const type = ctx.emu.org.type(name);
  if (!type) {
    throw new ApiError(404, 'NOT_FOUND', `The requested resource does not exist`);
  }
  return type;
}

export function getDescribe(ctx: RequestContext, v: number, name: string): void {
  const type = typeOr404(ctx, name);
  send(ctx.req, ctx.res, 200, servedDescribe(type.describe, v, ctx.origin), {
    'Content-Type': 'application/json;charset=UTF-8',
  });
}

export function getSObjectBasic(ctx: RequestContext, v: number, name: string): void {
  const type = typeOr404(ctx, name);
  const json = salesforceJson({ objectDescribe: type.globalEntry, recentItems: [] }).replace(
    /\/services\/data\/v\d+\.0\//g,
    `/services/data/v${v}.0/`,
  );
  send(ctx.req, ctx.res, 200, json, { 'Content-Type': 'application/json;charset=UTF-8' });
}

/**
 * GET /sobjects/{type}/{id}[?fields=a,b]: the record as the REST query prints it (typed values, attributes,
 * address and location compounds as objects); a field that does not exist answers 400 INVALID_FIELD.
 */
export function getRecord(ctx: RequestContext, v: number, name: string, id: string): void {
  const type = typeOr404(ctx, name);
  const row = ctx.emu.org.table(type.name)?.get(id);
  if (!row || row.IsDeleted === true) {
    throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
  }
  const wanted = ctx.query.get('fields')?.split(',').map((f) => f.trim()).filter((f) => /^\w+$/.test(f));
  const fields = wanted?.length ? wanted : type.fields.map((f) => f.name);
  let compiled;
  try {
    compiled = compileRestQuery(ctx.emu.org, `SELECT ${fields.join(', ')} FROM ${type.name} WHERE Id = '${String(row.Id)}'`, { now: ctx.emu.now });
  } catch (e) {
    if (e instanceof SoqlError) throw new ApiError(400, e.errorCode, e.message);
    throw e;
  }
  sendJson(ctx.req, ctx.res, 200, compiled.execute(false).records(0, 1, v)[0]);
}

export function getLimits(ctx: RequestContext): void {
  sendJson(ctx.req, ctx.res, 200, ctx.emu.usage.limitsJson());
}

/** Records per REST query answer: `Sforce-Query-Options: batchSize=N`, 200 to 2,000, default 2,000. */
export function queryBatchSize(header: string | string[] | undefined): number {
  const m = /(?:^|[;,\s])batchSize\s*=\s*(\d+)/i.exec(Array.isArray(header) ? header.join(',') : header ?? '');
  if (!m) return 2000;
  return Math.min(2000, Math.max(200, Number(m[1])));
}

/** One answer of the REST query resource, and the cursor to the next one while records remain. */
function sendQueryPage(ctx: RequestContext, v: number, cursorId: string | undefined, result: RestQueryResult, offset: number, batchSize: number): void {
  const records = result.records(offset, batchSize, v);
  const next = offset + records.length;
  const done = next >= result.totalSize || records.length === 0;
  let id = cursorId;
  if (!done && id === undefined) id = ctx.emu.cursors.add(result, batchSize);
  if (done && id !== undefined) ctx.emu.cursors.close(id);
  sendJson(ctx.req, ctx.res, 200, {
    totalSize: result.totalSize,
    done,
    ...(done ? {} : { nextRecordsUrl: `/services/data/v${v}.0/query/${id}-${next}` }),
    records,
  });
}

/**
 * GET /query?q= (and /queryAll): the synchronous REST query as the REST API documents it: typed JSON records,
 * compound fields, count(), aggregates, OFFSET, and paging by nextRecordsUrl (src/emulator/README.md, "REST query").
 */
export function getRestQuery(ctx: RequestContext, v: number, all: boolean): void {
  const q = ctx.query.get('q');
  if (!q) throw new ApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
  let compiled;
  try {
    compiled = compileRestQuery(ctx.emu.org, q, { now: ctx.emu.now });
  } catch (e) {
    if (e instanceof SoqlError) throw new ApiError(400, e.errorCode, e.message);
    throw e;
  }
  sendQueryPage(ctx, v, undefined, compiled.execute(all), 0, queryBatchSize(ctx.req.headers['sforce-query-options']));
}

/** GET /query/<cursor>-<offset> (or /queryAll/…): the next records of an open REST query. */
export function getRestQueryMore(ctx: RequestContext, v: number, locator: string): void {
  const m = /^(01g[a-zA-Z0-9]{15})-(\d{1,10})$/.exec(locator);
  const cursor = m ? ctx.emu.cursors.get(m[1]) : undefined;
  const offset = m ? Number(m[2]) : NaN;
  if (!cursor || !(offset > 0 && offset < cursor.result.totalSize)) {
    throw new ApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
  }
  sendQueryPage(ctx, v, cursor.id, cursor.result, offset, ctx.req.headers['sforce-query-options'] ? queryBatchSize(ctx.req.headers['sforce-query-options']) : cursor.batchSize);
}

export { notFound };
