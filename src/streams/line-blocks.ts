// A byte stream cut into blocks of whole lines (each ends at a newline, the last one at the end of input), pulled
// with backpressure: nothing is read before the consumer asks for the next block. No per-line work: a block is
// cut at the last newline of what has arrived, so a line or a multi-byte character split across reads is never cut.
// A block is handed over once it reaches `blockBytes`, or earlier when no more input arrives for a moment (a slow
// producer's lines are not held back until a block fills; a fast one's reads, 64 KB from a pipe, are gathered).
import type { Readable } from 'node:stream';

/** How long held lines wait for more input before they are handed over as a smaller block. */
const GATHER_MS = 2;

/** Resolves on the next readable/end/close (true), or after `ms` (false). */
function nextEvent(input: Readable, ms?: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const timer = ms === undefined ? undefined : setTimeout(() => {
      off();
      resolve(false);
    }, ms);
    const done = (): void => {
      off();
      resolve(true);
    };
    const fail = (e: Error): void => {
      off();
      reject(e);
    };
    const off = (): void => {
      clearTimeout(timer);
      input.off('readable', done);
      input.off('end', done);
      input.off('close', done);
      input.off('error', fail);
    };
    input.on('readable', done);
    input.on('end', done);
    input.on('close', done);
    input.on('error', fail);
  });
}

export async function* lineBlocks(input: Readable, blockBytes: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  /** Takes the first `n` held bytes as one block: a view when one read holds them, else a copy of just those. */
  const take = (n: number): Buffer => {
    const out = parts.length === 1 ? parts[0]!.subarray(0, n) : Buffer.concat(parts, n);
    const rest: Buffer[] = [];
    let skip = n;
    for (const p of parts) {
      if (skip >= p.length) skip -= p.length;
      else {
        rest.push(skip ? p.subarray(skip) : p);
        skip = 0;
      }
    }
    parts = rest;
    held -= n;
    return out;
  };
  /** Bytes held up to and including the last newline (0: none). */
  const wholeLines = (): number => {
    let before = held;
    for (let i = parts.length - 1; i >= 0; i--) {
      const p = parts[i]!;
      before -= p.length;
      const nl = p.lastIndexOf(10);
      if (nl !== -1) return before + nl + 1;
    }
    return 0;
  };
  for (;;) {
    if (input.errored) throw input.errored;
    const chunk = input.read() as Buffer | string | null;
    if (chunk !== null) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      parts.push(b);
      held += b.length;
      if (held >= blockBytes) {
        const nl = b.lastIndexOf(10);
        if (nl !== -1) {
          // A line begun in earlier reads ends in this one: it alone is copied, as a block of its own, so the rest
          // of this read goes on as a view (one whole-block copy per read cost ~3% of the target's transform).
          if (parts.length > 1) yield take(held - b.length + b.indexOf(10) + 1);
          const more = held - (b.length - nl - 1);
          if (more > 0) yield take(more);
        }
      }
      continue;
    }
    if (input.readableEnded) break;
    if (input.destroyed) {
      if (input.errored) throw input.errored;
      return; // destroyed by the consumer (stopping): a line cut short is not a line
    }
    // (read() returned null: the next push emits 'readable', so a listener attached now misses nothing.)
    const n = wholeLines();
    if (n === 0) await nextEvent(input); // nothing whole to hand over: wait for input
    else if (!(await nextEvent(input, GATHER_MS))) yield take(n); // no more came for a moment: hand over what is whole
  }
  if (held) yield take(held);
}
