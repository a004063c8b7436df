// Realistic rows for any described object, from its field types alone: picklist values from the picklist,
// references to existing parent records, text within its length, numbers within precision and scale, unique and
// external-id fields unique. Deterministic: the same object, count and now give the same rows.
import { hashString, pickIndex, seededRng, type Rng } from '../rng.js';
import { activePicklistValues } from './metadata.js';
import { isStorable, type MemoryOrgStore } from './store.js';
import type { FieldDef, FieldValue, SObjectType } from './types.js';

const DAY_MS = 86_400_000;
/** Fields the platform fills in on insert. */
const SYSTEM_FIELDS = new Set(['id', 'isdeleted', 'createddate', 'createdbyid', 'lastmodifieddate', 'lastmodifiedbyid', 'systemmodstamp', 'ownerid']);
const WORDS = ['Atlas', 'Beacon', 'Cedar', 'Delta', 'Ember', 'Fjord', 'Granite', 'Harbor', 'Iris', 'Juniper', 'Kestrel', 'Lumen', 'Meridian', 'Nimbus', 'Orchard', 'Pioneer'];

/** Whether the generator writes this field (the platform, formulas and compounds fill in the rest). */
export function generatable(f: FieldDef): boolean {
  return f.createable && !f.calculated && isStorable(f) && f.type !== 'base64' && !SYSTEM_FIELDS.has(f.name.toLowerCase());
}

function text(f: FieldDef, i: number, rng: Rng, unique: boolean): string {
  const base = f.raw.nameField === true || f.name === 'Name' ? `${WORDS[pickIndex(rng, WORDS.length)]} ${f.label}` : WORDS[pickIndex(rng, WORDS.length)];
  const s = unique ? `${base} ${i + 1}` : `${base} ${pickIndex(rng, 1000)}`;
  const max = f.length > 0 ? f.length : 255;
  // Unique values keep their distinguishing number when the field is short.
  return s.length <= max ? s : unique ? `${i + 1}`.slice(-max) : s.slice(0, max);
}

function numberIn(f: FieldDef, rng: Rng): number {
  const scale = f.scale > 0 ? f.scale : 0;
  const digits = f.type === 'int' ? Math.min(9, f.digits || 9) : Math.max(1, Math.min(12, (f.precision || 18) - scale));
  const max = Math.min(10 ** digits - 1, f.type === 'percent' ? 100 : 1e9);
  const v = rng() * max;
  return f.type === 'int' ? Math.floor(v) : Math.round(v * 10 ** scale) / 10 ** scale;
}

/** A value for field `f` of row `i`, or undefined to leave it empty. `parents`: live ids per referenced object. */
function valueFor(f: FieldDef, i: number, rng: Rng, now: number, parents: (name: string) => readonly string[]): FieldValue | undefined {
  const unique = f.unique || f.externalId;
  if (!unique && f.nillable && f.type !== 'boolean' && rng() < 0.15) return undefined;
  switch (f.type) {
    case 'picklist':
    case 'combobox': {
      const values = activePicklistValues(f);
      return values.length ? values[pickIndex(rng, values.length)] : text(f, i, rng, unique);
    }
    case 'multipicklist': {
      const values = activePicklistValues(f);
      if (!values.length) return undefined;
      return values.filter(() => rng() < 0.4).join(';') || values[0];
    }
    case 'email':
      return `user${i + 1}.${pickIndex(rng, 1000)}@example.com`.slice(-Math.max(f.length, 20));
    case 'phone':
      return `(555) ${String(100 + pickIndex(rng, 900))}-${String(pickIndex(rng, 10000)).padStart(4, '0')}`;
    case 'url':
      return `https://www.example.com/${i + 1}`;
    case 'boolean':
      return rng() < 0.5;
    case 'int':
    case 'long':
    case 'double':
    case 'currency':
    case 'percent':
      return unique ? i + 1 : numberIn(f, rng);
    case 'date':
      return new Date(now - pickIndex(rng, 730) * DAY_MS).toISOString().slice(0, 10);
    case 'datetime':
      return Math.floor((now - rng() * 730 * DAY_MS) / 1000) * 1000;
    case 'time':
      return `${String(pickIndex(rng, 24)).padStart(2, '0')}:${String(pickIndex(rng, 60)).padStart(2, '0')}:00.000Z`;
    case 'reference': {
      for (const target of f.referenceTo) {
        const ids = parents(target);
        if (ids.length) return ids[pickIndex(rng, ids.length)];
      }
      return undefined;
    }
    case 'string':
    case 'textarea':
    case 'encryptedstring':
      return text(f, i, rng, unique);
    default:
      return undefined;
  }
}

/**
 * Inserts `count` generated rows of `type` into `store` at time `now`. A required reference whose parent object has
 * no records is an error naming the field.
 */
export function generateRecords(store: MemoryOrgStore, type: SObjectType, count: number, now: number): void {
  const table = store.table(type.name);
  if (!table) throw new Error(`${type.name} has no table`);
  const fields = type.fields.filter(generatable);
  const parentIds = new Map<string, string[]>();
  const parents = (name: string): readonly string[] => {
    let ids = parentIds.get(name.toLowerCase());
    if (!ids) {
      ids = [];
      for (const row of store.table(name)?.scan(false) ?? []) if (row.IsDeleted !== true) ids.push(row.Id as string);
      parentIds.set(name.toLowerCase(), ids);
    }
    return ids;
  };
  for (const f of fields) {
    if (f.type === 'reference' && !f.nillable && !f.referenceTo.some((r) => parents(r).length > 0)) {
      throw new Error(`${type.name}.${f.name} is required and references ${f.referenceTo.join(' or ')}, which has no records to point at`);
    }
  }
  const rng = seededRng(hashString(`generate:${type.name}`));
  for (let i = 0; i < count; i++) {
    const row: Record<string, FieldValue> = {};
    for (const f of fields) {
      const v = valueFor(f, i, rng, now, parents);
      if (v !== undefined) row[f.name] = v;
    }
    table.insertSeeded(row, now);
  }
}
