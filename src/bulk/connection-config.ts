// The connection configuration shared by tap and target: validated once at the edge against
// schemas/connection-config.schema.json, then handed inward as a typed, trusted value.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject } from 'ajv';
import { compiledValidator } from '../compiled-schemas.js';
import { packageRoot } from '../paths.js';
import { ConfigError } from './errors.js';

export type AuthFlow = 'client_credentials' | 'refresh_token' | 'jwt' | 'password' | 'access_token';

interface Common {
  readonly login_url: string;
  readonly instance_url?: string;
  readonly api_version?: string;
  readonly request_timeout_seconds: number;
  readonly http_max_attempts: number;
  readonly http_retry_max_elapsed_seconds: number;
  readonly poll_timeout_seconds: number;
  readonly poll_interval_max_seconds: number;
  readonly client_name: string;
}

/** The parsed configuration: one variant per auth flow, each with exactly the keys it needs. */
export type ConnectionConfig = Common &
  (
    | { readonly auth_flow: 'client_credentials'; readonly client_id: string; readonly client_secret: string }
    | { readonly auth_flow: 'refresh_token'; readonly client_id: string; readonly client_secret?: string; readonly refresh_token: string }
    | { readonly auth_flow: 'jwt'; readonly client_id: string; readonly username: string; readonly private_key: string }
    | {
        readonly auth_flow: 'password';
        readonly client_id: string;
        readonly client_secret: string;
        readonly username: string;
        readonly password: string;
        readonly security_token?: string;
      }
    | { readonly auth_flow: 'access_token'; readonly access_token: string; readonly instance_url: string }
  );

/** Config keys whose values are secrets: they are registered with the Redactor and never logged. */
export const SECRET_CONFIG_KEYS = ['client_secret', 'refresh_token', 'password', 'security_token', 'private_key', 'access_token'] as const;

/** The oldest API version this client works with (query jobs arrived in 47.0). */
export const MIN_API_VERSION = 47;

export const CONNECTION_CONFIG_SCHEMA_FILE = 'connection-config.schema.json' as const;

export function connectionConfigSchemaPath(): string {
  return join(packageRoot(), 'schemas', CONNECTION_CONFIG_SCHEMA_FILE);
}

/**
 * Validates raw configuration (parsed JSON) and returns the typed configuration. Keys other than the
 * connection's are left alone (tap and target configs carry their own). Throws ConfigError naming the key.
 */
export function parseConnectionConfig(raw: unknown): ConnectionConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('the configuration must be a JSON object');
  const data: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  // Numbers are welcome for api_version (62 or 62.0) although the schema wants the string form.
  if (typeof data.api_version === 'number') data.api_version = data.api_version.toFixed(1);
  const v = compiledValidator(CONNECTION_CONFIG_SCHEMA_FILE);
  if (!v(data)) throw configErrorFrom(v.errors ?? [], data);

  const flow = data.auth_flow as AuthFlow;
  const loginUrl = secureUrl(String(data.login_url), 'login_url').origin;
  const instanceUrl = data.instance_url === undefined ? undefined : secureUrl(String(data.instance_url), 'instance_url').origin;
  if (data.api_version !== undefined && Number(data.api_version) < MIN_API_VERSION) {
    throw new ConfigError(`config key "api_version" must be ${MIN_API_VERSION}.0 or later (Bulk API 2.0 query jobs need it); got "${String(data.api_version)}"`, 'api_version');
  }

  let privateKey: string | undefined;
  if (flow === 'jwt') {
    if (data.private_key !== undefined && data.private_key_path !== undefined) {
      throw new ConfigError('config keys "private_key" and "private_key_path" are exclusive: give one', 'private_key');
    }
    if (data.private_key_path !== undefined) {
      try {
        privateKey = readFileSync(String(data.private_key_path), 'utf8');
      } catch (e) {
        throw new ConfigError(`config key "private_key_path": cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})`, 'private_key_path');
      }
    } else if (data.private_key !== undefined) {
      privateKey = String(data.private_key).replace(/\\n/g, '\n');
    } else {
      throw new ConfigError('missing config key "private_key" or "private_key_path" (required when auth_flow is "jwt")', 'private_key');
    }
    try {
      createPrivateKey(privateKey);
    } catch {
      // Never echo the key or the parser's text (it may quote it).
      throw new ConfigError(
        `config key "${data.private_key_path !== undefined ? 'private_key_path' : 'private_key'}" is not a readable PEM private key`,
        data.private_key_path !== undefined ? 'private_key_path' : 'private_key',
      );
    }
  }

  const common = {
    login_url: loginUrl,
    ...(instanceUrl !== undefined ? { instance_url: instanceUrl } : {}),
    ...(data.api_version !== undefined ? { api_version: String(data.api_version) } : {}),
    request_timeout_seconds: data.request_timeout_seconds as number,
    http_max_attempts: data.http_max_attempts as number,
    http_retry_max_elapsed_seconds: data.http_retry_max_elapsed_seconds as number,
    poll_timeout_seconds: data.poll_timeout_seconds as number,
    poll_interval_max_seconds: data.poll_interval_max_seconds as number,
    client_name: data.client_name as string,
  };
  const s = (k: string): string => String(data[k]);
  const opt = (k: string): Record<string, string> => (data[k] === undefined || data[k] === '' ? {} : { [k]: String(data[k]) });
  switch (flow) {
    case 'client_credentials':
      return { ...common, auth_flow: flow, client_id: s('client_id'), client_secret: s('client_secret') };
    case 'refresh_token':
      return { ...common, auth_flow: flow, client_id: s('client_id'), refresh_token: s('refresh_token'), ...opt('client_secret') };
    case 'jwt':
      return { ...common, auth_flow: flow, client_id: s('client_id'), username: s('username'), private_key: privateKey! };
    case 'password':
      return {
        ...common, auth_flow: flow, client_id: s('client_id'), client_secret: s('client_secret'),
        username: s('username'), password: s('password'), ...opt('security_token'),
      };
    case 'access_token':
      return { ...common, auth_flow: flow, access_token: s('access_token'), instance_url: instanceUrl! };
  }
}

/** The secret values present in a configuration (for the Redactor). */
export function configSecrets(config: ConnectionConfig | Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const k of SECRET_CONFIG_KEYS) {
    const v = (config as Record<string, unknown>)[k];
    if (typeof v === 'string' && v !== '') out.push(v);
  }
  return out;
}

/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (/^::ffff:127\.\d+\.\d+\.\d+$/.test(h)) return true;
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(h);
  return m !== null && Number(m[1]) === 127 && m.slice(2).every((x) => Number(x) <= 255);
}

/**
 * Parses a URL that credentials will travel to: https anywhere, plain http only to a loopback host.
 * `what` names the config key (or the response field) in the error.
 */
export function secureUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`config key "${what}" is not a URL: "${value}"`, what);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:') {
    if (isLoopbackHost(url.hostname)) return url;
    throw new ConfigError(
      `config key "${what}" uses plain http:// to ${url.hostname}; credentials would travel unencrypted. Use https:// (http is allowed only for loopback hosts such as the local emulator)`,
      what,
    );
  }
  throw new ConfigError(`config key "${what}" must be an https:// URL; got ${url.protocol}`, what);
}

function configErrorFrom(errors: readonly ErrorObject[], data: Record<string, unknown>): ConfigError {
  const flow = typeof data.auth_flow === 'string' ? data.auth_flow : undefined;
  const messages: string[] = [];
  let firstKey: string | undefined;
  for (const e of errors) {
    if (e.keyword === 'if') continue; // the "then" error that follows says what is missing
    let key = e.instancePath.replace(/^\//, '').split('/')[0] || undefined;
    let msg: string;
    if (e.keyword === 'required') {
      key = String((e.params as { missingProperty: string }).missingProperty);
      msg = key === 'auth_flow'
        ? 'missing config key "auth_flow" (one of client_credentials, refresh_token, jwt, password, access_token)'
        : `missing config key "${key}" (required when auth_flow is "${flow}")`;
    } else if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ');
      msg = `config key "${key}" must be one of ${allowed}; got "${String(data[key ?? ''])}"`;
    } else if (e.keyword === 'type') {
      msg = `config key "${key}" must be ${(e.params as { type: string }).type}`;
    } else if (e.keyword === 'pattern') {
      msg = key === 'api_version'
        ? `config key "api_version" must look like "62.0"; got "${String(data.api_version)}"`
        : `config key "${key}" has an invalid format`;
    } else if (e.keyword === 'minimum' || e.keyword === 'maximum') {
      msg = `config key "${key}" ${e.message ?? 'is out of range'}`;
    } else if (e.keyword === 'minLength') {
      msg = `config key "${key}" must not be empty`;
    } else {
      msg = `config key "${key ?? '(root)'}" ${e.message ?? 'is invalid'}`;
    }
    firstKey ??= key;
    if (!messages.includes(msg)) messages.push(msg);
  }
  return new ConfigError(messages.length ? messages.join('; ') : 'invalid configuration', firstKey);
}
