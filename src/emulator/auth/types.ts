// The emulator's OAuth 2.0 model: the connected app, the user's credentials, sessions and HTTP answers.
import type { KeyObject } from 'node:crypto';

/** The connected app (consumer) clients authenticate as. */
export interface ConnectedApp {
  /** Consumer key. Also the `iss` of JWT bearer assertions. */
  readonly clientId: string;
  /** Consumer secret. Also the key of the token response `signature`. */
  readonly clientSecret: string;
  /** Public keys (node:crypto) trusted for the JWT bearer flow: the certificate uploaded to the app. */
  readonly jwtPublicKeys: readonly KeyObject[];
  /** Refresh token rotation: a refresh_token grant returns a new refresh token and retires the one used. */
  readonly rotateRefreshTokens: boolean;
}

/** The running user's login credentials (username-password flow). */
export interface Credentials {
  readonly username: string;
  readonly password: string;
  /** Appended to the password by clients; '' = none required (trusted IP range). */
  readonly securityToken: string;
}

export interface AuthOptions {
  /** 18-character organization id (prefix 00D). */
  readonly orgId: string;
  /** 18-character id of the running user (prefix 005). */
  readonly userId: string;
  readonly username: string;
  readonly email: string;
  readonly displayName: string;
  readonly app: ConnectedApp;
  readonly credentials: Credentials;
  /** Session lifetime: an access token stops working this many seconds after it was issued. */
  readonly tokenTtlSeconds: number;
  /** Clock (epoch milliseconds). Default Date.now. */
  readonly now?: () => number;
  /**
   * Accepted for symmetry with the other emulator parts, never used for secrets: tokens always come from
   * node:crypto, so a seeded run cannot make them guessable.
   */
  readonly rng?: () => number;
  /** Refresh tokens valid from the start (e.g. from the emulator config, for refresh-token clients). */
  readonly refreshTokens?: readonly string[];
}

/** A response for the HTTP layer to write: status, extra headers, JSON body. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** A JSON value; `undefined` means an empty body. */
  readonly body: unknown;
}

/** The grant a session came from. */
export type Flow = 'client_credentials' | 'password' | 'refresh_token' | 'jwt_bearer';

export interface Session {
  readonly accessToken: string;
  /** Epoch milliseconds. */
  readonly issuedAt: number;
  /** Epoch milliseconds; the token is refused from this instant on. */
  readonly expiresAt: number;
  readonly userId: string;
  /** One of `Flow`. */
  readonly flow: Flow;
}
