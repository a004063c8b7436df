// The emulator's OAuth 2.0 authorization server: the token endpoint (four grants), sessions with expiry,
// revocation and the identity endpoints. Pure: the HTTP server parses requests and writes the answers.
// Tokens are secrets: nothing here logs them or puts them in error text.
import { isValidId } from '../ids.js';
import { identityBody, identityDate, identityUrl, userinfoBody, type IdentityUser } from './identity.js';
import { normalizeAudience, verifyAssertion } from './jwt-assertion.js';
import { OAUTH_ERRORS, missingParameter, oauthError, tokenHeaders } from './oauth-errors.js';
import { ACCESS_TOKEN_SHAPE, newAccessToken, newRefreshToken, secretEquals, tokenSignature } from './tokens.js';
import type { AuthOptions, Flow, HttpAnswer, Session } from './types.js';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Audiences Salesforce accepts besides the org's own login URL / My Domain. */
const SALESFORCE_AUDIENCES = ['https://login.salesforce.com', 'https://test.salesforce.com'];

/** Sweep expired sessions once this many are held. */
const SWEEP_AT = 1024;

interface SessionRecord {
  readonly session: Session;
  /** The refresh token this session was obtained with (revoking it ends the session). */
  readonly refreshToken?: string;
}

export class AuthService {
  private readonly opts: AuthOptions;
  private readonly now: () => number;
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly refreshTokens = new Set<string>();
  private readonly identityUser: IdentityUser;

  constructor(opts: AuthOptions) {
    if (!/^00D[a-zA-Z0-9]{15}$/.test(opts.orgId) || !isValidId(opts.orgId)) {
      throw new RangeError('orgId must be an 18-character organization id (prefix 00D)');
    }
    if (opts.userId.length !== 18 || !isValidId(opts.userId)) throw new RangeError('userId must be an 18-character id');
    if (!(opts.tokenTtlSeconds > 0)) throw new RangeError('tokenTtlSeconds must be positive');
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    for (const t of opts.refreshTokens ?? []) if (t) this.refreshTokens.add(t);
    this.identityUser = {
      orgId: opts.orgId,
      userId: opts.userId,
      username: opts.username,
      email: opts.email,
      displayName: opts.displayName,
      lastModified: identityDate(this.now()),
    };
  }

  /** POST /services/oauth2/token. `form` is the parsed x-www-form-urlencoded body. */
  token(form: URLSearchParams, loginUrl: string, instanceUrl: string): HttpAnswer {
    const grant = form.get('grant_type');
    switch (grant) {
      case 'client_credentials':
        return this.clientCredentials(form, loginUrl, instanceUrl);
      case 'password':
        return this.password(form, loginUrl, instanceUrl);
      case 'refresh_token':
        return this.refresh(form, loginUrl, instanceUrl);
      case JWT_BEARER_GRANT:
        return this.jwtBearer(form, loginUrl, instanceUrl);
      default:
        return oauthError(OAUTH_ERRORS.unsupportedGrantType);
    }
  }

  /** Validates an Authorization header value (`Bearer <token>`, or the older `OAuth <token>`). */
  authenticate(authorization: string | undefined): Session | null {
    if (!authorization) return null;
    const m = /^\s*(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(authorization);
    if (!m) return null;
    const record = this.sessions.get(m[1]);
    if (!record) return null;
    if (this.now() >= record.session.expiresAt) {
      this.sessions.delete(m[1]);
      return null;
    }
    return record.session;
  }

  /** The 401 Salesforce sends on any REST/Bulk call with a missing, expired or invalid session. */
  invalidSessionAnswer(): HttpAnswer {
    return {
      status: 401,
      headers: { 'Content-Type': 'application/json;charset=UTF-8' },
      body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
    };
  }

  /** Ends every session now (fault injection: "session expiry"). Refresh tokens stay valid. */
  expireAll(): void {
    this.sessions.clear();
  }

  /** Issues a refresh token (admin API, tests). */
  issueRefreshToken(): string {
    const t = newRefreshToken();
    this.refreshTokens.add(t);
    return t;
  }

  /**
   * POST (or GET with query) /services/oauth2/revoke, parameter `token`. An access token ends its session;
   * a refresh token is retired together with every session obtained with it. Success: 200 with no body.
   */
  revoke(form: URLSearchParams): HttpAnswer {
    const token = form.get('token') ?? '';
    if (this.sessions.delete(token)) return { status: 200, body: undefined };
    if (this.refreshTokens.delete(token)) {
      for (const [access, record] of this.sessions) if (record.refreshToken === token) this.sessions.delete(access);
      return { status: 200, body: undefined };
    }
    if (ACCESS_TOKEN_SHAPE.test(token) || /^5Aep861[A-Za-z0-9_.]+$/.test(token)) {
      return oauthError({ error: 'invalid_token', error_description: 'invalid token' });
    }
    return oauthError({ error: 'unsupported_token_type', error_description: 'this token type is not supported' });
  }

  /**
   * GET {login}/id/<orgId>/<userId> (`kind: 'id'`) or GET /services/oauth2/userinfo (`kind: 'userinfo'`) for an
   * authenticated session. `version` is the request's `version` parameter (already resolved from `latest`);
   * without it the URL templates keep the literal `{version}`, as Salesforce's do.
   */
  identity(session: Session, loginUrl: string, instanceUrl: string, kind: 'id' | 'userinfo', version?: string): HttpAnswer {
    void session; // one user per emulated org: the session only proves who asks
    const body =
      kind === 'id'
        ? identityBody(this.identityUser, loginUrl, instanceUrl, version)
        : userinfoBody(this.identityUser, loginUrl, instanceUrl, version);
    return { status: 200, headers: { 'Content-Type': 'application/json;charset=UTF-8' }, body };
  }

  // --- grants -------------------------------------------------------------------------------------------

  private clientCredentials(form: URLSearchParams, loginUrl: string, instanceUrl: string): HttpAnswer {
    const bad = this.checkClient(form, true);
    if (bad) return bad;
    return this.issue('client_credentials', loginUrl, instanceUrl, { scope: 'api', signed: true });
  }

  private password(form: URLSearchParams, loginUrl: string, instanceUrl: string): HttpAnswer {
    const bad = this.checkClient(form, true);
    if (bad) return bad;
    const username = form.get('username');
    const password = form.get('password');
    if (!username) return missingParameter('username');
    if (!password) return missingParameter('password');
    const c = this.opts.credentials;
    // Evaluate both comparisons so a wrong username and a wrong password take the same time.
    const userOk = username.toLowerCase() === c.username.toLowerCase();
    const passOk = secretEquals(password, c.password + c.securityToken);
    if (!userOk || !passOk) return oauthError(OAUTH_ERRORS.authenticationFailure);
    return this.issue('password', loginUrl, instanceUrl, { scope: 'api', signed: true });
  }

  private refresh(form: URLSearchParams, loginUrl: string, instanceUrl: string): HttpAnswer {
    const bad = this.checkClient(form, false);
    if (bad) return bad;
    const token = form.get('refresh_token');
    if (!token) return missingParameter('refresh_token');
    if (!this.refreshTokens.has(token)) return oauthError(OAUTH_ERRORS.expiredToken);
    let refreshToken = token;
    let rotated: string | undefined;
    if (this.opts.app.rotateRefreshTokens) {
      this.refreshTokens.delete(token);
      rotated = this.issueRefreshToken();
      refreshToken = rotated;
    }
    return this.issue('refresh_token', loginUrl, instanceUrl, { scope: 'refresh_token api', signed: true, refreshToken, rotated });
  }

  private jwtBearer(form: URLSearchParams, loginUrl: string, instanceUrl: string): HttpAnswer {
    const assertion = form.get('assertion');
    if (!assertion) return missingParameter('assertion');
    const audiences = new Set([loginUrl, instanceUrl, ...SALESFORCE_AUDIENCES].map(normalizeAudience));
    const result = verifyAssertion(assertion, {
      clientId: this.opts.app.clientId,
      username: this.opts.username,
      keys: this.opts.app.jwtPublicKeys,
      audiences,
      now: this.now(),
    });
    if (!result.ok) return oauthError(result.error);
    // Salesforce's JWT bearer answer has neither `issued_at` nor `signature` (no client secret is involved).
    return this.issue('jwt_bearer', loginUrl, instanceUrl, { scope: 'api', signed: false });
  }

  /** Client authentication: unknown id first, then the secret (required, or checked only when sent). */
  private checkClient(form: URLSearchParams, secretRequired: boolean): HttpAnswer | undefined {
    const app = this.opts.app;
    const id = form.get('client_id');
    if (!id || id !== app.clientId) return oauthError(OAUTH_ERRORS.invalidClientId);
    const secret = form.get('client_secret');
    if (secret === null || secret === '') {
      return secretRequired ? oauthError(OAUTH_ERRORS.invalidClientCredentials) : undefined;
    }
    if (!secretEquals(secret, app.clientSecret)) return oauthError(OAUTH_ERRORS.invalidClientCredentials);
    return undefined;
  }

  private issue(
    flow: Flow,
    loginUrl: string,
    instanceUrl: string,
    o: { scope: string; signed: boolean; refreshToken?: string; rotated?: string },
  ): HttpAnswer {
    const issuedAt = this.now();
    const session: Session = {
      accessToken: newAccessToken(this.opts.orgId),
      issuedAt,
      expiresAt: issuedAt + this.opts.tokenTtlSeconds * 1000,
      userId: this.opts.userId,
      flow,
    };
    if (this.sessions.size >= SWEEP_AT) this.sweep(issuedAt);
    this.sessions.set(session.accessToken, { session, refreshToken: o.refreshToken });

    const id = identityUrl(loginUrl, this.opts.orgId, this.opts.userId);
    const issued = String(issuedAt);
    const body: Record<string, string> = { access_token: session.accessToken };
    if (o.rotated) body.refresh_token = o.rotated;
    if (o.signed) body.signature = tokenSignature(id, issued, this.opts.app.clientSecret);
    body.scope = o.scope;
    body.instance_url = instanceUrl.replace(/\/+$/, '');
    body.id = id;
    body.token_type = 'Bearer';
    if (o.signed) body.issued_at = issued;
    return { status: 200, headers: tokenHeaders(), body };
  }

  private sweep(now: number): void {
    for (const [token, record] of this.sessions) if (now >= record.session.expiresAt) this.sessions.delete(token);
  }
}
