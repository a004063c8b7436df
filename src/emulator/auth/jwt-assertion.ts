// Verification of a JWT bearer assertion (RFC 7523) the way Salesforce's token endpoint checks it.
import { verify, type KeyObject } from 'node:crypto';
import { OAUTH_ERRORS, type OAuthError } from './oauth-errors.js';

/** Salesforce wants `exp` at most 3 minutes ahead. */
export const MAX_EXP_AHEAD_MS = 3 * 60_000;
/** Leeway for clocks and for clients that use 5 minutes (common in published examples). */
export const CLOCK_SKEW_MS = 5 * 60_000;

export interface AssertionContext {
  readonly clientId: string;
  readonly username: string;
  readonly keys: readonly KeyObject[];
  /** Accepted `aud` values, normalized with `normalizeAudience`. */
  readonly audiences: ReadonlySet<string>;
  /** Epoch milliseconds. */
  readonly now: number;
}

export type AssertionResult = { readonly ok: true; readonly sub: string } | { readonly ok: false; readonly error: OAuthError };

/** Lower-cased, without trailing slashes: `https://Login.salesforce.com/` → `https://login.salesforce.com`. */
export function normalizeAudience(url: string): string {
  return url.trim().replace(/\/+$/, '').toLowerCase();
}

// base64url, with the padding some published examples (and Salesforce's own walkthrough) leave on.
const SEGMENT = /^[A-Za-z0-9_-]+={0,2}$/;

function decodeJson(segment: string): Record<string, unknown> | undefined {
  if (!SEGMENT.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment.replace(/=+$/, ''), 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** NumericDate (seconds); Salesforce's walkthrough sends it as a string of digits, so accept that too. */
function numericDate(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v)) return Number(v);
  return undefined;
}

function fail(error: OAuthError): AssertionResult {
  return { ok: false, error };
}

export function verifyAssertion(assertion: string, ctx: AssertionContext): AssertionResult {
  const parts = assertion.split('.');
  if (parts.length !== 3) return fail(OAUTH_ERRORS.invalidAssertion);
  const [h, p, s] = parts;
  const header = decodeJson(h);
  const claims = decodeJson(p);
  if (!header || !claims) return fail(OAUTH_ERRORS.invalidAssertion);
  // Only RS256: `none` (unsigned) and HS256 (a symmetric key nobody shared) are refused.
  if (header.alg !== 'RS256') return fail(OAUTH_ERRORS.invalidAssertion);

  // The app is found by `iss` before its certificate can check the signature.
  if (typeof claims.iss !== 'string' || claims.iss !== ctx.clientId) return fail(OAUTH_ERRORS.invalidClientId);

  if (!SEGMENT.test(s)) return fail(OAUTH_ERRORS.invalidAssertion);
  const signature = Buffer.from(s.replace(/=+$/, ''), 'base64url');
  const signed = Buffer.from(`${h}.${p}`, 'ascii');
  const trusted = ctx.keys.some((key) => {
    try {
      return verify('RSA-SHA256', signed, key, signature);
    } catch {
      return false; // not an RSA public key, or unusable
    }
  });
  if (!trusted) return fail(OAUTH_ERRORS.invalidAssertion);

  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.some((a) => typeof a === 'string' && ctx.audiences.has(normalizeAudience(a)))) {
    return fail(OAUTH_ERRORS.audienceInvalid);
  }

  const exp = numericDate(claims.exp);
  if (exp === undefined) return fail(OAUTH_ERRORS.invalidAssertion);
  const expMs = exp * 1000;
  if (expMs <= ctx.now) return fail(OAUTH_ERRORS.assertionExpired);
  if (expMs > ctx.now + MAX_EXP_AHEAD_MS + CLOCK_SKEW_MS) return fail(OAUTH_ERRORS.invalidAssertion);
  if (claims.nbf !== undefined) {
    const nbf = numericDate(claims.nbf);
    if (nbf === undefined || nbf * 1000 > ctx.now + CLOCK_SKEW_MS) return fail(OAUTH_ERRORS.invalidAssertion);
  }

  // Usernames are case-insensitive in Salesforce.
  if (typeof claims.sub !== 'string' || claims.sub.toLowerCase() !== ctx.username.toLowerCase()) {
    return fail(OAUTH_ERRORS.notApproved);
  }
  return { ok: true, sub: claims.sub };
}
