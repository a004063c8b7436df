// A lookup index of one field of one table: normalized value -> row positions, as an open-addressing hash
// table in two typed arrays (hash, position). A million rows cost 8 bytes a slot outside the JS heap, so the
// collector never walks the index, and building or probing it allocates nothing.
//
// A position is in the index at most once (one value per row). Keys are compared by re-reading the row: the
// index stores no strings. Positions move only when the table compacts its rows; the table then drops its
// indexes (they are rebuilt on next use).
import type { FieldValue, Row } from './types.js';

const EMPTY = 0;
const TOMBSTONE = -1;
const MIN_CAPACITY = 1024;

/** FNV-1a over the UTF-16 code units. */
function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h | 0;
}

export class ValueIndex {
  /** Row position + 1; EMPTY or TOMBSTONE. */
  private slots: Int32Array;
  private hashes: Int32Array;
  private used = 0;
  private tombstones = 0;

  constructor(
    /** Field name the rows are read by. */
    readonly name: string,
    /** The lookup key of a value (undefined: not indexed). */
    private readonly keyOf: (v: FieldValue | undefined) => string | undefined,
    /** Entries expected (sizes the table once instead of growing it step by step). */
    expected = 0,
  ) {
    let capacity = MIN_CAPACITY;
    while (capacity * 3 < expected * 4) capacity *= 2;
    this.slots = new Int32Array(capacity);
    this.hashes = new Int32Array(capacity);
  }

  key(v: FieldValue | undefined): string | undefined {
    return this.keyOf(v);
  }

  add(key: string, pos: number): void {
    if ((this.used + this.tombstones + 1) * 4 > this.slots.length * 3) this.grow();
    const h = hashOf(key);
    const mask = this.slots.length - 1;
    let s = h & mask;
    while (this.slots[s] > 0) s = (s + 1) & mask;
    if (this.slots[s] === TOMBSTONE) this.tombstones--;
    this.slots[s] = pos + 1;
    this.hashes[s] = h;
    this.used++;
  }

  remove(key: string, pos: number): void {
    const h = hashOf(key);
    const mask = this.slots.length - 1;
    for (let s = h & mask; this.slots[s] !== EMPTY; s = (s + 1) & mask) {
      if (this.slots[s] === pos + 1) {
        this.slots[s] = TOMBSTONE;
        this.used--;
        this.tombstones++;
        return;
      }
    }
  }

  /** Positions of the rows whose value has this key, pushed to `out` (in no particular order). */
  find(key: string, rows: readonly (Row | undefined)[], out: number[]): void {
    const h = hashOf(key);
    const mask = this.slots.length - 1;
    for (let s = h & mask; this.slots[s] !== EMPTY; s = (s + 1) & mask) {
      const p = this.slots[s] - 1;
      if (p < 0 || this.hashes[s] !== h) continue;
      const row = rows[p];
      if (row !== undefined && this.keyOf(row[this.name]) === key) out.push(p);
    }
  }

  private grow(): void {
    const oldSlots = this.slots;
    const oldHashes = this.hashes;
    // double only when live entries need it; a table full of tombstones is rebuilt at its size
    const capacity = this.used * 2 >= oldSlots.length / 2 ? oldSlots.length * 2 : oldSlots.length;
    this.slots = new Int32Array(capacity);
    this.hashes = new Int32Array(capacity);
    this.tombstones = 0;
    const mask = capacity - 1;
    for (let i = 0; i < oldSlots.length; i++) {
      if (oldSlots[i] <= 0) continue;
      let s = oldHashes[i] & mask;
      while (this.slots[s] !== EMPTY) s = (s + 1) & mask;
      this.slots[s] = oldSlots[i];
      this.hashes[s] = oldHashes[i];
    }
  }
}
