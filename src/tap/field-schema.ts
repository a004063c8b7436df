// Salesforce field types as JSON Schema, and whether a Bulk 2.0 query can select the field at all.
import type { FieldDescribe } from '../bulk/index.js';
import type { Inclusion } from '../streams/singer-catalog.js';
import type { JsonSchema } from '../streams/singer-messages.js';

export interface FieldProperty {
  readonly schema: JsonSchema;
  /** `unsupported` for fields Bulk queries refuse; `available` otherwise (the caller raises keys to `automatic`). */
  readonly inclusion: Exclude<Inclusion, 'automatic'>;
  readonly unsupportedReason?: string;
}

const TEXT_TYPES = new Set(['id', 'string', 'textarea', 'picklist', 'multipicklist', 'combobox', 'email', 'phone', 'url', 'reference', 'encryptedstring']);

const ADDRESS_PARTS: Record<string, JsonSchema> = {
  street: { type: ['null', 'string'] },
  city: { type: ['null', 'string'] },
  state: { type: ['null', 'string'] },
  stateCode: { type: ['null', 'string'] },
  postalCode: { type: ['null', 'string'] },
  country: { type: ['null', 'string'] },
  countryCode: { type: ['null', 'string'] },
  latitude: { type: ['null', 'number'] },
  longitude: { type: ['null', 'number'] },
  geocodeAccuracy: { type: ['null', 'string'] },
};

function typed(t: string, nillable: boolean, extra: JsonSchema = {}): JsonSchema {
  return { type: nillable ? ['null', t] : t, ...extra };
}

/** The property schema of one described field. Unknown future types become nullable strings. */
export function fieldProperty(f: FieldDescribe): FieldProperty {
  const n = f.nillable && f.type !== 'id';
  if (TEXT_TYPES.has(f.type)) {
    return { schema: typed('string', n, f.length > 0 && f.type !== 'multipicklist' ? { maxLength: f.length } : {}), inclusion: 'available' };
  }
  switch (f.type) {
    case 'boolean':
      return { schema: typed('boolean', n), inclusion: 'available' };
    case 'int':
    case 'long':
      return { schema: typed('integer', n), inclusion: 'available' };
    case 'double':
    case 'currency':
    case 'percent':
      return { schema: typed('number', n), inclusion: 'available' };
    case 'date':
      return { schema: typed('string', n, { format: 'date' }), inclusion: 'available' };
    case 'datetime':
      return { schema: typed('string', n, { format: 'date-time' }), inclusion: 'available' };
    case 'time':
      return { schema: typed('string', n, { format: 'time' }), inclusion: 'available' };
    case 'anyType':
      // Values of any primitive type arrive as CSV text; they are passed on as text.
      return { schema: { type: ['null', 'string', 'number', 'boolean'] }, inclusion: 'available' };
    case 'base64':
      return {
        schema: typed('string', true, { contentEncoding: 'base64' }),
        inclusion: 'unsupported',
        unsupportedReason: 'base64 fields cannot be selected in a Bulk API 2.0 query',
      };
    case 'address':
      return {
        schema: { type: ['null', 'object'], properties: ADDRESS_PARTS },
        inclusion: 'unsupported',
        unsupportedReason: 'compound address fields cannot be selected in a Bulk API 2.0 query; select their component fields',
      };
    case 'location':
      return {
        schema: { type: ['null', 'object'], properties: { latitude: ADDRESS_PARTS.latitude!, longitude: ADDRESS_PARTS.longitude! } },
        inclusion: 'unsupported',
        unsupportedReason: 'compound location fields cannot be selected in a Bulk API 2.0 query; select their Latitude and Longitude fields',
      };
    case 'complexvalue':
    case 'json':
      return { schema: {}, inclusion: 'unsupported', unsupportedReason: `${f.type} fields cannot be selected in a Bulk API 2.0 query` };
    default:
      return { schema: typed('string', true), inclusion: 'available' };
  }
}
