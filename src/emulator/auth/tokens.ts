// Token text: access tokens shaped like Salesforce session ids, refresh tokens shaped like Salesforce's.
// All entropy comes from node:crypto; nothing here is derived from a seed.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 64 symbols, so one random byte masked to 6 bits picks one uniformly. */
const OPAQUE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._';

/** Characters after the `!` of an access token (Salesforce's are 96–112). */
export const ACCESS_TOKEN_OPAQUE_LENGTH = 96;
/** Length of a refresh token (Salesforce's are 87 characters of the same alphabet). */
export const REFRESH_TOKEN_LENGTH = 87;

/** `00D` + the 15-character org id + `!` + opaque text, as clients check before use. */
export const ACCESS_TOKEN_SHAPE = /^00D[a-zA-Z0-9]{12}![A-Za-z0-9_.]+$/;

function opaque(n: number): string {
  const bytes = randomBytes(n);
  let out = '';
  for (let i = 0; i < n; i++) out += OPAQUE[bytes[i] & 63];
  return out;
}

/** A new access token for the org (18- or 15-character id). Starts like Salesforce's: `00D…!AQ…`. */
export function newAccessToken(orgId: string): string {
  return `${orgId.slice(0, 15)}!AQ${opaque(ACCESS_TOKEN_OPAQUE_LENGTH - 2)}`;
}

/** A new refresh token: Salesforce's start with `5Aep861` and carry no org id. */
export function newRefreshToken(): string {
  return `5Aep861${opaque(REFRESH_TOKEN_LENGTH - 7)}`;
}

/** Constant-time string comparison (hashes first, so lengths leak nothing either). */
export function secretEquals(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/**
 * The token response `signature`: base64 HMAC-SHA256 of `id + issued_at` keyed with the consumer secret,
 * which lets the client check that the id URL came from Salesforce.
 */
export function tokenSignature(idUrl: string, issuedAt: string, clientSecret: string): string {
  return createHmac('sha256', clientSecret).update(idUrl + issuedAt, 'utf8').digest('base64');
}
