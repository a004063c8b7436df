// Reading a connector's JSON config file and validating it against its JSON Schema (compiled at build time:
// compiled-schemas.ts), with one message that names each bad key. Connection keys are validated by the Bulk client
// (parseConnectionConfig); a connector's schema lists its own keys, so one file can serve both tap and target.
import { readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
import { compiledValidator, type CompiledSchemaFile } from '../compiled-schemas.js';
import { ConnectorError, type ConnectorErrorCode } from './connector-errors.js';

/** Reads and parses a JSON file; `what` names it in errors ("config file", "catalog", "state file"). */
export function readJsonFile(path: string, what: string, code: ConnectorErrorCode = 'INPUT_INVALID'): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConnectorError(code, `cannot read the ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { where: path });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ConnectorError(code, `the ${what} ${path} is not valid JSON: ${(e as Error).message}`, { where: path });
  }
}

/**
 * A checker for `schemas/<schemaFile>` that fills defaults in place (on a copy) and throws
 * ConnectorError(CONFIG_INVALID) naming every bad key.
 */
export function configValidator<T>(schemaFile: CompiledSchemaFile): (raw: unknown) => T {
  return (raw: unknown): T => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new ConnectorError('CONFIG_INVALID', 'the configuration must be a JSON object');
    }
    const validate = compiledValidator(schemaFile);
    const data = structuredClone(raw) as Record<string, unknown>;
    if (!validate(data)) {
      const [message, key] = describeErrors(validate.errors ?? []);
      throw new ConnectorError('CONFIG_INVALID', message, key === undefined ? {} : { where: key });
    }
    return data as T;
  };
}

/** "config key \"streams.Account.operation\" must be one of ...": a path with dots, the way users write keys. */
function describeErrors(errors: readonly ErrorObject[]): [string, string | undefined] {
  const messages: string[] = [];
  let first: string | undefined;
  for (const e of errors) {
    if (e.keyword === 'if') continue;
    const parts = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (e.keyword === 'required') parts.push(String((e.params as { missingProperty: string }).missingProperty));
    if (e.keyword === 'additionalProperties') parts.push(String((e.params as { additionalProperty: string }).additionalProperty));
    const key = parts.join('.') || '(root)';
    let msg: string;
    switch (e.keyword) {
      case 'required':
        msg = `missing config key "${key}"`;
        break;
      case 'additionalProperties':
        msg = `unknown config key "${key}"`;
        break;
      case 'enum':
        msg = `config key "${key}" must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      case 'type':
        msg = `config key "${key}" must be ${(e.params as { type: string }).type}`;
        break;
      default:
        msg = `config key "${key}" ${e.message ?? 'is invalid'}`;
    }
    first ??= key;
    if (!messages.includes(msg)) messages.push(msg);
  }
  return [messages.length ? messages.join('; ') : 'invalid configuration', first];
}
