// The token endpoint's error answers: `{error, error_description}` pairs as Salesforce sends them.
import type { HttpAnswer } from './types.js';

export interface OAuthError {
  readonly error: string;
  readonly error_description: string;
}

/** Pairs captured from real orgs or shown in Salesforce's documentation. */
export const OAUTH_ERRORS = {
  /** Wrong username, password or security token (also an unknown user). */
  authenticationFailure: { error: 'invalid_grant', error_description: 'authentication failure' },
  /** Unknown or missing client_id (consumer key), or a JWT whose `iss` is not one. */
  invalidClientId: { error: 'invalid_client_id', error_description: 'client identifier invalid' },
  /** Wrong or missing client_secret. */
  invalidClientCredentials: { error: 'invalid_client', error_description: 'invalid client credentials' },
  /** Missing or unknown grant_type. */
  unsupportedGrantType: { error: 'unsupported_grant_type', error_description: 'grant type not supported' },
  /** Unknown, rotated-out or revoked refresh token. */
  expiredToken: { error: 'invalid_grant', error_description: 'expired access/refresh token' },
  /** JWT: malformed, unsigned, wrong algorithm, bad signature or bad claims. */
  invalidAssertion: { error: 'invalid_grant', error_description: 'invalid assertion' },
  /** JWT: `aud` is not the login URL (nor login/test.salesforce.com). */
  audienceInvalid: { error: 'invalid_grant', error_description: 'audience is invalid' },
  /** JWT: `exp` is in the past (Salesforce words it as for authorization codes). */
  assertionExpired: { error: 'invalid_grant', error_description: 'expired authorization code' },
  /** JWT: `sub` is not a user who approved (or was pre-authorized for) the app. */
  notApproved: { error: 'invalid_grant', error_description: "user hasn't approved this consumer" },
} as const satisfies Record<string, OAuthError>;

/** Headers of every token endpoint answer (Cache-Control as captured from login.salesforce.com). */
export function tokenHeaders(): Record<string, string> {
  return {
    'Content-Type': 'application/json;charset=UTF-8',
    'Cache-Control': 'no-cache,must-revalidate,max-age=0,no-store,private',
    Expires: 'Thu, 01 Jan 1970 00:00:00 GMT',
  };
}

export function oauthError(e: OAuthError, status = 400): HttpAnswer {
  return { status, headers: tokenHeaders(), body: { error: e.error, error_description: e.error_description } };
}

/** A required form field is absent or empty (RFC 6749 §5.2 `invalid_request`). */
export function missingParameter(name: string): HttpAnswer {
  return oauthError({ error: 'invalid_request', error_description: `missing required parameter: ${name}` });
}
