// Metadata a seed brings (`objects`): describe bodies as Salesforce returns them (also as `sf sobject describe
// --json` prints them, under `result`), or a short form for a custom object that is filled in the way Salesforce
// fills in a new custom object (Id, Name, owner and audit fields, a key prefix, createable/updateable by type).
// The result replaces or adds to the base org's metadata.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import {
  capturedField,
  childRel,
  childRelKey,
  customDescribe,
  customGlobalEntry,
  customObjectFields,
  derive,
  sortedInsert,
  type Captured,
  type Raw,
} from './custom-objects.js';
import { buildTypes, readCaptured, type OrgMetadata } from './metadata.js';

/** One field of the short form: `{"name": "Amount__c", "type": "currency"}` plus optional details. */
export interface ShortField {
  readonly name: string;
  readonly type: ShortFieldType;
  readonly label?: string;
  readonly length?: number;
  readonly precision?: number;
  readonly scale?: number;
  readonly required?: boolean;
  readonly unique?: boolean;
  readonly externalId?: boolean;
  readonly picklistValues?: readonly string[];
  readonly restrictedPicklist?: boolean;
  readonly referenceTo?: string;
  readonly relationshipName?: string;
}

export type ShortFieldType =
  | 'string' | 'textarea' | 'picklist' | 'multipicklist' | 'email' | 'phone' | 'url' | 'boolean' | 'int' | 'double'
  | 'currency' | 'percent' | 'date' | 'datetime' | 'time' | 'reference';

export const SHORT_FIELD_TYPES: readonly ShortFieldType[] = [
  'string', 'textarea', 'picklist', 'multipicklist', 'email', 'phone', 'url', 'boolean', 'int', 'double', 'currency',
  'percent', 'date', 'datetime', 'time', 'reference',
];

export interface ShortObject {
  readonly name: string;
  readonly label?: string;
  readonly labelPlural?: string;
  readonly keyPrefix?: string;
  readonly fields: readonly ShortField[];
}

/** The org metadata with a seed's objects, and the names of the objects the seed described. */
export interface SeedMetadata {
  readonly metadata: OrgMetadata;
  readonly objects: readonly string[];
}

/** An entry of the seed's `objects`: a short form, a describe body (or `sf … --json` output), or a file of one. */
export type SeedObject = ShortObject | Raw;

/** A problem with one entry of `objects`, named by its JSON pointer. */
export class SeedObjectError extends Error {
  constructor(readonly at: string, message: string) {
    super(`${at}: ${message}`);
    this.name = 'SeedObjectError';
  }
}

/** The captured describe field each short-form type starts from, and what it changes for that type. */
function template(c: Captured, type: ShortFieldType): { from: Raw; with: Raw } {
  switch (type) {
    case 'string': return { from: capturedField(c.Account, 'AccountNumber'), with: {} };
    case 'textarea': return { from: capturedField(c.Account, 'Description'), with: {} };
    case 'picklist': return { from: capturedField(c.Account, 'Rating'), with: {} };
    case 'multipicklist': return { from: capturedField(c.Account, 'Rating'), with: { type: 'multipicklist', length: 4099, byteLength: 12297, groupable: false, sortable: false } };
    case 'email': return { from: capturedField(c.Contact, 'Email'), with: { idLookup: false } };
    case 'phone': return { from: capturedField(c.Account, 'Phone'), with: {} };
    case 'url': return { from: capturedField(c.Account, 'Website'), with: {} };
    case 'boolean': return { from: capturedField(c.Case, 'IsEscalated'), with: {} };
    case 'int': return { from: capturedField(c.Account, 'NumberOfEmployees'), with: {} };
    case 'double': return { from: capturedField(c.Opportunity, 'TotalOpportunityQuantity'), with: { precision: 18, scale: 0 } };
    case 'currency': return { from: capturedField(c.Opportunity, 'Amount'), with: { precision: 18, scale: 2 } };
    case 'percent': return { from: capturedField(c.Opportunity, 'Probability'), with: { precision: 3, scale: 0, defaultValue: null, defaultedOnCreate: false } };
    case 'date': return { from: capturedField(c.Contact, 'Birthdate'), with: {} };
    case 'datetime': return { from: capturedField(c.Contact, 'EmailBouncedDate'), with: {} };
    case 'time': return { from: capturedField(c.Contact, 'Birthdate'), with: { type: 'time', soapType: 'xsd:time' } };
    case 'reference': return { from: capturedField(c.Contact, 'AccountId'), with: {} };
  }
}

const TEXT_LIKE = new Set<ShortFieldType>(['string', 'textarea', 'picklist', 'multipicklist', 'email', 'phone', 'url']);
const DEFAULT_LENGTH: Partial<Record<ShortFieldType, number>> = { string: 255, textarea: 32768, picklist: 255, email: 80, phone: 40, url: 255 };

/** A custom field's describe entry from its short form (custom fields are createable and updateable). */
export function shortFieldDescribe(c: Captured, f: ShortField, at: string): Raw {
  if (!/^[A-Za-z][A-Za-z0-9_]*__c$/.test(f.name)) throw new SeedObjectError(`${at}/name`, `"${f.name}": a custom field's API name ends in __c`);
  if (!SHORT_FIELD_TYPES.includes(f.type)) {
    throw new SeedObjectError(`${at}/type`, `"${String(f.type)}" is not a field type the short form knows (${SHORT_FIELD_TYPES.join(', ')})`);
  }
  const t = template(c, f.type);
  const required = f.required === true && f.type !== 'boolean';
  const o: Raw = {
    ...t.with,
    name: f.name,
    label: f.label ?? f.name.slice(0, -3).replace(/_/g, ' '),
    custom: true,
    createable: true,
    updateable: true,
    nillable: f.type === 'boolean' ? false : !required,
    permissionable: !required,
    unique: f.unique === true,
    externalId: f.externalId === true,
    idLookup: f.externalId === true || f.unique === true,
    calculated: false,
    calculatedFormula: null,
    autoNumber: false,
  };
  if (TEXT_LIKE.has(f.type) && f.type !== 'multipicklist') {
    const length = f.length ?? DEFAULT_LENGTH[f.type] ?? 255;
    o.length = length;
    o.byteLength = length * 3;
  }
  if (f.type === 'double' || f.type === 'currency' || f.type === 'percent') {
    if (f.precision !== undefined) o.precision = f.precision;
    if (f.scale !== undefined) o.scale = f.scale;
  }
  if (f.type === 'picklist' || f.type === 'multipicklist') {
    const values = f.picklistValues ?? [];
    if (!values.length) throw new SeedObjectError(`${at}/picklistValues`, `a ${f.type} field needs its values`);
    o.picklistValues = values.map((value) => ({ active: true, defaultValue: false, label: value, validFor: null, value }));
    o.restrictedPicklist = f.restrictedPicklist === true;
  }
  if (f.type === 'reference') {
    if (!f.referenceTo) throw new SeedObjectError(`${at}/referenceTo`, 'a reference field names the object it points to');
    o.referenceTo = [f.referenceTo];
    o.relationshipName = f.relationshipName ?? `${f.name.slice(0, -3)}__r`;
    o.label = f.label ?? f.referenceTo;
    o.cascadeDelete = false;
    o.restrictedDelete = false;
  }
  return derive(t.from, o);
}

/** Key prefixes Salesforce gives custom objects start with `a`; the emulator takes the next free one after a0B. */
function nextKeyPrefix(used: Set<string>): string {
  const digits = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  for (let i = 0; i < digits.length; i++) {
    for (let j = 0; j < digits.length; j++) {
      const p = `a${digits[i]}${digits[j]}`;
      if (p > 'a0B' && !used.has(p)) return p;
    }
  }
  throw new Error('no free key prefix');
}

function isDescribeBody(o: Raw): boolean {
  return Array.isArray(o.fields) && (o.fields as Raw[]).some((f) => f && typeof f === 'object' && 'soapType' in f);
}

/** The describe body and global-list entry of one `objects` entry. */
function describeOf(c: Captured, entry: SeedObject, at: string, used: Set<string>, baseDir: string): { describe: Raw; global: Raw } {
  let o = entry as Raw;
  if (typeof o.describeFile === 'string') {
    const file = isAbsolute(o.describeFile) ? o.describeFile : resolve(baseDir, o.describeFile);
    try {
      o = JSON.parse(readFileSync(file, 'utf8')) as Raw;
    } catch (e) {
      throw new SeedObjectError(`${at}/describeFile`, `cannot read ${file}: ${(e as Error).message}`);
    }
  }
  // `sf sobject describe --json` prints {"status": 0, "result": <describe body>}
  if (o.result && typeof o.result === 'object' && !('fields' in o)) o = o.result as Raw;
  if (typeof o.name !== 'string' || !Array.isArray(o.fields)) {
    throw new SeedObjectError(at, 'an object needs a "name" and its "fields" (a describe body, or the short form)');
  }
  if (isDescribeBody(o)) {
    const describe = structuredClone(o);
    const fields = describe.fields as Raw[];
    fields.forEach((f, i) => {
      if (typeof f.name !== 'string' || typeof f.type !== 'string') throw new SeedObjectError(`${at}/fields/${i}`, 'a describe field needs "name" and "type"');
    });
    if (!fields.some((f) => f.type === 'id')) throw new SeedObjectError(`${at}/fields`, `${describe.name} has no field of type id`);
    if (typeof describe.keyPrefix !== 'string' || !/^[a-zA-Z0-9]{3}$/.test(describe.keyPrefix)) describe.keyPrefix = nextKeyPrefix(used);
    const global = derive(customGlobalEntry(c, {
      name: String(describe.name),
      label: String(describe.label ?? describe.name),
      labelPlural: String(describe.labelPlural ?? describe.label ?? describe.name),
      keyPrefix: String(describe.keyPrefix),
    }), {});
    for (const k of Object.keys(global)) if (k !== 'urls' && k in describe) global[k] = structuredClone(describe[k]);
    return { describe, global };
  }
  const s = o as unknown as ShortObject;
  if (!/^[A-Za-z][A-Za-z0-9_]*__c$/.test(s.name)) throw new SeedObjectError(`${at}/name`, `"${s.name}": the short form is for custom objects, whose API name ends in __c`);
  const keyPrefix = s.keyPrefix ?? nextKeyPrefix(used);
  if (!/^[a-zA-Z0-9]{3}$/.test(keyPrefix)) throw new SeedObjectError(`${at}/keyPrefix`, `"${keyPrefix}" is not a 3-character key prefix`);
  const label = s.label ?? s.name.slice(0, -3).replace(/_/g, ' ');
  const names = { name: s.name, label, labelPlural: s.labelPlural ?? `${label}s`, keyPrefix };
  const seen = new Set<string>();
  const custom = s.fields.map((f, i) => {
    if (seen.has(f.name?.toLowerCase())) throw new SeedObjectError(`${at}/fields/${i}/name`, `duplicate field "${f.name}"`);
    seen.add(f.name?.toLowerCase());
    return shortFieldDescribe(c, f, `${at}/fields/${i}`);
  });
  return { describe: customDescribe(c, names, customObjectFields(c, names, custom)), global: customGlobalEntry(c, names) };
}

/**
 * A parent lists the relationships of its children: each reference field of an added object becomes a child
 * relationship of the object it points to (named from the child's plural label, as Salesforce names a new custom
 * lookup's), unless the parent already lists it.
 */
function addChildRelationships(describes: Map<string, Raw>, added: readonly Raw[]): void {
  for (const child of added) {
    const plural = String(child.labelPlural ?? child.label ?? child.name).replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '');
    for (const f of child.fields as Raw[]) {
      if (f.type !== 'reference' || !Array.isArray(f.referenceTo)) continue;
      for (const target of f.referenceTo as string[]) {
        const parent = describes.get(target.toLowerCase());
        if (!parent || !Array.isArray(parent.childRelationships)) continue;
        const rels = parent.childRelationships as Raw[];
        if (rels.some((r) => r.childSObject === child.name && r.field === f.name)) continue;
        const copy = Object.isFrozen(parent) ? structuredClone(parent) : parent;
        const list = [...(copy.childRelationships as Raw[])];
        sortedInsert(list, childRel(String(child.name), String(f.name), f.custom === true ? `${plural}__r` : null), childRelKey);
        copy.childRelationships = list;
        describes.set(target.toLowerCase(), copy);
      }
    }
  }
}

/**
 * `base` with the seed's objects: a describe of an object the base org has replaces it, any other is added.
 * `baseDir` resolves `describeFile` paths (the seed file's folder).
 */
export function metadataWithObjects(base: OrgMetadata, objects: readonly SeedObject[], baseDir: string): SeedMetadata {
  const c = readCaptured();
  const used = new Set<string>(base.globalList.map((e) => String(e.keyPrefix ?? '')));
  const describes = new Map<string, Raw>(base.types.map((t) => [t.name.toLowerCase(), t.describe as Raw]));
  const global = [...base.globalList] as Raw[];
  const added: Raw[] = [];
  objects.forEach((entry, i) => {
    const { describe, global: g } = describeOf(c, entry, `/objects/${i}`, used, baseDir);
    const name = String(describe.name);
    const replaced = base.type(name);
    if (replaced && describe.keyPrefix !== replaced.keyPrefix) used.delete(replaced.keyPrefix);
    if (!replaced && used.has(String(describe.keyPrefix))) {
      throw new SeedObjectError(`/objects/${i}`, `key prefix ${String(describe.keyPrefix)} of ${name} is already another object's`);
    }
    used.add(String(describe.keyPrefix));
    describes.set(name.toLowerCase(), describe);
    added.push(describe);
    const at = global.findIndex((e) => String(e.name).toLowerCase() === name.toLowerCase());
    if (at >= 0) global[at] = g;
    else {
      let k = 0;
      while (k < global.length && String(global[k].name) < name) k++;
      global.splice(k, 0, g);
    }
  });
  addChildRelationships(describes, added);
  try {
    return { metadata: buildTypes(global, describes, base), objects: added.map((d) => String(d.name)) };
  } catch (e) {
    throw new SeedObjectError('/objects', (e as Error).message);
  }
}
