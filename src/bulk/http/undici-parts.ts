// The two parts of undici the transport uses, loaded on their own. undici's index loads the whole library (fetch,
// WebSocket, caches, mocks, proxies, interceptors: 110 modules) to offer them; the Agent and the request API are 25.
// Measured on 2 cores, `tap-salesforce-bulk --about`: 0.35 -> 0.25 CPU-s; a 200-row sync 0.67 -> 0.58 (every start
// of the tap and the target pays it). undici has no "exports" map, so these files are reachable by path; the lock
// file pins the version that is tested, and every HTTP test goes through them.
import { createRequire } from 'node:module';
import type { Agent as UndiciAgent, Dispatcher } from 'undici';

const require = createRequire(import.meta.url);

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof UndiciAgent;
export type Agent = UndiciAgent;

/** undici's request API, called on a dispatcher (`undici.request` does the same after resolving its URL). */
const requestOn = require('undici/lib/api/api-request.js') as (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

export type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path'>;

/** `undici.request(url, { dispatcher, ...options })` without loading the rest of undici. */
export function request(dispatcher: Dispatcher, url: URL, options: RequestOptions): Promise<Dispatcher.ResponseData> {
  return requestOn.call(dispatcher, { ...options, origin: url.origin, path: url.pathname + url.search });
}
