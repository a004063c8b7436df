// Parent-record locks held by internal batches while they are processed. One registry is shared by every
// job of the emulator, so batches of different jobs running at the same moment contend like on a real org.

/** Lock key of a record id: its case-sensitive 15-character form (15- and 18-character ids lock the same row). */
export function lockKey(id: string): string {
  return id.length > 15 ? id.slice(0, 15) : id;
}

export class LockRegistry {
  /** parent key -> holders (batch keys such as `<jobId>#<batchIndex>`) */
  private readonly held = new Map<string, Set<string>>();
  /** holder -> parent keys it holds */
  private readonly byHolder = new Map<string, Set<string>>();

  /** Registers `holder` as holding every parent in `parents` (ids or lock keys). */
  acquire(holder: string, parents: Iterable<string>): void {
    let mine = this.byHolder.get(holder);
    if (!mine) {
      mine = new Set();
      this.byHolder.set(holder, mine);
    }
    for (const p of parents) {
      const k = lockKey(p);
      if (mine.has(k)) continue;
      mine.add(k);
      let hs = this.held.get(k);
      if (!hs) {
        hs = new Set();
        this.held.set(k, hs);
      }
      hs.add(holder);
    }
  }

  /** Releases every lock of `holder`. */
  release(holder: string): void {
    const mine = this.byHolder.get(holder);
    if (!mine) return;
    for (const k of mine) {
      const hs = this.held.get(k);
      if (!hs) continue;
      hs.delete(holder);
      if (hs.size === 0) this.held.delete(k);
    }
    this.byHolder.delete(holder);
  }

  /** True when a holder other than `holder` holds `parent`. */
  heldByOther(parent: string, holder: string): boolean {
    const hs = this.held.get(lockKey(parent));
    if (!hs) return false;
    if (hs.size > 1) return true;
    return !hs.has(holder);
  }

  /** Number of parents currently locked (diagnostics and tests). */
  get size(): number {
    return this.held.size;
  }
}
