// OAuth 2.0 and identity endpoints, answered by the auth service.
import type { HttpAnswer } from '../auth/index.js';
import { readBody } from './body.js';
import type { RequestContext } from './context.js';
import { ApiError, notFound, send, sendJson } from './respond.js';

function answer(ctx: RequestContext, a: HttpAnswer): void {
  if (a.body === undefined) send(ctx.req, ctx.res, a.status, '', a.headers ?? {});
  else sendJson(ctx.req, ctx.res, a.status, a.body, a.headers ?? {});
}

async function form(ctx: RequestContext): Promise<URLSearchParams> {
  const raw = (await readBody(ctx.req, 64 * 1024)).toString('utf8');
  const params = new URLSearchParams(raw);
  // Parameters in the query string count too, as Salesforce accepts them there.
  for (const [k, v] of ctx.query) if (!params.has(k)) params.set(k, v);
  return params;
}

export async function handleOAuth(ctx: RequestContext): Promise<void> {
  const { req, emu, path, origin } = ctx;
  const method = req.method ?? 'GET';
  if (path === '/services/oauth2/token') {
    if (method !== 'POST') throw new ApiError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are POST`);
    return answer(ctx, emu.auth.token(await form(ctx), origin, origin));
  }
  if (path === '/services/oauth2/revoke') return answer(ctx, emu.auth.revoke(await form(ctx)));
  const bearer = req.headers.authorization ?? (ctx.query.get('oauth_token') ? `Bearer ${ctx.query.get('oauth_token')}` : undefined);
  if (path === '/services/oauth2/userinfo' || path.startsWith('/id/')) {
    const session = emu.auth.authenticate(bearer);
    if (!session) return answer(ctx, emu.auth.invalidSessionAnswer());
    if (path.startsWith('/id/')) {
      const [, , org, user] = path.split('/');
      if (!org || !user || org.slice(0, 15) !== emu.org.orgId.slice(0, 15) || user.slice(0, 15) !== session.userId.slice(0, 15)) {
        throw new ApiError(403, 'Bad_Id', 'Bad_Id');
      }
      return answer(ctx, emu.auth.identity(session, origin, origin, 'id', ctx.query.get('version') ?? undefined));
    }
    return answer(ctx, emu.auth.identity(session, origin, origin, 'userinfo', ctx.query.get('version') ?? undefined));
  }
  throw notFound();
}
