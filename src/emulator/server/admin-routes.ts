// The admin API under /__emulator/ (never under /services): reset, seed, faults, counts, request log, sessions, clock.
import { parseFaultConfig } from '../faults.js';
import { jobInfoJson } from './job-json.js';
import { SeedError } from '../org/seed.js';
import { compileQuery } from '../query/index.js';
import { SoqlError } from '../soql/index.js';
import { readJson } from './body.js';
import type { RequestContext } from './context.js';
import { ApiError, notFound, sendJson } from './respond.js';

export async function handleAdmin(ctx: RequestContext): Promise<void> {
  const { req, res, emu } = ctx;
  const sub = ctx.path.slice('/__emulator'.length) || '/';
  const method = req.method ?? 'GET';
  const ok = (value: unknown = { ok: true }) => sendJson(req, res, 200, value);

  if (sub === '/health' && method === 'GET') return ok({ ok: true, orgId: emu.org.orgId });
  if (sub === '/reset' && method === 'POST') {
    const body = (await readJsonOrEmpty(ctx)) as { seed?: string; scale?: number };
    await reseed(() => emu.reseed(body.seed ?? 'demo', body.scale));
    return ok();
  }
  if (sub === '/seed' && method === 'POST') {
    const body = await readJson(req, 512 * 1024 * 1024);
    await reseed(() => emu.reseed(body as object));
    return ok();
  }
  if (sub === '/faults') {
    if (method === 'GET') return ok(emu.faults.current);
    if (method === 'POST' || method === 'PUT') {
      try {
        emu.faults.set(parseFaultConfig(await readJson(req), 'POST /__emulator/faults'));
      } catch (e) {
        if (e instanceof ApiError) throw e;
        throw new ApiError(400, 'INVALID_FAULTS', e instanceof Error ? e.message : String(e));
      }
      return ok();
    }
    if (method === 'DELETE') {
      emu.faults.set({});
      return ok();
    }
  }
  if (sub === '/counts' && method === 'GET') {
    const counts: Record<string, { live: number; deleted: number }> = {};
    for (const type of emu.org.types()) {
      const table = emu.org.table(type.name);
      if (!table) continue;
      const live = table.count(false);
      counts[type.name] = { live, deleted: table.count(true) - live };
    }
    return ok(counts);
  }
  if (sub === '/requests') {
    if (method === 'GET') return ok(emu.log.since(Number(ctx.query.get('since') ?? 0)));
    if (method === 'DELETE') {
      emu.log.clear();
      return ok();
    }
  }
  if (sub === '/jobs' && method === 'GET') return ok(emu.jobs.all().map(jobInfoJson));
  if (sub === '/sessions/expire' && method === 'POST') {
    emu.auth.expireAll();
    return ok();
  }
  if (sub === '/clock') {
    if (method === 'POST') {
      const body = (await readJson(req)) as { advanceSeconds?: unknown };
      try {
        emu.clock.advance(typeof body?.advanceSeconds === 'number' ? body.advanceSeconds : NaN);
      } catch (e) {
        throw new ApiError(400, 'INVALID_CLOCK', (e as Error).message);
      }
    }
    if (method === 'POST' || method === 'GET') return ok({ now: new Date(emu.now()).toISOString() });
  }
  if (sub === '/refresh-tokens' && method === 'POST') return ok({ refresh_token: emu.auth.issueRefreshToken() });
  if (sub === '/query' && method === 'POST') {
    // Runs SOQL directly against the org (tests assert what landed), answering JSON rows of CSV strings.
    const body = (await readJson(req)) as { soql?: string; all?: boolean };
    if (typeof body?.soql !== 'string') throw new ApiError(400, 'MALFORMED_QUERY', 'soql is required');
    try {
      const compiled = compileQuery(emu.org, body.soql, { now: emu.now });
      const result = compiled.execute(body.all === true);
      return ok({
        count: result.count,
        csv: result.page(0, result.count, { columnDelimiter: 'COMMA', lineEnding: 'LF' }),
      });
    } catch (e) {
      if (e instanceof SoqlError) throw new ApiError(400, e.errorCode, e.message);
      throw e;
    }
  }
  throw notFound();
}

/** A seed that does not load is the caller's error (400, naming the bad key); the org stays as it was. */
async function reseed(load: () => Promise<void>): Promise<void> {
  try {
    await load();
  } catch (e) {
    if (e instanceof SeedError) throw new ApiError(400, 'INVALID_SEED', e.message);
    throw e;
  }
}

async function readJsonOrEmpty(ctx: RequestContext): Promise<unknown> {
  const len = Number(ctx.req.headers['content-length'] ?? 0);
  if (!len && !ctx.req.headers['transfer-encoding']) return {};
  return readJson(ctx.req);
}
