// A lookup index of one field of one table: normalized value -> row positions, as an open-addressing hash
// table in one typed array of (position, hash) pairs: a probe reads one cache line, not one in each of two
// arrays, which at millions of rows is most of what a lookup costs. A million rows cost 8 bytes a slot outside
// the JS heap, so the collector never walks the index, and building or probing it allocates nothing.
//
// A position is in the index at most once (one value per row). Keys are compared by re-reading the row: the
// index stores no strings. Positions move only when the table compacts its rows; the table then drops its
// indexes (they are rebuilt on next use).
import type { FieldValue, Row } from './types.js';

const EMPTY = 0;
const TOMBSTONE = -1;
const MIN_CAPACITY = 1024;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the UTF-16 code units. */
function hashOf(key: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), FNV_PRIME);
  return h | 0;
}

/**
 * FNV-1a over the code units of `s` upper-cased, when `s` is ASCII (where upper-casing changes a-z alone): the
 * hash of `s.toUpperCase()` without making that string. Undefined for other text (the caller folds it).
 */
function foldedAsciiHash(s: string): number | undefined {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 128) return undefined;
    if (c >= 97 && c <= 122) c -= 32;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  return h | 0;
}

/**
 * Whether `s.toUpperCase() === key`, decided without making that string while `s` reads as ASCII; undefined when a
 * non-ASCII character decides it (upper-casing may change the length there: the caller folds it).
 */
function foldedAsciiEquals(s: string, key: string): boolean | undefined {
  const n = Math.min(s.length, key.length);
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c >= 128) return undefined;
    if (c >= 97 && c <= 122) c -= 32;
    // an ASCII prefix upper-cases character by character: a difference inside it is final
    if (c !== key.charCodeAt(i)) return false;
  }
  for (let i = n; i < s.length; i++) if (s.charCodeAt(i) >= 128) return undefined;
  return s.length === key.length;
}

export class ValueIndex {
  /** Pairs: at 2s the row position + 1 (or EMPTY, TOMBSTONE), at 2s + 1 the key's hash. */
  private table: Int32Array;
  /** Slots (pairs) in the table: a power of two. */
  private capacity: number;
  private used = 0;
  private tombstones = 0;
  private lastValue: FieldValue | undefined = undefined;
  private lastKey: string | undefined = undefined;

  constructor(
    /** Field name the rows are read by. */
    readonly name: string,
    /** The lookup key of a value (undefined: not indexed). */
    private readonly keyOf: (v: FieldValue | undefined) => string | undefined,
    /** Entries expected (sizes the table once instead of growing it step by step). */
    expected = 0,
    /** Whether keyOf upper-cases text (a case-insensitive field): lets addValue hash ASCII text as it is. */
    private readonly foldsCase = false,
  ) {
    let capacity = MIN_CAPACITY;
    while (capacity * 3 < expected * 4) capacity *= 2;
    this.capacity = capacity;
    this.table = new Int32Array(capacity * 2);
  }

  /**
   * The key of a value. A row written by an upsert asks for the key of the same value twice (the match, then the
   * unique check), and a case-folded key is a new string each time: the last one is kept.
   */
  key(v: FieldValue | undefined): string | undefined {
    if (v === this.lastValue && v !== undefined) return this.lastKey;
    const k = this.keyOf(v);
    this.lastValue = v;
    this.lastKey = k;
    return k;
  }

  /**
   * Adds the row of a value (nothing for a value with no key). Indexing two million rows of a case-insensitive
   * field would otherwise make two million upper-cased strings for their hashes alone.
   */
  addValue(v: FieldValue | undefined, pos: number): void {
    if (this.foldsCase && typeof v === 'string' && v !== '') {
      const h = foldedAsciiHash(v);
      if (h !== undefined) {
        this.addHash(h, pos);
        return;
      }
    }
    const key = this.key(v);
    if (key !== undefined) this.addHash(hashOf(key), pos);
  }

  private addHash(h: number, pos: number): void {
    if ((this.used + this.tombstones + 1) * 4 > this.capacity * 3) this.grow();
    const t = this.table;
    const mask = this.capacity - 1;
    let s = h & mask;
    while (t[2 * s] > 0) s = (s + 1) & mask;
    if (t[2 * s] === TOMBSTONE) this.tombstones--;
    t[2 * s] = pos + 1;
    t[2 * s + 1] = h;
    this.used++;
  }

  remove(key: string, pos: number): void {
    const h = hashOf(key);
    const t = this.table;
    const mask = this.capacity - 1;
    for (let s = h & mask; t[2 * s] !== EMPTY; s = (s + 1) & mask) {
      if (t[2 * s] === pos + 1) {
        t[2 * s] = TOMBSTONE;
        this.used--;
        this.tombstones++;
        return;
      }
    }
  }

  /** Positions of the rows whose value has this key, pushed to `out` (in no particular order). */
  find(key: string, rows: readonly (Row | undefined)[], out: number[]): void {
    const h = hashOf(key);
    const t = this.table;
    const mask = this.capacity - 1;
    for (let s = h & mask; t[2 * s] !== EMPTY; s = (s + 1) & mask) {
      const p = t[2 * s] - 1;
      if (p < 0 || t[2 * s + 1] !== h) continue;
      const row = rows[p];
      if (row !== undefined && this.keyMatches(row[this.name], key)) out.push(p);
    }
  }

  /** Whether a stored value has this key (for a case-insensitive field, without upper-casing ASCII text). */
  private keyMatches(v: FieldValue | undefined, key: string): boolean {
    if (this.foldsCase && typeof v === 'string') {
      const same = foldedAsciiEquals(v, key);
      if (same !== undefined) return same;
    }
    return this.keyOf(v) === key;
  }

  private grow(): void {
    const old = this.table;
    const oldCapacity = this.capacity;
    // double only when live entries need it; a table full of tombstones is rebuilt at its size
    const capacity = this.used * 2 >= oldCapacity / 2 ? oldCapacity * 2 : oldCapacity;
    const t = new Int32Array(capacity * 2);
    const mask = capacity - 1;
    for (let i = 0; i < oldCapacity; i++) {
      if (old[2 * i] <= 0) continue;
      const h = old[2 * i + 1];
      let s = h & mask;
      while (t[2 * s] !== EMPTY) s = (s + 1) & mask;
      t[2 * s] = old[2 * i];
      t[2 * s + 1] = h;
    }
    this.table = t;
    this.capacity = capacity;
    this.tombstones = 0;
  }
}
