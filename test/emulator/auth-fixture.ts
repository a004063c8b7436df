// An AuthService for unit tests of the OAuth module: one org and user, an injectable clock, overrides per file.
import { AuthService, type AuthOptions } from '../../src/emulator/auth/index.js';
import { makeId, to18 } from '../../src/emulator/ids.js';

export const ORG = to18('00D5g000004ABCD');
export const USER = makeId('005', 7);
export const LOGIN = 'http://127.0.0.1:8787';

export interface AuthFixtureOptions extends Partial<Omit<AuthOptions, 'app' | 'credentials'>> {
  readonly app?: Partial<AuthOptions['app']>;
  readonly credentials?: Partial<AuthOptions['credentials']>;
}

export function authService(o: AuthFixtureOptions = {}): { auth: AuthService; clock: { now: number } } {
  const clock = { now: 1_700_000_000_000 };
  const { app, credentials, ...rest } = o;
  const username = rest.username ?? 'admin@emulator.example';
  const auth = new AuthService({
    orgId: ORG,
    userId: USER,
    username,
    email: 'admin@example.com',
    displayName: 'Ada Admin',
    tokenTtlSeconds: 60,
    now: () => clock.now,
    ...rest,
    app: { clientId: 'cid', clientSecret: 'csecret', jwtPublicKeys: [], rotateRefreshTokens: false, ...app },
    credentials: { username, password: 'pw', securityToken: '', ...credentials },
  });
  return { auth, clock };
}
