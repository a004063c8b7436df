// The in-memory org: one Table per object with records, built on the shared metadata.
//
// Memory layout (2,000,000 Accounts must fit well under 2 GB):
// - A row holds only the fields that have a value, always in describe order. Rows are built by one compiled
//   constructor per distinct field set ("shape"), so rows with the same fields share one hidden class and keep their
//   properties in-object (no dictionary-mode objects, no per-row closures or maps); datetimes are held as small
//   integers and read through getters of the shape's class (row-factory.ts), not as boxed doubles.
// - `rows` is a dense array in insertion order (holes after hard deletes, compacted when half empty) and `ids` maps
//   the 18-character Id to the row's position: the only per-row bookkeeping.
// - Lookup indexes (findBy, unique checks) are built per field on first use and maintained from then on
//   (value-index.ts: row positions in typed arrays, outside the JS heap).
import { idChecksum, makeId, to18 } from '../ids.js';
import { type Deriver, type Draft, derivationsFor } from './derived.js';
import { describeDefault, loadMetadata, type OrgMetadata, withValidationRules } from './metadata.js';
import { compileRowFactory, type RowFactory, rowsByLoop } from './row-factory.js';
import { ValueIndex } from './value-index.js';
import type {
  FieldDef,
  FieldValue,
  OrgSettings,
  OrgStore,
  OrgUser,
  Row,
  SObjectType,
  Table,
  ValidationRule,
} from './types.js';

export type StoreErrorCode =
  | 'NOT_FOUND'
  | 'ENTITY_IS_DELETED'
  | 'INVALID_FIELD'
  | 'DUPLICATE_VALUE'
  | 'DUPLICATE_ID'
  | 'MALFORMED_ID'
  | 'INVALID_OPERATION';

/** A refused store operation. `code` matches the Salesforce status code the caller should report where one exists. */
export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** Fields the error is about. */
    readonly fields: readonly string[] = [],
    /** For DUPLICATE_VALUE / DUPLICATE_ID: the record that already holds the value. */
    readonly existingId?: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
/** Record counters start here so ids look like real ones (`0015g0000A0001...`). */
export const ID_COUNTER_BASE = 10 * 62 ** 4;
export const DEFAULT_POD = '5g0';

/**
 * The canonical 18-character form of a 15- or 18-character id, or undefined when it is not one. 18-character ids
 * are case-insensitive (the suffix restores the case of the first 15), as in Salesforce.
 */
export function normalizeId(id: string): string | undefined {
  if (id.length === 15) return /^[a-zA-Z0-9]{15}$/.test(id) ? to18(id) : undefined;
  if (id.length !== 18 || !/^[a-zA-Z0-9]{18}$/.test(id)) return undefined;
  const head = id.slice(0, 15);
  const tail = id.slice(15).toUpperCase();
  if (idChecksum(head) === tail) return head + tail;
  let fixed = '';
  for (let block = 0; block < 3; block++) {
    const bits = SUFFIX.indexOf(tail[block]);
    if (bits < 0) return undefined;
    for (let i = 0; i < 5; i++) {
      const ch = head[block * 5 + i];
      fixed += bits & (1 << i) ? ch.toUpperCase() : ch.toLowerCase();
    }
  }
  return idChecksum(fixed) === tail ? fixed + tail : undefined;
}

const BASE62_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 62; i++) BASE62_VALUE[BASE62.charCodeAt(i)] = i;

/** The 9-character base-62 counter of an id (characters 7 to 15). */
function decodeCounter(id18: string): number {
  let n = 0;
  for (let i = 6; i < 15; i++) n = n * 62 + BASE62_VALUE[id18.charCodeAt(i) & 127];
  return n;
}

const SUFFIX_CODES = Array.from(SUFFIX, (c) => c.charCodeAt(0));
const BASE62_CODES = Array.from(BASE62, (c) => c.charCodeAt(0));

/**
 * Allocates the ids of one key prefix and pod: the same strings as makeId(prefix, n, pod), built as one flat string
 * from character codes (no intermediate strings, no regular expressions).
 */
class IdSequence {
  private readonly codes: number[];
  constructor(prefix: string, pod: string) {
    if (makeId(prefix, 0, pod).length !== 18) throw new RangeError(`bad key prefix: ${prefix}`);
    this.codes = Array.from(prefix + pod + '000000000' + 'AAA', (c) => c.charCodeAt(0));
  }
  make(n: number): string {
    const c = this.codes;
    let v = n;
    for (let i = 14; i >= 6; i--) {
      c[i] = BASE62_CODES[v % 62];
      v = Math.floor(v / 62);
    }
    for (let block = 0; block < 3; block++) {
      let bits = 0;
      for (let i = 0; i < 5; i++) {
        const ch = c[block * 5 + i];
        if (ch >= 65 && ch <= 90) bits |= 1 << i;
      }
      c[15 + block] = SUFFIX_CODES[bits];
    }
    return String.fromCharCode(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12],
      c[13], c[14], c[15], c[16], c[17]);
  }
}

/** Ids whose counter lies this far past ID_COUNTER_BASE are found through an array instead of a Map. */
const MAX_SEQ = 1 << 27;

const TEXT_TYPES = new Set([
  'id', 'reference', 'string', 'textarea', 'picklist', 'multipicklist', 'combobox', 'email', 'phone', 'url',
  'encryptedstring', 'base64',
]);
const NUMBER_TYPES = new Set(['int', 'long', 'double', 'currency', 'percent']);

/** Whether a field of this type holds a value in a row (compound address/location fields are computed views). */
export function isStorable(f: FieldDef): boolean {
  return f.type !== 'address' && f.type !== 'location';
}

/**
 * How values of `f` are keyed in an index (undefined: not indexed), decided once per field: numbers by value,
 * ids in their 18-character form, case-insensitive text upper-cased.
 */
/** What findBy returns when nothing matches: one shared array, not a new one per lookup of an absent key. */
const NO_ROWS: readonly Row[] = Object.freeze([]);

/** Whether a field's lookup key is its text upper-cased (Salesforce compares such values case-insensitively). */
function foldsCase(f: FieldDef): boolean {
  return TEXT_TYPES.has(f.type) && !f.caseSensitive && f.type !== 'id' && f.type !== 'reference';
}

function indexKeyOf(f: FieldDef): (v: FieldValue | undefined) => string | undefined {
  if (NUMBER_TYPES.has(f.type)) {
    return (v) => {
      if (v === undefined || v === null || v === '') return undefined;
      const n = typeof v === 'number' ? v : Number(v);
      return Number.isNaN(n) ? String(v) : String(n);
    };
  }
  if (f.type === 'id' || f.type === 'reference') {
    return (v) => {
      if (v === undefined || v === null || v === '') return undefined;
      const s = String(v);
      return normalizeId(s) ?? s;
    };
  }
  if (foldsCase(f)) {
    return (v) => (v === undefined || v === null || v === '' ? undefined : typeof v === 'string' ? v.toUpperCase() : String(v).toUpperCase());
  }
  return (v) => (v === undefined || v === null || v === '' ? undefined : String(v));
}

class ShapeNode {
  /** Child by the column index of the next present field (a holey array: fast to index, few entries). */
  readonly next: (ShapeNode | undefined)[] = [];
  factory: RowFactory | undefined;
  constructor(readonly path: readonly number[]) {}
}

/** Shapes compiled per table; rows of further shapes are built by a loop (slower, same values). */
const MAX_SHAPES = 4096;


/** What a table needs from its org. */
interface TableContext {
  readonly userId: string;
  readonly pod: string;
}

/** Options of the seeding insert. */
export interface SeedInsertOptions {
  /** Check unique fields (default true). The demo generator, which makes unique values by construction, skips it. */
  readonly checkUnique?: boolean;
}

class ScanIterator implements IterableIterator<Row> {
  private i = 0;
  private readonly result: { value: Row; done: false } | { value: undefined; done: true } = {
    value: undefined,
    done: true,
  };
  constructor(
    private readonly rows: readonly (Row | undefined)[],
    private readonly end: number,
    private readonly includeDeleted: boolean,
  ) {}
  next(): IteratorResult<Row> {
    const rows = this.rows;
    const r = this.result as { value: Row | undefined; done: boolean };
    while (this.i < this.end) {
      const row = rows[this.i++];
      if (row !== undefined && (this.includeDeleted || row.IsDeleted !== true)) {
        r.value = row;
        r.done = false;
        return r as IteratorResult<Row>;
      }
    }
    r.value = undefined;
    r.done = true;
    return r as IteratorResult<Row>;
  }
  [Symbol.iterator](): IterableIterator<Row> {
    return this;
  }
}

/** One object's records. See types.ts for the contract; the extra public methods serve seeding and the store. */
export class MemoryTable implements Table {
  /** Storable fields in describe order; a field's position here is its index everywhere below. */
  readonly columns: readonly FieldDef[];
  private readonly colByLower = new Map<string, number>();
  private readonly colByName = new Map<string, number>();
  /** Columns with a describe default, and the defaults. */
  private readonly defaultCols: number[];
  private readonly defaultValues: FieldValue[];
  private readonly uniqueCols: number[];
  /** Per picklist column: its describe values by themselves, so rows share one string per value. */
  private readonly picklists: (Map<string, string> | undefined)[];
  private readonly derivers: Deriver[];
  private readonly col: {
    Id: number; IsDeleted: number; OwnerId: number; CreatedDate: number; CreatedById: number;
    LastModifiedDate: number; LastModifiedById: number; SystemModstamp: number;
  };

  private rows: (Row | undefined)[] = [];
  /**
   * Id -> position in `rows`. Ids this table allocates (key prefix + pod + counter) are found by counter in a
   * typed array (4 bytes a row instead of a Map entry); any other id (seeded, other pod) goes through the Map.
   */
  private posBySeq = new Int32Array(1024).fill(-1);
  private posByOther = new Map<string, number>();
  private readonly seqHead: string;
  private readonly idSeq: IdSequence;
  private holes = 0;
  private live = 0;
  private deleted = 0;
  private counter = ID_COUNTER_BASE;
  private readonly autoNumbers = new Map<string, number>();
  /** The value indexes built so far (a few at most): a list, walked for every written row. */
  private readonly indexes: ValueIndex[] = [];
  /** Scratch list of row positions an index lookup found. */
  private readonly found: number[] = [];
  private readonly shapeRoot = new ShapeNode([]);
  private shapeCount = 0;

  // Reused scratch state for building one row at a time (tables are used from one thread).
  private readonly scratch: (FieldValue | undefined)[];
  private readonly givenMask: boolean[];
  private writeNow = 0;
  /** Columns of the row built last (set by build, consumed by clearScratch). */
  private lastPath: readonly number[] | undefined;
  private writeInsert = true;
  private readonly draft: Draft;

  constructor(
    private readonly typeRef: SObjectType,
    private readonly ctx: TableContext,
  ) {
    this.columns = typeRef.fields.filter(isStorable);
    this.columns.forEach((f, i) => {
      this.colByLower.set(f.name.toLowerCase(), i);
      this.colByName.set(f.name, i);
    });
    const defaults = this.columns.map((f) => describeDefault(f));
    this.defaultCols = defaults.flatMap((d, i) => (d === undefined ? [] : [i]));
    this.defaultValues = this.defaultCols.map((i) => defaults[i] as FieldValue);
    this.uniqueCols = this.columns.flatMap((f, i) => (f.unique && f.type !== 'id' ? [i] : []));
    this.picklists = this.columns.map((f) =>
      f.type === 'picklist' && f.picklistValues.length ? new Map(f.picklistValues.map((p) => [p.value, p.value])) : undefined,
    );
    this.derivers = derivationsFor(typeRef);
    const c = (n: string) => this.colByLower.get(n.toLowerCase()) ?? -1;
    this.col = {
      Id: c('Id'), IsDeleted: c('IsDeleted'), OwnerId: c('OwnerId'), CreatedDate: c('CreatedDate'),
      CreatedById: c('CreatedById'), LastModifiedDate: c('LastModifiedDate'), LastModifiedById: c('LastModifiedById'),
      SystemModstamp: c('SystemModstamp'),
    };
    if (this.col.Id < 0) throw new Error(`${typeRef.name} has no Id field`);
    this.seqHead = typeRef.keyPrefix + ctx.pod;
    this.idSeq = new IdSequence(typeRef.keyPrefix, ctx.pod);
    this.scratch = new Array<FieldValue | undefined>(this.columns.length).fill(undefined);
    this.givenMask = new Array<boolean>(this.columns.length).fill(false);
    const self = this;
    this.draft = {
      get insert() { return self.writeInsert; },
      get now() { return self.writeNow; },
      get: (name) => { const i = self.colByLower.get(name.toLowerCase()); return i === undefined ? undefined : self.scratch[i]; },
      set: (name, v) => { const i = self.colByLower.get(name.toLowerCase()); if (i !== undefined) self.scratch[i] = v ?? null; },
      given: (name) => { const i = self.colByLower.get(name.toLowerCase()); return i !== undefined && self.givenMask[i]; },
      nextAutoNumber: (field) => {
        const n = (self.autoNumbers.get(field) ?? 1000) + 1;
        self.autoNumbers.set(field, n);
        return String(n).padStart(8, '0');
      },
    };
  }

  get type(): SObjectType {
    return this.typeRef;
  }

  count(includeDeleted = false): number {
    return includeDeleted ? this.live + this.deleted : this.live;
  }

  get(id: string): Row | undefined {
    const pos = this.position(id);
    return pos === undefined ? undefined : this.rows[pos];
  }

  private position(id: string): number | undefined {
    const direct = this.lookup(id);
    if (direct !== undefined) return direct;
    const n = normalizeId(id);
    return n === undefined || n === id ? undefined : this.lookup(n);
  }

  /** The position of a canonical 18-character id. */
  private lookup(id18: string): number | undefined {
    if (id18.length !== 18) return undefined;
    if (id18.startsWith(this.seqHead)) {
      const k = decodeCounter(id18) - ID_COUNTER_BASE;
      if (k >= 0 && k < this.posBySeq.length) {
        const p = this.posBySeq[k];
        if (p >= 0 && this.rows[p]?.Id === id18) return p;
      }
    }
    return this.posByOther.get(id18);
  }

  private setPosition(id18: string, pos: number): void {
    if (id18.startsWith(this.seqHead)) {
      const k = decodeCounter(id18) - ID_COUNTER_BASE;
      if (k >= 0 && k < MAX_SEQ) {
        if (k >= this.posBySeq.length) {
          let cap = this.posBySeq.length;
          while (cap <= k) cap *= 2;
          const grown = new Int32Array(cap).fill(-1);
          grown.set(this.posBySeq);
          this.posBySeq = grown;
        }
        this.posBySeq[k] = pos;
        return;
      }
    }
    this.posByOther.set(id18, pos);
  }

  private deletePosition(id18: string): void {
    if (id18.startsWith(this.seqHead)) {
      const k = decodeCounter(id18) - ID_COUNTER_BASE;
      if (k >= 0 && k < this.posBySeq.length && this.rows[this.posBySeq[k]]?.Id === id18) {
        this.posBySeq[k] = -1;
        return;
      }
    }
    this.posByOther.delete(id18);
  }

  /** Column index of a field name (case-insensitive), or throws INVALID_FIELD. */
  private column(name: string): number {
    const i = this.colByLower.get(name.toLowerCase());
    if (i === undefined) {
      const f = this.typeRef.field(name);
      throw new StoreError(
        'INVALID_FIELD',
        f ? `${this.typeRef.name}.${f.name} is a compound field and holds no value of its own` : `No such column '${name}' on entity '${this.typeRef.name}'`,
        [name],
      );
    }
    return i;
  }

  findBy(field: string, value: string): readonly Row[] {
    const i = this.colByName.get(field) ?? this.column(field);
    if (i === this.col.Id) {
      const r = this.get(value);
      return r && r.IsDeleted !== true ? [r] : NO_ROWS;
    }
    const idx = this.index(i);
    const key = idx.key(value);
    if (key === undefined) return NO_ROWS;
    const found = this.found;
    found.length = 0;
    idx.find(key, this.rows, found);
    if (found.length === 0) return NO_ROWS;
    if (found.length === 1) return [this.rows[found[0]]!];
    if (found.length > 1) found.sort((a, b) => a - b);
    return found.map((p) => this.rows[p]!);
  }

  /** The index on column `i`, built from the live rows on first use. */
  private index(i: number): ValueIndex {
    const field = this.columns[i];
    const indexes = this.indexes;
    for (let k = 0; k < indexes.length; k++) if (indexes[k].name === field.name) return indexes[k];
    const idx = new ValueIndex(field.name, indexKeyOf(field), this.live, foldsCase(field));
    const rows = this.rows;
    for (let p = 0; p < rows.length; p++) {
      const r = rows[p];
      if (r === undefined || r.IsDeleted === true) continue;
      idx.addValue(r[field.name], p);
    }
    indexes.push(idx);
    return idx;
  }

  private indexRemove(idx: ValueIndex, v: FieldValue | undefined, pos: number): void {
    const key = idx.key(v);
    if (key !== undefined) idx.remove(key, pos);
  }

  private indexesAdd(row: Row, pos: number): void {
    const indexes = this.indexes;
    for (let k = 0; k < indexes.length; k++) indexes[k].addValue(row[indexes[k].name], pos);
  }

  private indexesRemove(row: Row, pos: number): void {
    const indexes = this.indexes;
    for (let k = 0; k < indexes.length; k++) this.indexRemove(indexes[k], row[indexes[k].name], pos);
  }

  scan(includeDeleted: boolean): Iterable<Row> {
    const rows = this.rows;
    const end = rows.length;
    return { [Symbol.iterator]: () => new ScanIterator(rows, end, includeDeleted) };
  }

  /** The next id of this table. Never taken: loaded ids of this pod move the counter past themselves. */
  private nextId(): string {
    return this.idSeq.make(this.counter++);
  }

  /**
   * Copies caller values into the scratch row (canonical columns), marking them given. A null is kept as a null
   * property (reads the same as a missing one) so that rows written with the same columns share one hidden class.
   */
  private takeValues(values: Readonly<Record<string, FieldValue>>): void {
    for (const key in values) {
      const v = values[key];
      if (v === undefined) continue;
      const i = this.colByName.get(key) ?? this.column(key);
      this.givenMask[i] = true;
      // An update that writes the value a row already holds keeps the stored string: the caller's copy dies young,
      // so re-loading the same rows grows the old generation by the new row objects only.
      if (typeof v === 'string' && v === this.scratch[i]) continue;
      // A picklist value (a fresh string per parsed cell) is stored as the describe's string of that value.
      const shared = typeof v === 'string' ? this.picklists[i]?.get(v) : undefined;
      if (shared !== undefined) {
        this.scratch[i] = shared;
        continue;
      }
      // Concatenated strings are rope ("cons") strings in V8: flattening them now lets the GC drop the rope,
      // halving the memory of generated and parsed values.
      if (typeof v === 'string' && v.length >= 13) v.charCodeAt(0);
      this.scratch[i] = v;
    }
  }

  /** Resets the scratch row: only the columns of the last built shape after a build, else all of them. */
  private clearScratch(): void {
    const path = this.lastPath;
    if (path) {
      const s = this.scratch;
      const g = this.givenMask;
      for (let k = 0; k < path.length; k++) {
        s[path[k]] = undefined;
        g[path[k]] = false;
      }
      this.lastPath = undefined;
    } else {
      this.scratch.fill(undefined);
      this.givenMask.fill(false);
    }
  }

  private applyDefaults(): void {
    const s = this.scratch;
    const cols = this.defaultCols;
    for (let k = 0; k < cols.length; k++) if (s[cols[k]] == null) s[cols[k]] = this.defaultValues[k];
  }

  private derive(insert: boolean, now: number): void {
    if (this.derivers.length === 0) return;
    this.writeInsert = insert;
    this.writeNow = now;
    for (const fn of this.derivers) fn(this.draft);
  }

  /** Throws DUPLICATE_VALUE when a unique field of the scratch row is held by another live row. */
  private checkUnique(selfId: string): void {
    for (const i of this.uniqueCols) {
      const v = this.scratch[i];
      if (v == null) continue;
      const idx = this.index(i);
      const key = idx.key(v);
      if (key === undefined) continue;
      const found = this.found;
      found.length = 0;
      idx.find(key, this.rows, found);
      if (found.length === 0) continue;
      if (found.length > 1) found.sort((a, b) => a - b);
      // the first row in Id order that is not the one being written (an update finds itself)
      let other: string | undefined;
      for (let k = 0; k < found.length && other === undefined; k++) {
        const id = this.rows[found[k]]!.Id as string;
        if (id !== selfId) other = id;
      }
      if (other !== undefined) {
        throw new StoreError(
          'DUPLICATE_VALUE',
          `duplicate value found: ${idx.name} duplicates value on record with id: ${other}`,
          [idx.name],
          other,
        );
      }
    }
  }

  /** Builds a row from the scratch values through the factory of its shape. */
  private build(): Row {
    const s = this.scratch;
    let node = this.shapeRoot;
    for (let i = 0; i < s.length; i++) {
      if (s[i] === undefined) continue;
      let next = node.next[i];
      if (next === undefined) {
        next = new ShapeNode([...node.path, i]);
        node.next[i] = next;
      }
      node = next;
    }
    let f = node.factory;
    if (!f) f = node.factory = this.compile(node.path);
    // Frozen: rows are shared snapshots (a query keeps the references it read), so a stray write must fail loudly.
    const row = Object.freeze(f(s));
    this.lastPath = node.path;
    return row;
  }

  private compile(path: readonly number[]): RowFactory {
    if (this.shapeCount >= MAX_SHAPES) return rowsByLoop(path.map((i) => this.columns[i].name), path);
    this.shapeCount++;
    return compileRowFactory(this.columns, path);
  }

  private commitNew(row: Row): void {
    const id = row.Id as string;
    const pos = this.rows.length;
    this.setPosition(id, pos);
    this.rows.push(row);
    if (row.IsDeleted === true) this.deleted++;
    else {
      this.live++;
      if (this.indexes.length) this.indexesAdd(row, pos);
    }
  }

  insert(values: Readonly<Record<string, FieldValue>>, now: number): Row {
    return this.insertWith(values, now, false, true);
  }

  /**
   * Seeding insert: like insert (defaults, derived values, unique checks), but keeps a given Id (15 or 18
   * characters, which must carry this object's key prefix) and given audit fields (CreatedDate etc.); `now` fills
   * the audit fields not given.
   */
  insertSeeded(values: Readonly<Record<string, FieldValue>>, now: number, opts: SeedInsertOptions = {}): Row {
    return this.insertWith(values, now, true, opts.checkUnique !== false);
  }

  private insertWith(values: Readonly<Record<string, FieldValue>>, now: number, keep: boolean, unique: boolean): Row {
    const c = this.col;
    const s = this.scratch;
    try {
      this.takeValues(values);
      let id: string;
      const given = s[c.Id];
      if (keep && given !== undefined) {
        id = this.checkNewId(String(given));
      } else id = this.nextId();
      s[c.Id] = id;
      const user = this.ctx.userId;
      if (!keep) {
        if (c.IsDeleted >= 0) s[c.IsDeleted] = false;
        if (c.CreatedDate >= 0) s[c.CreatedDate] = now;
        if (c.LastModifiedDate >= 0) s[c.LastModifiedDate] = now;
        if (c.SystemModstamp >= 0) s[c.SystemModstamp] = now;
      } else {
        if (c.IsDeleted >= 0 && s[c.IsDeleted] == null) s[c.IsDeleted] = false;
        if (c.CreatedDate >= 0 && s[c.CreatedDate] == null) s[c.CreatedDate] = now;
        if (c.LastModifiedDate >= 0 && s[c.LastModifiedDate] == null) s[c.LastModifiedDate] = s[c.CreatedDate] ?? now;
        if (c.SystemModstamp >= 0 && s[c.SystemModstamp] == null) s[c.SystemModstamp] = s[c.LastModifiedDate] ?? now;
      }
      if (c.CreatedById >= 0 && s[c.CreatedById] == null) s[c.CreatedById] = user;
      if (c.LastModifiedById >= 0 && s[c.LastModifiedById] == null) s[c.LastModifiedById] = user;
      if (c.OwnerId >= 0 && s[c.OwnerId] == null) s[c.OwnerId] = user;
      this.applyDefaults();
      this.derive(true, now);
      if (unique && this.uniqueCols.length) this.checkUnique(id);
      const row = this.build();
      this.commitNew(row);
      return row;
    } finally {
      this.clearScratch();
    }
  }

  private checkNewId(given: string): string {
    const id = normalizeId(given);
    if (id === undefined || id.slice(0, 3) !== this.typeRef.keyPrefix) {
      throw new StoreError('MALFORMED_ID', `${this.typeRef.name} ID: id value of incorrect type: ${given}`, ['Id']);
    }
    if (this.lookup(id) !== undefined) throw new StoreError('DUPLICATE_ID', `duplicate id: ${id}`, ['Id'], id);
    if (id.slice(3, 6) === this.ctx.pod) {
      const n = decodeCounter(id);
      if (n >= this.counter) this.counter = n + 1;
    }
    return id;
  }

  /**
   * Copies a stored row into the scratch row (empty between writes): the fields the row holds, through its own
   * keys, not a lookup of every column by name (an Account has 65; a generated one holds about 20).
   */
  private loadScratch(row: Row): void {
    const s = this.scratch;
    for (const key in row) {
      const i = this.colByName.get(key);
      if (i !== undefined) s[i] = row[key];
    }
  }

  private existing(id: string): [number, Row] {
    const pos = this.position(id);
    const row = pos === undefined ? undefined : this.rows[pos];
    if (pos === undefined || row === undefined) {
      throw new StoreError('NOT_FOUND', `${this.typeRef.name} ${id}: no such record`, ['Id']);
    }
    return [pos, row];
  }

  update(id: string, changes: Readonly<Record<string, FieldValue>>, now: number): Row {
    return this.updateWith(id, changes, now, true);
  }

  /** Sets values without touching audit fields or running derivations (seeding references). */
  patch(id: string, changes: Readonly<Record<string, FieldValue>>): Row {
    return this.updateWith(id, changes, 0, false);
  }

  private updateWith(id: string, changes: Readonly<Record<string, FieldValue>>, now: number, audit: boolean): Row {
    const [pos, old] = this.existing(id);
    if (old.IsDeleted === true) {
      throw new StoreError('ENTITY_IS_DELETED', 'entity is deleted', []);
    }
    const c = this.col;
    const s = this.scratch;
    try {
      this.loadScratch(old);
      this.takeValues(changes);
      s[c.Id] = old.Id;
      if (c.IsDeleted >= 0) s[c.IsDeleted] = old.IsDeleted;
      if (audit) {
        if (c.LastModifiedDate >= 0) s[c.LastModifiedDate] = now;
        if (c.SystemModstamp >= 0) s[c.SystemModstamp] = now;
        if (c.LastModifiedById >= 0) s[c.LastModifiedById] = this.ctx.userId;
        this.derive(false, now);
      }
      if (this.uniqueCols.length) this.checkUnique(old.Id as string);
      const row = this.build();
      this.replaceAt(pos, old, row);
      return row;
    } finally {
      this.clearScratch();
    }
  }

  private replaceAt(pos: number, old: Row, row: Row): void {
    this.rows[pos] = row;
    if (this.indexes.length === 0) return;
    const wasLive = old.IsDeleted !== true;
    const isLive = row.IsDeleted !== true;
    for (const idx of this.indexes) {
      const name = idx.name;
      if (wasLive && isLive && old[name] === row[name]) continue;
      if (wasLive) this.indexRemove(idx, old[name], pos);
      if (isLive) idx.addValue(row[name], pos);
    }
  }

  softDelete(id: string, now: number): void {
    const [pos, old] = this.existing(id);
    const c = this.col;
    if (c.IsDeleted < 0) {
      throw new StoreError('INVALID_OPERATION', `${this.typeRef.name} records cannot be deleted`, []);
    }
    if (old.IsDeleted === true) throw new StoreError('ENTITY_IS_DELETED', 'entity is deleted', []);
    try {
      this.loadScratch(old);
      this.scratch[c.IsDeleted] = true;
      if (c.SystemModstamp >= 0) this.scratch[c.SystemModstamp] = now;
      const row = this.build();
      this.replaceAt(pos, old, row);
      this.live--;
      this.deleted++;
    } finally {
      this.clearScratch();
    }
  }

  /** Restores a soft-deleted record (undelete): IsDeleted=false, SystemModstamp=now. */
  undelete(id: string, now: number): Row {
    const [pos, old] = this.existing(id);
    if (old.IsDeleted !== true) return old;
    const c = this.col;
    try {
      this.loadScratch(old);
      this.scratch[c.IsDeleted] = false;
      if (c.SystemModstamp >= 0) this.scratch[c.SystemModstamp] = now;
      if (this.uniqueCols.length) this.checkUnique(old.Id as string);
      const row = this.build();
      this.replaceAt(pos, old, row);
      this.deleted--;
      this.live++;
      return row;
    } finally {
      this.clearScratch();
    }
  }

  hardDelete(id: string): void {
    const [pos, old] = this.existing(id);
    const rid = old.Id as string;
    this.deletePosition(rid);
    this.rows[pos] = undefined;
    this.holes++;
    if (old.IsDeleted === true) this.deleted--;
    else {
      this.live--;
      if (this.indexes.length) this.indexesRemove(old, pos);
    }
    if (this.holes > 1024 && this.holes * 2 > this.rows.length) this.compact();
  }

  /** Rebuilds the row array without holes (scans already running keep the old array). */
  private compact(): void {
    const rows: Row[] = [];
    for (const r of this.rows) if (r !== undefined) rows.push(r);
    this.rows = rows;
    this.posBySeq.fill(-1);
    this.posByOther = new Map();
    for (let i = 0; i < rows.length; i++) this.setPosition(rows[i].Id as string, i);
    this.holes = 0;
    // indexes hold positions: rebuilt on next use
    this.indexes.length = 0;
  }

  load(row: Row): void {
    try {
      for (const key in row) {
        const v = row[key];
        if (v === undefined) continue;
        this.scratch[this.colByName.get(key) ?? this.column(key)] = v;
      }
      const given = this.scratch[this.col.Id];
      if (given === undefined) throw new StoreError('MALFORMED_ID', `${this.typeRef.name}: load() needs an Id`, ['Id']);
      this.scratch[this.col.Id] = this.checkNewId(String(given));
      this.commitNew(this.build());
    } finally {
      this.clearScratch();
    }
  }

  /** Distinct row shapes (hidden classes) built so far: a memory diagnostic. */
  shapes(): number {
    return this.shapeCount;
  }
}

export interface OrgStoreOptions {
  /** Metadata to build on (default: the packaged describes). */
  readonly metadata?: OrgMetadata;
  /** 18-character org id (default: a fixed demo id on pod `5g0`). */
  readonly orgId?: string;
  /** The 3-character pod part of generated ids. */
  readonly pod?: string;
  readonly settings?: Partial<OrgSettings>;
  /** Validation rules by object name (case-insensitive). */
  readonly validationRules?: Readonly<Record<string, readonly ValidationRule[]>>;
}

export const DEFAULT_SETTINGS: OrgSettings = Object.freeze({
  hardDeleteAllowed: false,
  dailyApiRequests: 15000,
  dailyBulkIngestRecords: 150_000_000,
  dailyBulkApiBatches: 15000,
  dailyBulkV2QueryJobs: 10000,
});

/** The running user's record, for setRunningUser / createOrgStore. */
export interface RunningUserSpec {
  readonly username: string;
  readonly firstName?: string;
  readonly lastName: string;
  readonly email: string;
  readonly alias?: string;
  /** Keep this id (prefix 005). */
  readonly id?: string;
}

export class MemoryOrgStore implements OrgStore {
  readonly orgId: string;
  readonly settings: OrgSettings;
  readonly metadata: OrgMetadata;
  private readonly typeList: SObjectType[];
  private readonly typeByName = new Map<string, SObjectType>();
  private readonly typeByPrefix = new Map<string, SObjectType>();
  private readonly tables = new Map<string, MemoryTable>();
  private runningUser: OrgUser | undefined;
  private readonly ctx: { userId: string; pod: string };

  constructor(opts: OrgStoreOptions = {}) {
    this.metadata = opts.metadata ?? loadMetadata();
    const pod = opts.pod ?? DEFAULT_POD;
    this.orgId = opts.orgId ?? makeId('00D', 4_000_001, pod);
    this.settings = Object.freeze({ ...DEFAULT_SETTINGS, ...(opts.settings ?? {}) });
    this.ctx = { userId: makeId('005', ID_COUNTER_BASE - 1, pod), pod };
    const rules = new Map<string, readonly ValidationRule[]>();
    for (const [k, v] of Object.entries(opts.validationRules ?? {})) rules.set(k.toLowerCase(), v);
    this.typeList = this.metadata.types.map((t) => {
      const r = rules.get(t.name.toLowerCase());
      return r && r.length ? withValidationRules(t, r) : t;
    });
    for (const t of this.typeList) {
      this.typeByName.set(t.name.toLowerCase(), t);
      if (t.keyPrefix) this.typeByPrefix.set(t.keyPrefix, t);
      this.tables.set(t.name.toLowerCase(), new MemoryTable(t, this.ctx));
    }
    for (const k of rules.keys()) {
      if (!this.typeByName.has(k)) throw new Error(`validation rules for unknown object ${k}`);
    }
  }

  get user(): OrgUser {
    if (!this.runningUser) throw new Error('the org has no running user yet');
    return this.runningUser;
  }

  /** Makes an existing User record the running user (audit fields and OwnerId defaults use it). */
  setRunningUser(id: string): OrgUser {
    const row = this.table('User')!.get(id);
    if (!row) throw new StoreError('NOT_FOUND', `User ${id}: no such record`, ['Id']);
    this.ctx.userId = row.Id as string;
    this.runningUser = Object.freeze({
      id: row.Id as string,
      username: String(row.Username ?? ''),
      name: String(row.Name ?? row.LastName ?? ''),
      email: String(row.Email ?? ''),
    });
    return this.runningUser;
  }

  /** Creates a User record and makes it the running user (its own CreatedById/OwnerId point to itself). */
  createRunningUser(spec: RunningUserSpec, now: number): OrgUser {
    const users = this.table('User')!;
    const id = spec.id ? (normalizeId(spec.id) ?? spec.id) : makeId('005', ID_COUNTER_BASE, this.ctx.pod);
    this.ctx.userId = id;
    users.insertSeeded({ ...userDefaults(spec), Id: id }, now);
    return this.setRunningUser(id);
  }

  types(): readonly SObjectType[] {
    return this.typeList;
  }

  type(name: string): SObjectType | undefined {
    return this.typeByName.get(name.toLowerCase());
  }

  table(name: string): MemoryTable | undefined {
    return this.tables.get(name.toLowerCase());
  }

  typeOfId(id: string): SObjectType | undefined {
    return id.length >= 3 ? this.typeByPrefix.get(id.slice(0, 3)) : undefined;
  }

  globalList(): readonly Readonly<Record<string, unknown>>[] {
    return this.metadata.globalList;
  }
}

/** Values of a new User record from a running-user spec (locale and profile as a US admin). */
export function userDefaults(spec: RunningUserSpec): Record<string, FieldValue> {
  const first = spec.firstName ?? null;
  const alias = (spec.alias ?? ((first ? first[0] : '') + spec.lastName).slice(0, 8)).toLowerCase();
  return {
    Username: spec.username,
    FirstName: first,
    LastName: spec.lastName,
    Email: spec.email,
    Alias: alias,
    CommunityNickname: spec.username.split('@')[0].slice(0, 40),
    IsActive: true,
    TimeZoneSidKey: 'America/Los_Angeles',
    LocaleSidKey: 'en_US',
    LanguageLocaleKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    ProfileId: makeId('00e', ID_COUNTER_BASE, DEFAULT_POD),
    UserType: 'Standard',
    ReceivesInfoEmails: false,
    ReceivesAdminInfoEmails: false,
    IsPortalEnabled: false,
  };
}

/** A new empty org with a running user. */
export function createOrgStore(opts: OrgStoreOptions & { user?: RunningUserSpec; now?: number } = {}): MemoryOrgStore {
  const store = new MemoryOrgStore(opts);
  store.createRunningUser(
    opts.user ?? {
      username: 'admin@emulator.local',
      firstName: 'Ada',
      lastName: 'Admin',
      email: 'admin@emulator.local',
    },
    opts.now ?? Date.now(),
  );
  return store;
}
