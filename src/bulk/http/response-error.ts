// Turns an HTTP error response into a typed error. Salesforce REST/Bulk errors are a JSON array
// `[{"errorCode","message","fields"?}]`; OAuth errors are `{"error","error_description"}`; proxies send HTML.
import {
  AuthError,
  InvalidInputError,
  InvalidStateError,
  LimitExceededError,
  NotFoundError,
  PermissionError,
  ProtocolError,
  SalesforceError,
  ServerError,
  type RequestRef,
  type SalesforceErrorOptions,
} from '../errors.js';

export interface ParsedErrorBody {
  readonly errorCode: string | undefined;
  readonly message: string | undefined;
  readonly fields: readonly string[];
}

/** Reads the error envelope of any shape; never throws. */
export function parseErrorBody(body: string): ParsedErrorBody {
  const text = body.trim();
  if (text.startsWith('[') || text.startsWith('{')) {
    try {
      const json: unknown = JSON.parse(text);
      const first = Array.isArray(json) ? json[0] : json;
      if (first && typeof first === 'object') {
        const o = first as Record<string, unknown>;
        const errorCode = str(o.errorCode) ?? str(o.error) ?? str(o.exceptionCode);
        const message = str(o.message) ?? str(o.error_description) ?? str(o.exceptionMessage);
        const fields = Array.isArray(o.fields) ? o.fields.filter((f): f is string => typeof f === 'string') : [];
        if (errorCode !== undefined || message !== undefined) return { errorCode, message, fields };
      }
    } catch {
      // fall through to text
    }
  }
  const plain = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return { errorCode: undefined, message: plain ? plain.slice(0, 300) : undefined, fields: [] };
}

/** 401s that come from org policy, not expiry: refreshing the token would loop forever. */
const POLICY_401_MESSAGES = [/not valid for use with the REST API/i, /Connected app is not attached to Agent/i];

/** Whether a 401 means "get a new token and replay" (INVALID_SESSION_ID that is not an org-policy refusal). */
export function isSessionExpired(error: SalesforceError): boolean {
  if (error.status !== 401) return false;
  if (error.errorCode !== undefined && error.errorCode.toUpperCase() !== 'INVALID_SESSION_ID') return false;
  return !POLICY_401_MESSAGES.some((re) => re.test(error.message));
}

export interface ErrorResponse {
  readonly status: number;
  readonly body: string;
  readonly request: RequestRef;
  /** The token endpoint's errors get OAuth-specific advice. */
  readonly oauth?: boolean;
  readonly attempts?: number;
}

/** The typed error for a non-success response. The body must already be redacted. */
export function errorFromResponse(res: ErrorResponse): SalesforceError {
  const { status, request } = res;
  const parsed = parseErrorBody(res.body);
  const errorCode = parsed.errorCode;
  const upper = errorCode?.toUpperCase() ?? '';
  const said = parsed.message ?? `HTTP ${status}`;
  const where = `${request.method} ${request.path}`;
  const opts: SalesforceErrorOptions = { status, errorCode, request, fields: parsed.fields, attempts: res.attempts };
  const tail = ` (${where} -> ${status}${errorCode ? ` ${errorCode}` : ''})`;

  if (res.oauth) return new AuthError(`${oauthAdvice(errorCode, said)}${tail}`, opts);

  if (status === 401) {
    const policy = POLICY_401_MESSAGES.some((re) => re.test(said));
    const advice = policy
      ? 'the org refuses this session for the API; check the connected app policies and that the user has "API Enabled"'
      : 'the session is expired or invalid; re-authenticate (a bare access_token cannot be refreshed: supply a new one or configure a refreshable auth_flow)';
    return new AuthError(`${said}: ${advice}${tail}`, opts);
  }
  if (upper === 'REQUEST_LIMIT_EXCEEDED' || status === 429) {
    return new LimitExceededError(`${said}: the org's API request limit or rate limit is reached; wait or raise the limit${tail}`, opts);
  }
  if (status === 403) {
    return new PermissionError(`${said}: the user or org may not do this (${errorCode ?? 'forbidden'}); check permissions and that the API is enabled${tail}`, opts);
  }
  if (status === 404) {
    return new NotFoundError(`${said}: check the job id, object name and API version${tail}`, opts);
  }
  if (status === 409) {
    // Salesforce's one documented 409 (reference §2): results read with another API version than the job's.
    // Only that cause gets the advice; any other conflict is reported as the state error it is.
    if (/\bAPI version\b|\/jobs\/query\/[^/]+\/(results|resultPages)\b/i.test(`${said} ${request.path}`)) {
      return new InvalidInputError(`${said}: results must be read with the same API version the job was created with${tail}`, opts);
    }
    return new InvalidStateError(`${said}${tail}`, opts);
  }
  if (status >= 500) {
    return new ServerError(`Salesforce server error: ${said}${tail}`, opts);
  }
  if (upper === 'INVALIDJOBSTATE' || (upper === 'API_ERROR' && /not terminated/i.test(said))) {
    return new InvalidStateError(`${said}${tail}`, opts);
  }
  if (status === 400 || status === 405 || status === 414 || status === 415 || status === 413) {
    const fieldNote = parsed.fields.length ? ` [fields: ${parsed.fields.join(', ')}]` : '';
    return new InvalidInputError(`${said}${fieldNote}${tail}`, opts);
  }
  return new ProtocolError(`unexpected response: ${said}${tail}`, opts);
}

function oauthAdvice(error: string | undefined, description: string): string {
  const e = error ?? '';
  const d = description;
  let fix: string;
  if (e === 'invalid_client_id') fix = 'client_id is not a known connected app consumer key: check client_id';
  else if (e === 'invalid_client') fix = 'the connected app refused the client credentials: check client_secret (and client_id)';
  else if (e === 'unsupported_grant_type') fix = 'this auth_flow is not enabled for the connected app (or login_url is not the My Domain URL it needs)';
  else if (e === 'invalid_grant' && /approve/i.test(d)) fix = 'the user has not approved this connected app: pre-authorize the user (profile or permission set) for JWT';
  else if (e === 'invalid_grant' && /expired/i.test(d)) fix = 'the refresh token is expired or revoked: obtain a new refresh_token';
  else if (e === 'invalid_grant' && /(jwt|audience|assertion|signature)/i.test(d)) fix = 'the JWT assertion was refused: check private_key, client_id, username and login_url (audience)';
  else if (e === 'invalid_grant') fix = 'authentication failed: check username, password and security_token (or the refresh_token / login_url)';
  else if (e === 'invalid_request') fix = 'the token request was malformed or the flow is not allowed for this login_url';
  else fix = 'authentication failed';
  return `${fix} (Salesforce said: ${e ? `${e}: ` : ''}${d})`;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
