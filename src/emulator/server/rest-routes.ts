// Discovery and org endpoints: versions, resources, sobjects, describe, limits, user records, REST query.
import { parse as parseCsv } from 'csv-parse/sync';
import { compileQuery, SoqlError } from '../soql/index.js';
import { versionsJson } from '../versions.js';
import type { RequestContext } from './context.js';
import { ApiError, notFound, salesforceJson, send, sendJson } from './respond.js';

const describeCache = new WeakMap<object, Map<string, string>>();

/** The describe body as served at this version and origin (captured bodies name v48.0 and a real host). */
function servedDescribe(
  body: Readonly<Record<string, unknown>>,
  version: number,
  origin: string,
  wrap: (b: Readonly<Record<string, unknown>>) => unknown = (b) => b,
): string {
  let byKey = describeCache.get(body);
  if (!byKey) describeCache.set(body, (byKey = new Map()));
  const key = `${version}|${origin}`;
  let json = byKey.get(key);
  if (!json) {
    json = salesforceJson(wrap(body))
      .replace(/\/services\/data\/v\d+\.0\//g, `/services/data/v${version}.0/`)
      .replace(/https:\/\/[A-Za-z0-9.-]+\.salesforce\.com/g, origin);
    if (byKey.size > 8) byKey.clear();
    byKey.set(key, json);
  }
  return json;
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

/** GET /sobjects/{type}/{id}: the record as JSON with its attributes (datetimes in Salesforce's REST format). */
export function getRecord(ctx: RequestContext, v: number, name: string, id: string): void {
  const type = typeOr404(ctx, name);
  const row = ctx.emu.org.table(type.name)?.get(id);
  if (!row || row.IsDeleted === true) {
    throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
  }
  const out: Record<string, unknown> = {
    attributes: { type: type.name, url: `/services/data/v${v}.0/sobjects/${type.name}/${row.Id}` },
  };
  const wanted = ctx.query.get('fields')?.split(',').map((f) => f.trim().toLowerCase());
  for (const f of type.fields) {
    if (f.type === 'address' || f.type === 'location') continue;
    if (wanted && !wanted.includes(f.name.toLowerCase())) continue;
    const value = row[f.name] ?? null;
    out[f.name] = f.type === 'datetime' && typeof value === 'number' ? new Date(value).toISOString().replace('Z', '+0000') : value;
  }
  sendJson(ctx.req, ctx.res, 200, out);
}

export function getLimits(ctx: RequestContext): void {
  sendJson(ctx.req, ctx.res, 200, ctx.emu.usage.limitsJson());
}

/**
 * GET /query?q= (and /queryAll): the synchronous REST query, enough for tools that look up a record or probe
 * an object (an unknown type answers 400 INVALID_TYPE). Values come back as strings from the CSV rendering.
 */
export function getRestQuery(ctx: RequestContext, v: number, all: boolean): void {
  const q = ctx.query.get('q');
  if (!q) throw new ApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
  let compiled;
  try {
    compiled = compileQuery(ctx.emu.org, q, { now: ctx.emu.now });
  } catch (e) {
    if (e instanceof SoqlError) throw new ApiError(400, e.errorCode, e.message);
    throw e;
  }
  const result = compiled.execute(all);
  const limit = Math.min(result.count, 2000);
  const csv = result.page(0, Math.max(limit, 0), { columnDelimiter: 'COMMA', lineEnding: 'LF' });
  const rows: string[][] = parseCsv(csv, { relax_column_count: true });
  const header = rows.shift() ?? [];
  const records = rows.map((cells) => {
    const rec: Record<string, unknown> = { attributes: { type: compiled.object.name } };
    header.forEach((h, i) => {
      rec[h] = cells[i] === '' ? null : cells[i];
    });
    if (typeof rec.Id === 'string') {
      (rec.attributes as Record<string, string>).url = `/services/data/v${v}.0/sobjects/${compiled.object.name}/${rec.Id}`;
    }
    return rec;
  });
  sendJson(ctx.req, ctx.res, 200, { totalSize: result.count, done: limit === result.count, records });
}

export { notFound };
