// Seeds: the org the emulator starts with. Built-in "demo" and "empty", or a JSON file validated against
// schemas/emulator-seed.schema.json (then checked against the org's metadata: objects, fields, values, references).
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ErrorObject } from 'ajv';
import { compiledValidator } from '../../compiled-schemas.js';
import {
  createDemoOrg,
  DEMO_OBJECTS,
  DEMO_SETTINGS,
  DEMO_USER,
  DEMO_VALIDATION_RULES,
  demoCounts,
  generateDemoRecords,
} from './demo-org.js';
import { loadMetadata, type OrgMetadata } from './metadata.js';
import { generateRecords } from './record-generator.js';
import { metadataWithObjects, SeedObjectError, type SeedMetadata, type SeedObject } from './seed-objects.js';
import {
  createOrgStore,
  DEFAULT_SETTINGS,
  isStorable,
  type MemoryOrgStore,
  normalizeId,
  type RunningUserSpec,
  StoreError,
  userDefaults,
} from './store.js';
import type { FieldDef, FieldValue, OrgSettings, SObjectType, ValidationRule } from './types.js';
import { compileValidationRule } from './validation-rules.js';

// ---------------------------------------------------------------------------------------------------------------
// The seed file format (see the schema for the documentation of every key)

export interface SeedReference {
  readonly ref: string;
  readonly [field: string]: string | number;
}
export type SeedValue = string | number | boolean | null | SeedReference;

export interface SeedFile {
  readonly $schema?: string;
  readonly description?: string;
  readonly base?: 'empty' | 'demo';
  readonly settings?: {
    readonly hardDeleteAllowed?: boolean;
    readonly allocations?: Partial<Omit<OrgSettings, 'hardDeleteAllowed'>>;
  };
  readonly user?: RunningUserSpec;
  readonly validationRules?: Readonly<Record<string, readonly (Omit<ValidationRule, 'active'> & { active?: boolean })[]>>;
  /** Objects the seed describes: replacing the base org's describe of the same name, or added to it. */
  readonly objects?: readonly SeedObject[];
  readonly generate?: Readonly<Record<string, number>>;
  readonly records?: Readonly<Record<string, readonly Readonly<Record<string, SeedValue>>[]>>;
}

export interface LoadSeedOptions {
  /** Multiplies generated record counts (default 1). */
  readonly scale?: number;
  /** The seed's "now" (epoch ms): timestamps of generated and explicit records (default: the current time). */
  readonly now?: number;
  /** Folder that `describeFile` paths are relative to (default: the seed file's folder, else the working directory). */
  readonly baseDir?: string;
}

/** A seed that cannot be loaded; `errors` name the JSON path of each problem (`/records/Account/3/Name: ...`). */
export class SeedError extends Error {
  constructor(
    readonly source: string,
    readonly errors: readonly string[],
  ) {
    super(`invalid seed ${source}:\n  ${errors.join('\n  ')}`);
    this.name = 'SeedError';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

const schemaValidator = () => compiledValidator('emulator-seed.schema.json');

function formatAjvError(e: ErrorObject): string {
  const at = e.instancePath || '/';
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `${at}: unknown key "${String(p.additionalProperty)}"`;
    case 'required':
      return `${at}: missing required key "${String(p.missingProperty)}"`;
    case 'enum':
      return `${at}: must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'propertyNames':
      return `${at}: bad name "${String(p.propertyName)}"`;
    default:
      return `${at}: ${e.message ?? e.keyword}`;
  }
}

function ptr(...parts: (string | number)[]): string {
  return '/' + parts.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

const TEXT = new Set(['id', 'string', 'textarea', 'picklist', 'multipicklist', 'combobox', 'email', 'phone', 'url', 'encryptedstring', 'base64']);
const NUMBER = new Set(['int', 'long', 'double', 'currency', 'percent']);
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})$/;

function validDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Epoch ms of a Salesforce datetime string, or undefined. */
export function parseDateTime(s: string): number | undefined {
  const m = DATETIME.exec(s);
  if (!m || !validDate(s.slice(0, 10))) return undefined;
  const off = m[8] === 'Z' ? '+00:00' : m[8].includes(':') ? m[8] : `${m[8].slice(0, 3)}:${m[8].slice(3)}`;
  const ms = Date.parse(`${s.slice(0, 19)}${m[7] ?? ''}${off}`);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Converts a seed value to the stored form of field `f` (types.ts). Returns the value, or a string error.
 * References are not handled here.
 */
export function seedValueFor(f: FieldDef, v: string | number | boolean | null): { value: FieldValue } | { error: string } {
  if (v === null || v === '') return { value: null };
  const t = f.type;
  if (TEXT.has(t) || t === 'reference' || t === 'time') {
    if (typeof v === 'boolean') return { error: `expected text, got ${v}` };
    const s = String(v);
    if (t === 'time') {
      const m = /^(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?Z?$/.exec(s);
      if (!m) return { error: `"${s}" is not a valid time (HH:mm:ss.SSSZ)` };
      return { value: `${m[1]}:${m[2]}:${m[3] ?? '00'}${(m[4] ?? '.000').padEnd(4, '0')}Z` };
    }
    if (f.length > 0 && s.length > f.length) return { error: `data value too large: ${s.length} characters (max length=${f.length})` };
    if (t === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s)) return { error: `invalid email address: ${s}` };
    if (t === 'picklist' && f.restrictedPicklist && !f.picklistValues.some((p) => p.active && p.value === s)) {
      return { error: `bad value for restricted picklist field: ${s}` };
    }
    return { value: s };
  }
  if (NUMBER.has(t)) {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
    if (!Number.isFinite(n)) return { error: `"${String(v)}" is not a valid ${t}` };
    if ((t === 'int' || t === 'long') && !Number.isInteger(n)) return { error: `${n} is not an integer` };
    return { value: n };
  }
  if (t === 'boolean') {
    if (typeof v === 'boolean') return { value: v };
    const s = String(v).toLowerCase();
    if (s === 'true' || s === 'false') return { value: s === 'true' };
    return { error: `"${String(v)}" is not a boolean` };
  }
  if (t === 'date') {
    if (typeof v !== 'string' || !validDate(v)) return { error: `"${String(v)}" is not a valid date (YYYY-MM-DD)` };
    return { value: v };
  }
  if (t === 'datetime') {
    if (typeof v === 'number' && Number.isFinite(v)) return { value: Math.trunc(v) };
    const ms = typeof v === 'string' ? parseDateTime(v) : undefined;
    if (ms === undefined) return { error: `"${String(v)}" is not a valid datetime (YYYY-MM-DDThh:mm:ss.SSSZ)` };
    return { value: ms };
  }
  return { error: `fields of type ${t} cannot be seeded` };
}

function isRef(v: SeedValue): v is SeedReference {
  return v !== null && typeof v === 'object';
}

/** Checks a parsed seed against the schema, then against the org metadata. Returns the problems (none: valid). */
export function validateSeed(json: unknown, metadata?: OrgMetadata, baseDir = process.cwd()): string[] {
  const validate = schemaValidator();
  if (!validate(json)) return (validate.errors ?? []).map(formatAjvError);
  const seed = json as SeedFile;
  let m = metadata;
  if (!m) {
    try {
      m = seedMetadata(seed, baseDir).metadata;
    } catch (e) {
      if (e instanceof SeedObjectError) return [e.message];
      throw e;
    }
  }
  return semanticErrors(seed, m);
}

/** The org metadata of a seed: the packaged describes, with the seed's own objects replacing or added. */
function seedMetadata(seed: SeedFile, baseDir: string): SeedMetadata {
  const base = loadMetadata();
  return seed.objects?.length ? metadataWithObjects(base, seed.objects, baseDir) : { metadata: base, objects: [] };
}

function tableType(m: OrgMetadata, name: string): SObjectType | undefined {
  return m.type(name);
}

function semanticErrors(seed: SeedFile, m: OrgMetadata): string[] {
  const errors: string[] = [];
  for (const [obj, rules] of Object.entries(seed.validationRules ?? {})) {
    const type = tableType(m, obj);
    if (!type) {
      errors.push(`${ptr('validationRules', obj)}: unknown object "${obj}"`);
      continue;
    }
    const seen = new Set<string>();
    rules.forEach((r, i) => {
      if (seen.has(r.name.toLowerCase())) errors.push(`${ptr('validationRules', obj, i, 'name')}: duplicate rule name "${r.name}"`);
      seen.add(r.name.toLowerCase());
      if (r.errorField !== undefined && !type.field(r.errorField)) {
        errors.push(`${ptr('validationRules', obj, i, 'errorField')}: no field "${r.errorField}" on ${type.name}`);
      }
      // Salesforce refuses to save a rule whose formula does not compile, active or not: so do we, here,
      // rather than let the ingest engine meet it mid-job.
      try {
        compileValidationRule(type, r);
      } catch (e) {
        errors.push(`${ptr('validationRules', obj, i, 'errorWhen')}: ${(e as Error).message}`);
      }
    });
  }
  for (const obj of Object.keys(seed.generate ?? {})) {
    if (!tableType(m, obj)) errors.push(`${ptr('generate', obj)}: unknown object "${obj}" (objects with records: ${m.types.map((t) => t.name).join(', ')})`);
  }
  for (const [obj, records] of Object.entries(seed.records ?? {})) {
    const type = tableType(m, obj);
    if (!type) {
      errors.push(`${ptr('records', obj)}: unknown object "${obj}" (objects with records: ${m.types.map((t) => t.name).join(', ')})`);
      continue;
    }
    // (User records get locale, profile and alias defaults like the running user: only these three are needed.)
    const required =
      type.name === 'User'
        ? ['Username', 'LastName', 'Email'].map((n) => type.field(n)!)
        : type.fields.filter((f) => !f.nillable && f.createable && !f.defaultedOnCreate && f.type !== 'boolean' && isStorable(f));
    records.forEach((rec, i) => {
      const given = new Set(Object.entries(rec).flatMap(([k, v]) => (v === null || v === '' ? [] : [k.toLowerCase()])));
      for (const f of required) {
        if (!given.has(f.name.toLowerCase())) errors.push(`${ptr('records', obj, i)}: required field ${f.name} is missing`);
      }
      for (const [name, v] of Object.entries(rec)) {
        const at = ptr('records', obj, i, name);
        const f = type.field(name);
        if (!f) {
          errors.push(`${at}: no field "${name}" on ${type.name}`);
          continue;
        }
        if (!isStorable(f)) {
          errors.push(`${at}: ${type.name}.${f.name} is a compound field; set its component fields instead`);
          continue;
        }
        if (isRef(v)) {
          if (f.type !== 'reference') {
            errors.push(`${at}: a {"ref": ...} value needs a reference field; ${f.name} is ${f.type}`);
            continue;
          }
          errors.push(...refErrors(m, f, v, at));
          continue;
        }
        if (f.type === 'id' || f.type === 'reference') {
          if (v === null || v === '') continue;
          const id = typeof v === 'string' ? normalizeId(v) : undefined;
          if (!id) {
            errors.push(`${at}: "${String(v)}" is not a Salesforce id`);
            continue;
          }
          if (f.type === 'id' && id.slice(0, 3) !== type.keyPrefix) {
            errors.push(`${at}: ${id} is not a ${type.name} id (prefix ${type.keyPrefix})`);
          }
          continue;
        }
        const r = seedValueFor(f, v);
        if ('error' in r) errors.push(`${at}: ${r.error}`);
      }
    });
  }
  return errors;
}

function refErrors(m: OrgMetadata, f: FieldDef, v: SeedReference, at: string): string[] {
  const target = tableType(m, v.ref);
  if (!target) return [`${at}/ref: unknown object "${v.ref}"`];
  if (!f.referenceTo.some((r) => r.toLowerCase() === target.name.toLowerCase())) {
    return [`${at}/ref: ${f.name} references ${f.referenceTo.join(' or ')}, not ${target.name}`];
  }
  const key = Object.keys(v).find((k) => k !== 'ref')!;
  const kf = target.field(key);
  if (!kf) return [`${at}/${key}: no field "${key}" on ${target.name}`];
  if (!(kf.externalId || kf.idLookup)) {
    return [`${at}/${key}: ${target.name}.${kf.name} is neither an external id nor an idLookup field`];
  }
  return [];
}

// ---------------------------------------------------------------------------------------------------------------
// Loading

/** The org of a seed: "demo", "empty", or the path of a seed JSON file. */
export function loadSeed(spec: 'demo' | 'empty' | string, opts: LoadSeedOptions = {}): MemoryOrgStore {
  const now = Math.floor((opts.now ?? Date.now()) / 1000) * 1000;
  if (spec === 'demo') return createDemoOrg({ scale: opts.scale ?? 1, now });
  if (spec === 'empty') return createOrgStore({ now });
  let text: string;
  try {
    text = readFileSync(spec, 'utf8');
  } catch (e) {
    throw new SeedError(spec, [`cannot read the seed file: ${(e as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SeedError(spec, [`not valid JSON: ${(e as Error).message}`]);
  }
  return buildSeed(json, { baseDir: dirname(spec), ...opts, now }, spec);
}

/** The org of a parsed seed (validated here; throws SeedError). */
export function buildSeed(json: unknown, opts: LoadSeedOptions = {}, source = 'seed'): MemoryOrgStore {
  const baseDir = opts.baseDir ?? process.cwd();
  const errors = validateSeed(json, undefined, baseDir);
  if (errors.length) throw new SeedError(source, errors);
  const seed = json as SeedFile;
  const { metadata, objects } = seedMetadata(seed, baseDir);
  // Objects whose describe the seed brings are generated from their field types, never by the demo generator.
  const brought = new Set(objects.map((n) => metadata.type(n)!.name));
  const now = Math.floor((opts.now ?? Date.now()) / 1000) * 1000;
  const demo = seed.base === 'demo';

  const settings: Partial<OrgSettings> = {
    ...DEFAULT_SETTINGS,
    ...(demo ? DEMO_SETTINGS : {}),
    ...(seed.settings?.allocations ?? {}),
    ...(seed.settings?.hardDeleteAllowed !== undefined ? { hardDeleteAllowed: seed.settings.hardDeleteAllowed } : {}),
  };
  const rules = new Map<string, ValidationRule[]>();
  if (demo) for (const [obj, list] of Object.entries(DEMO_VALIDATION_RULES)) rules.set(obj, [...list]);
  for (const [obj, list] of Object.entries(seed.validationRules ?? {})) {
    const name = metadata.type(obj)!.name;
    const cur = rules.get(name) ?? [];
    for (const r of list) {
      const rule: ValidationRule = {
        name: r.name,
        active: r.active ?? true,
        errorWhen: r.errorWhen,
        errorMessage: r.errorMessage,
        ...(r.errorField !== undefined ? { errorField: metadata.type(obj)!.field(r.errorField)!.name } : {}),
      };
      const at = cur.findIndex((x) => x.name.toLowerCase() === r.name.toLowerCase());
      if (at >= 0) cur[at] = rule;
      else cur.push(rule);
    }
    rules.set(name, cur);
  }

  const scale = opts.scale ?? 1;
  const generate: Record<string, number> = {};
  const generic: [SObjectType, number][] = [];
  for (const [k, v] of Object.entries(seed.generate ?? {})) {
    const type = metadata.type(k)!;
    const demoObject = (DEMO_OBJECTS as readonly string[]).includes(type.name) && !brought.has(type.name);
    if (demoObject) generate[type.name] = Math.round(v * scale);
    else generic.push([type, Math.round(v * scale)]);
  }
  for (const name of brought) if ((DEMO_OBJECTS as readonly string[]).includes(name) && name !== 'User') generate[name] = 0;
  if (!demo) for (const o of DEMO_OBJECTS) generate[o] ??= o === 'User' ? 1 : 0;
  const counts = demoCounts(scale, generate);
  const generating = DEMO_OBJECTS.some((o) => (o === 'User' ? counts[o] > 1 : counts[o] > 0));

  const store = createOrgStore({
    metadata,
    settings,
    validationRules: Object.fromEntries(rules),
    user: seed.user ?? (demo ? DEMO_USER : undefined),
    // The running user predates generated records (they span the two years before now).
    now: generating ? now - 731 * 86_400_000 : now,
  });

  if (generating) {
    try {
      generateDemoRecords(store, counts, now);
    } catch (e) {
      throw new SeedError(source, [`/generate: ${(e as Error).message}`]);
    }
  }
  for (const [type, count] of parentsFirst(generic)) {
    try {
      generateRecords(store, store.type(type.name)!, count, now);
    } catch (e) {
      throw new SeedError(source, [`${ptr('generate', type.name)}: ${(e as Error).message}`]);
    }
  }

  insertRecords(store, seed, now, source);
  return store;
}

/** Objects to generate, each after the objects its reference fields point at (when those are generated too). */
function parentsFirst(list: readonly [SObjectType, number][]): [SObjectType, number][] {
  const out: [SObjectType, number][] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const byName = new Map(list.map((e) => [e[0].name.toLowerCase(), e]));
  const visit = (e: [SObjectType, number]): void => {
    const key = e[0].name.toLowerCase();
    if (placed.has(key) || visiting.has(key)) return;
    visiting.add(key);
    for (const f of e[0].fields) {
      if (f.type !== 'reference') continue;
      for (const target of f.referenceTo) {
        const parent = byName.get(target.toLowerCase());
        if (parent) visit(parent);
      }
    }
    placed.add(key);
    out.push(e);
  };
  list.forEach(visit);
  return out;
}

interface PendingRef {
  readonly table: string;
  readonly id: string;
  readonly field: string;
  readonly ref: SeedReference;
  readonly at: string;
}

function insertRecords(store: MemoryOrgStore, seed: SeedFile, now: number, source: string): void {
  const errors: string[] = [];
  const pending: PendingRef[] = [];
  const checkIds: { table: string; id: string; field: FieldDef; value: string; at: string }[] = [];
  for (const [obj, records] of Object.entries(seed.records ?? {})) {
    const table = store.table(obj)!;
    const type = table.type;
    records.forEach((rec, i) => {
      const values: Record<string, FieldValue> = {};
      const refs: [FieldDef, SeedReference][] = [];
      const ids: [FieldDef, string][] = [];
      for (const [name, v] of Object.entries(rec)) {
        const f = type.field(name)!;
        if (isRef(v)) {
          refs.push([f, v]);
          continue;
        }
        if (f.type === 'reference' && typeof v === 'string' && v !== '') {
          const id = normalizeId(v)!;
          values[f.name] = id;
          ids.push([f, id]);
          continue;
        }
        const r = seedValueFor(f, v);
        if ('value' in r) values[f.name] = r.value;
      }
      if (type.name === 'User') {
        const defaults = userDefaults({
          username: String(values.Username),
          lastName: String(values.LastName),
          firstName: typeof values.FirstName === 'string' ? values.FirstName : undefined,
          email: String(values.Email),
        });
        for (const [k, v] of Object.entries(defaults)) if (values[k] === undefined) values[k] = v;
      }
      try {
        const row = table.insertSeeded(values, now);
        for (const [f, ref] of refs) {
          pending.push({ table: type.name, id: row.Id as string, field: f.name, ref, at: ptr('records', obj, i, f.name) });
        }
        for (const [f, id] of ids) {
          checkIds.push({ table: type.name, id: row.Id as string, field: f, value: id, at: ptr('records', obj, i, f.name) });
        }
      } catch (e) {
        if (!(e instanceof StoreError)) throw e;
        const field = e.fields[0];
        errors.push(`${ptr('records', obj, i, ...(field ? [field] : []))}: ${e.code}: ${e.message}`);
      }
    });
  }
  // References by external id / idLookup / Id, resolved once every record exists.
  for (const p of pending) {
    const target = store.table(p.ref.ref)!;
    const key = Object.keys(p.ref).find((k) => k !== 'ref')!;
    const value = String(p.ref[key]);
    const matches = target.findBy(key, value);
    if (matches.length !== 1) {
      errors.push(
        `${p.at}: ${matches.length === 0 ? 'no' : 'more than one'} live ${target.type.name} record with ${key} = ${JSON.stringify(value)}`,
      );
      continue;
    }
    store.table(p.table)!.patch(p.id, { [p.field]: matches[0].Id as string });
  }
  // Literal ids must name an existing record of an allowed type (types without records cannot be checked).
  for (const c of checkIds) {
    const type = store.typeOfId(c.value);
    if (!type) continue;
    if (!c.field.referenceTo.some((r) => r.toLowerCase() === type.name.toLowerCase())) {
      errors.push(`${c.at}: ${c.value} is a ${type.name} id; ${c.field.name} references ${c.field.referenceTo.join(' or ')}`);
    } else if (!store.table(type.name)!.get(c.value)) {
      errors.push(`${c.at}: no ${type.name} record with Id ${c.value}`);
    }
  }
  if (errors.length) throw new SeedError(source, errors);
}
