// Deterministic pseudo-random numbers: the same seed gives the same faults, data and lock collisions.

export type Rng = () => number;

/** mulberry32: small, fast, good enough for simulation (not for secrets). Returns floats in [0, 1). */
export function seededRng(seed: number | string): Rng {
  let a = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a 32-bit hash: derives independent seeds from names ("faults:job:7500..."). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A uniformly chosen integer in [0, n). */
export function pickIndex(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}
