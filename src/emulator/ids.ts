// Salesforce record ids: 3-character key prefix, 3-character pod/instance part, 9-character
// base-62 counter (15 case-sensitive characters), plus a 3-character case-insensitive checksum.
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The 3-character suffix that makes a 15-character id case-insensitively unique. */
export function idChecksum(id15: string): string {
  let out = '';
  for (let block = 0; block < 3; block++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(block * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    out += SUFFIX[bits];
  }
  return out;
}

/** Converts a 15-character id to its 18-character form; 18-character ids are returned as they are. */
export function to18(id: string): string {
  if (id.length === 18) return id;
  if (id.length !== 15) throw new RangeError(`not a Salesforce id: ${id}`);
  return id + idChecksum(id);
}

/** True when `id` is a well-formed 15- or 18-character id (an 18-character id must carry its checksum). */
export function isValidId(id: string): boolean {
  if (!/^[a-zA-Z0-9]{15}([A-Z0-5]{3})?$/.test(id)) return false;
  return id.length === 15 || idChecksum(id.slice(0, 15)) === id.slice(15);
}

/** Builds the 18-character id for counter `n` under `keyPrefix` on pod `pod` (3 characters). */
export function makeId(keyPrefix: string, n: number, pod = '5g0'): string {
  if (!/^[a-zA-Z0-9]{3}$/.test(keyPrefix)) throw new RangeError(`bad key prefix: ${keyPrefix}`);
  let digits = '';
  let v = Math.floor(n);
  for (let i = 0; i < 9; i++) {
    digits = BASE62[v % 62] + digits;
    v = Math.floor(v / 62);
  }
  return to18(keyPrefix + pod + digits);
}

/** Compares two ids ignoring the 15/18 form difference. */
export function sameId(a: string, b: string): boolean {
  return a.slice(0, 15) === b.slice(0, 15);
}
