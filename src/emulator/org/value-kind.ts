// How a field's stored value behaves by type: compared (SOQL) and printed (query results) as one of a few kinds.
import type { FieldType } from './types.js';

/** How a field's stored value is compared and printed. */
export type ValueKind = 'text' | 'id' | 'multi' | 'bool' | 'int' | 'double' | 'date' | 'datetime' | 'time';

export function valueKindOf(type: FieldType): ValueKind {
  switch (type) {
    case 'id':
    case 'reference':
      return 'id';
    case 'multipicklist':
      return 'multi';
    case 'boolean':
      return 'bool';
    case 'int':
    case 'long':
      return 'int';
    case 'double':
    case 'currency':
    case 'percent':
      return 'double';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'time':
      return 'time';
    default:
      return 'text';
  }
}
