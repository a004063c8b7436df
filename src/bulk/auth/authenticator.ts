// OAuth 2.0 against {login_url}/services/oauth2/token for the five configured flows, with single-flight
// re-authentication (many requests that see the same expired token cause one token request).
import { createSign } from 'node:crypto';
import { abortReason } from '../abortable-sleep.js';
import type { ConnectionConfig } from '../connection-config.js';
import { secureUrl } from '../connection-config.js';
import { AuthError, ConfigError, ProtocolError } from '../errors.js';
import { readJson, type HttpTransport } from '../http/transport.js';
import type { Logger } from '../log.js';

/** What a token request yields. */
export interface AccessGrant {
  readonly accessToken: string;
  readonly instanceUrl: URL;
  /** The identity URL `{login}/id/<orgId>/<userId>`, when the flow returns one. */
  readonly identityUrl?: string;
  readonly userId?: string;
  readonly orgId?: string;
  /** Counts grants, so a caller can tell whether the token changed. */
  readonly generation: number;
}

interface TokenResponse {
  access_token?: unknown;
  instance_url?: unknown;
  id?: unknown;
  refresh_token?: unknown;
  token_type?: unknown;
}

/** The JWT bearer assertion lives this long (Salesforce accepts at most 3 minutes). */
const JWT_LIFETIME_SECONDS = 170;

export class Authenticator {
  private grant: AccessGrant | undefined;
  private pending: Promise<AccessGrant> | undefined;
  private generation = 0;
  private refreshToken: string | undefined;

  constructor(
    private readonly config: ConnectionConfig,
    private readonly transport: HttpTransport,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    if (config.auth_flow === 'refresh_token') this.refreshToken = config.refresh_token;
  }

  /** Whether a new token can be obtained without the user (false for a bare access_token). */
  get canRefresh(): boolean {
    return this.config.auth_flow !== 'access_token';
  }

  get flow(): ConnectionConfig['auth_flow'] {
    return this.config.auth_flow;
  }

  /** The latest refresh token (changes when the org rotates refresh tokens). */
  get currentRefreshToken(): string | undefined {
    return this.refreshToken;
  }

  /** The grant in use, if any (no request made). */
  get latest(): AccessGrant | undefined {
    return this.grant;
  }

  /** The current grant, authenticating first if there is none. */
  async current(signal?: AbortSignal): Promise<AccessGrant> {
    if (this.grant) return this.grant;
    return this.obtain(signal);
  }

  /**
   * A new grant because `stale` was refused. If another caller already replaced `stale`, its
   * replacement is returned and no token request is made.
   */
  async refresh(stale: AccessGrant, signal?: AbortSignal): Promise<AccessGrant> {
    if (this.grant && this.grant.generation !== stale.generation) return this.grant;
    if (!this.canRefresh) {
      throw new AuthError(
        'the access token is expired or invalid, and auth_flow "access_token" cannot obtain a new one: supply a fresh access_token, or configure client_credentials, refresh_token, jwt or password',
        { status: 401, errorCode: 'INVALID_SESSION_ID' },
      );
    }
    if (this.grant === stale) this.grant = undefined;
    this.logger.log('info', `session expired; re-authenticating (${this.config.auth_flow})`);
    return this.obtain(signal);
  }

  /**
   * One token request shared by every caller that needs a grant now. It runs without any one caller's
   * signal (it is bounded by the HTTP timeouts and retry limits), so a caller that gives up only stops
   * its own wait and never fails the others.
   */
  private obtain(signal?: AbortSignal): Promise<AccessGrant> {
    if (!this.pending) {
      this.pending = this.request(undefined).then(
        (g) => {
          this.grant = g;
          this.pending = undefined;
          return g;
        },
        (e: unknown) => {
          this.pending = undefined;
          throw e;
        },
      );
    }
    return signal ? untilAborted(this.pending, signal) : this.pending;
  }

  private async request(signal?: AbortSignal): Promise<AccessGrant> {
    const c = this.config;
    if (c.auth_flow === 'access_token') {
      this.transport.redactor.add(c.access_token);
      return { accessToken: c.access_token, instanceUrl: new URL(c.instance_url), generation: ++this.generation };
    }
    const form = new URLSearchParams();
    switch (c.auth_flow) {
      case 'client_credentials':
        form.set('grant_type', 'client_credentials');
        form.set('client_id', c.client_id);
        form.set('client_secret', c.client_secret);
        break;
      case 'refresh_token':
        form.set('grant_type', 'refresh_token');
        form.set('client_id', c.client_id);
        if (c.client_secret !== undefined) form.set('client_secret', c.client_secret);
        form.set('refresh_token', this.refreshToken ?? c.refresh_token);
        break;
      case 'jwt': {
        const assertion = signJwtAssertion({
          clientId: c.client_id,
          username: c.username,
          audience: c.login_url,
          privateKey: c.private_key,
          nowSeconds: Math.floor(this.now() / 1000),
        });
        this.transport.redactor.add(assertion);
        form.set('grant_type', 'urn:ietf:params:oauth:grant-type:jwt-bearer');
        form.set('assertion', assertion);
        break;
      }
      case 'password':
        form.set('grant_type', 'password');
        form.set('client_id', c.client_id);
        form.set('client_secret', c.client_secret);
        form.set('username', c.username);
        form.set('password', c.password + (c.security_token ?? ''));
        break;
    }
    const url = new URL('/services/oauth2/token', c.login_url);
    const ref = { method: 'POST', path: url.pathname };
    const res = await this.transport.send({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      // A token request has no lasting effect worth protecting: retrying it is safe.
      idempotent: true,
      oauth: true,
      signal,
    });
    const body = await readJson<TokenResponse>(res, ref, this.transport.redactor);
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw new ProtocolError('the token response carries no access_token', { request: ref, status: res.status });
    }
    this.transport.redactor.add(body.access_token);
    if (typeof body.refresh_token === 'string' && body.refresh_token !== '') {
      this.transport.redactor.add(body.refresh_token);
      if (c.auth_flow === 'refresh_token' && body.refresh_token !== this.refreshToken) {
        this.logger.log('info', 'the org rotated the refresh token; using the new one for this run');
        this.refreshToken = body.refresh_token;
      }
    }
    let instanceUrl: URL;
    if (c.instance_url !== undefined) instanceUrl = new URL(c.instance_url);
    else if (typeof body.instance_url === 'string') {
      try {
        instanceUrl = new URL(secureUrl(body.instance_url, 'instance_url').origin);
      } catch (e) {
        if (e instanceof ConfigError) {
          throw new AuthError(`the token response names an instance_url that is not https (${body.instance_url}); refusing to send the token there`, { request: ref });
        }
        throw e;
      }
    } else throw new ProtocolError('the token response carries no instance_url; set the instance_url config key', { request: ref });
    const identityUrl = typeof body.id === 'string' ? body.id : undefined;
    const ids = identityUrl ? /\/id\/([A-Za-z0-9]{15,18})\/([A-Za-z0-9]{15,18})\/?$/.exec(identityUrl) : null;
    this.logger.log('debug', `authenticated (${c.auth_flow}); instance ${instanceUrl.origin}`);
    return {
      accessToken: body.access_token,
      instanceUrl,
      ...(identityUrl ? { identityUrl } : {}),
      ...(ids ? { orgId: ids[1], userId: ids[2] } : {}),
      generation: ++this.generation,
    };
  }
}

export interface JwtAssertionInput {
  readonly clientId: string;
  readonly username: string;
  readonly audience: string;
  readonly privateKey: string;
  readonly nowSeconds: number;
}

/** An RS256-signed JWT bearer assertion: iss = client id, sub = username, aud = login URL, exp ≤ 3 minutes. */
export function signJwtAssertion(input: JwtAssertionInput): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = b64url(
    JSON.stringify({ iss: input.clientId, sub: input.username, aud: input.audience, exp: input.nowSeconds + JWT_LIFETIME_SECONDS }),
  );
  const signer = createSign('RSA-SHA256');
  signer.update(`${header}.${claims}`);
  let signature: Buffer;
  try {
    signature = signer.sign(input.privateKey);
  } catch {
    throw new ConfigError('the JWT private key cannot sign (is it an RSA private key?)', 'private_key');
  }
  return `${header}.${claims}.${signature.toString('base64url')}`;
}

function b64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}


/** `p`, or the caller's abort if that comes first (the shared work goes on for the others). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
