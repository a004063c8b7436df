// The emulator's OAuth 2.0 token endpoint, sessions and identity endpoints.
export { AuthService, JWT_BEARER_GRANT } from './auth-service.js';
export type { AuthOptions, ConnectedApp, Credentials, Flow, HttpAnswer, Session } from './types.js';
export { ACCESS_TOKEN_SHAPE } from './tokens.js';
export { OAUTH_ERRORS, type OAuthError } from './oauth-errors.js';
