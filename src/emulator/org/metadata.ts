// Typed view of describe responses: FieldDef / SObjectType built from the captured describe JSON in data/describe
// (plus this project's additions from custom-objects.ts). Loaded once per process and shared, deeply frozen.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../paths.js';
import {
  augmentStandard,
  type Captured,
  invoiceDescribe,
  invoiceGlobalEntry,
  type Raw,
  userDescribe,
} from './custom-objects.js';
import type { FieldDef, FieldType, PicklistValue, SObjectType, ValidationRule } from './types.js';

/** Objects the emulator keeps records for (every other global-list object is describe-less and table-less). */
export const TABLE_OBJECTS: readonly string[] = ['Account', 'Contact', 'Opportunity', 'Case', 'Lead', 'User', 'Invoice__c'];

const FIELD_TYPES: ReadonlySet<string> = new Set<FieldType>([
  'id', 'string', 'textarea', 'picklist', 'multipicklist', 'combobox', 'email', 'phone', 'url', 'reference', 'boolean',
  'int', 'long', 'double', 'currency', 'percent', 'date', 'datetime', 'time', 'base64', 'address', 'location',
  'anyType', 'encryptedstring', 'complexvalue', 'json',
]);

/** Where the describe captures live at runtime. */
export function describeDir(): string {
  return join(packageRoot(), 'data/describe');
}

function bool(v: unknown, dflt = false): boolean {
  return typeof v === 'boolean' ? v : dflt;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

/** Builds the typed FieldDef of one describe field entry (`raw` is kept as given). */
export function fieldDefFromDescribe(raw: Readonly<Record<string, unknown>>): FieldDef {
  // A describe captured from a newer org may name a type this emulator does not know: it is served as captured
  // and stored like anyType (text), rather than refusing the whole describe.
  const type = FIELD_TYPES.has(String(raw.type)) ? String(raw.type) : 'anyType';
  const picklistValues = Array.isArray(raw.picklistValues) ? (raw.picklistValues as PicklistValue[]) : [];
  return Object.freeze({
    name: String(raw.name),
    label: String(raw.label ?? raw.name),
    type: type as FieldType,
    length: num(raw.length),
    precision: num(raw.precision),
    scale: num(raw.scale),
    digits: num(raw.digits),
    nillable: bool(raw.nillable, true),
    createable: bool(raw.createable),
    updateable: bool(raw.updateable),
    defaultedOnCreate: bool(raw.defaultedOnCreate),
    externalId: bool(raw.externalId),
    idLookup: bool(raw.idLookup),
    unique: bool(raw.unique),
    caseSensitive: bool(raw.caseSensitive),
    calculated: bool(raw.calculated),
    custom: bool(raw.custom),
    referenceTo: Array.isArray(raw.referenceTo) ? (raw.referenceTo as string[]) : [],
    relationshipName: typeof raw.relationshipName === 'string' ? raw.relationshipName : null,
    polymorphicForeignKey: bool(raw.polymorphicForeignKey),
    compoundFieldName: typeof raw.compoundFieldName === 'string' ? raw.compoundFieldName : null,
    picklistValues,
    restrictedPicklist: bool(raw.restrictedPicklist),
    filterable: bool(raw.filterable, true),
    sortable: bool(raw.sortable, true),
    defaultValue: raw.defaultValue ?? null,
    raw,
  });
}

/** The shared, rule-independent part of an object type. */
interface TypeCore {
  readonly fields: readonly FieldDef[];
  readonly byName: ReadonlyMap<string, FieldDef>;
  readonly byRelationship: ReadonlyMap<string, FieldDef>;
  readonly describe: Readonly<Record<string, unknown>>;
  readonly globalEntry: Readonly<Record<string, unknown>>;
}

class SObjectTypeImpl implements SObjectType {
  readonly name: string;
  readonly label: string;
  readonly keyPrefix: string;
  readonly custom: boolean;
  readonly queryable: boolean;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly deletable: boolean;
  readonly fields: readonly FieldDef[];
  readonly describe: Readonly<Record<string, unknown>>;
  readonly globalEntry: Readonly<Record<string, unknown>>;

  constructor(
    private readonly core: TypeCore,
    readonly validationRules: readonly ValidationRule[],
  ) {
    const d = core.describe;
    this.name = String(d.name);
    this.label = String(d.label ?? d.name);
    this.keyPrefix = String(d.keyPrefix ?? core.globalEntry.keyPrefix ?? '');
    this.custom = bool(d.custom);
    this.queryable = bool(d.queryable, true);
    this.createable = bool(d.createable);
    this.updateable = bool(d.updateable);
    this.deletable = bool(d.deletable);
    this.fields = core.fields;
    this.describe = core.describe;
    this.globalEntry = core.globalEntry;
  }

  field(name: string): FieldDef | undefined {
    return this.core.byName.get(name.toLowerCase());
  }

  relationship(name: string): FieldDef | undefined {
    return this.core.byRelationship.get(name.toLowerCase());
  }

  /** The same type with other validation rules (metadata is shared; rules come from the seed). */
  withValidationRules(rules: readonly ValidationRule[]): SObjectType {
    return new SObjectTypeImpl(this.core, Object.freeze(rules.map((r) => Object.freeze({ ...r }))));
  }
}

/** Builds an object type from a describe body and its global-list entry. */
export function sobjectTypeFromDescribe(
  describe: Readonly<Record<string, unknown>>,
  globalEntry: Readonly<Record<string, unknown>>,
  validationRules: readonly ValidationRule[] = [],
): SObjectType {
  deepFreeze(describe);
  deepFreeze(globalEntry);
  const fields = Object.freeze(((describe.fields as Raw[]) ?? []).map((f) => fieldDefFromDescribe(f)));
  const byName = new Map<string, FieldDef>();
  const byRelationship = new Map<string, FieldDef>();
  for (const f of fields) {
    byName.set(f.name.toLowerCase(), f);
    if (f.type === 'reference' && f.relationshipName) byRelationship.set(f.relationshipName.toLowerCase(), f);
  }
  return new SObjectTypeImpl({ fields, byName, byRelationship, describe, globalEntry }, Object.freeze([...validationRules]));
}

/** The same type carrying other validation rules. */
export function withValidationRules(type: SObjectType, rules: readonly ValidationRule[]): SObjectType {
  if (type instanceof SObjectTypeImpl) return type.withValidationRules(rules);
  throw new TypeError('withValidationRules: not a metadata type');
}

/** Everything the describe endpoints serve, and the typed objects the store is built on. */
export interface OrgMetadata {
  /** Types with records, in global-list order (no validation rules). */
  readonly types: readonly SObjectType[];
  /** The global sobjects list (captured, plus Invoice__c). */
  readonly globalList: readonly Readonly<Record<string, unknown>>[];
  /** Case-insensitive. */
  type(name: string): SObjectType | undefined;
}

function readJson(dir: string, file: string): Raw {
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as Raw;
}

/** Reads the captured files of `dir`. */
export function readCaptured(dir: string = describeDir()): Captured {
  return {
    Account: readJson(dir, 'Account.json'),
    Contact: readJson(dir, 'Contact.json'),
    Opportunity: readJson(dir, 'Opportunity.json'),
    Case: readJson(dir, 'Case.json'),
    Lead: readJson(dir, 'Lead.json'),
    UserPartial: readJson(dir, 'User.partial.json'),
    sobjects: readJson(dir, 'sobjects.json'),
  };
}

const cache = new Map<string, OrgMetadata>();

/** The org metadata (captured describes + additions), built once per directory and shared. */
export function loadMetadata(dir: string = describeDir()): OrgMetadata {
  let m = cache.get(dir);
  if (!m) cache.set(dir, (m = buildMetadata(readCaptured(dir))));
  return m;
}

export function buildMetadata(c: Captured): OrgMetadata {
  const global = (c.sobjects.sobjects as Raw[]).map((e) => e);
  const inv = invoiceGlobalEntry(c);
  let i = 0;
  while (i < global.length && String(global[i].name) < 'Invoice__c') i++;
  global.splice(i, 0, inv);
  const tableNames = new Set(TABLE_OBJECTS);
  const describes = new Map<string, Raw>([
    ['Account', augmentStandard(c, 'Account')],
    ['Contact', augmentStandard(c, 'Contact')],
    ['Opportunity', augmentStandard(c, 'Opportunity')],
    ['Case', augmentStandard(c, 'Case')],
    ['Lead', augmentStandard(c, 'Lead')],
    ['User', userDescribe(c, tableNames)],
    ['Invoice__c', invoiceDescribe(c)],
  ]);
  return buildTypes(global, new Map([...describes].map(([k, d]) => [k.toLowerCase(), d])));
}

/**
 * Metadata from a global list and the describe bodies of the objects that have records (keyed by lower-case
 * name). A describe already built into a type of `reuse` keeps that type.
 */
export function buildTypes(global: readonly Raw[], describes: ReadonlyMap<string, Raw>, reuse?: OrgMetadata): OrgMetadata {
  const types: SObjectType[] = [];
  for (const entry of global) {
    const d = describes.get(String(entry.name).toLowerCase());
    if (!d) continue;
    const old = reuse?.type(String(entry.name));
    types.push(old && old.describe === d && old.globalEntry === entry ? old : sobjectTypeFromDescribe(d, entry));
  }
  const byName = new Map(types.map((t) => [t.name.toLowerCase(), t]));
  const list = Object.freeze([...global]);
  deepFreeze(list);
  return Object.freeze({
    types: Object.freeze(types),
    globalList: list,
    type: (name: string) => byName.get(name.toLowerCase()),
  });
}

/** Active picklist values of a field, in describe order. */
export function activePicklistValues(f: FieldDef): string[] {
  return f.picklistValues.filter((p) => p.active).map((p) => p.value);
}

/** The describe default of a field for a new record, or undefined when it has none. */
export function describeDefault(f: FieldDef): string | number | boolean | undefined {
  if (f.type === 'boolean') return typeof f.defaultValue === 'boolean' ? f.defaultValue : false;
  if (!f.defaultedOnCreate) return undefined;
  if (f.type === 'picklist' || f.type === 'multipicklist' || f.type === 'combobox') {
    const d = f.picklistValues.find((p) => p.defaultValue && p.active);
    if (d) return d.value;
  }
  const v = f.defaultValue;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return undefined;
}
