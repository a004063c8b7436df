// Validating RECORD messages against their stream's SCHEMA: ajv, compiled once per SCHEMA message (a stream that
// sends a new SCHEMA gets a new validator). Singer schemas are loose drafts, so ajv runs non-strict.
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { JsonSchema } from './singer-messages.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export class SchemaValidators {
  private readonly ajv: Ajv;
  private readonly byStream = new Map<string, ValidateFunction>();

  constructor() {
    this.ajv = new Ajv({ allErrors: false, strict: false, validateSchema: false, addUsedSchema: false });
    addFormats(this.ajv);
  }

  /** Compiles the stream's schema; throws with ajv's message when the schema itself is unusable. */
  set(stream: string, schema: JsonSchema): void {
    this.byStream.set(stream, this.ajv.compile(schema));
  }

  has(stream: string): boolean {
    return this.byStream.has(stream);
  }

  /** undefined when valid, else one message naming the property ("/AnnualRevenue must be number"). */
  check(stream: string, record: unknown): string | undefined {
    const v = this.byStream.get(stream);
    if (!v) throw new Error(`no schema for stream ${stream}`);
    if (v(record)) return undefined;
    const e = v.errors?.[0];
    if (!e) return 'record does not match its schema';
    const where = e.instancePath || '(record)';
    if (e.keyword === 'required') return `${where === '(record)' ? '' : `${where} `}missing required property "${(e.params as { missingProperty: string }).missingProperty}"`.trim();
    return `${where} ${e.message ?? 'is invalid'}`;
  }
}
