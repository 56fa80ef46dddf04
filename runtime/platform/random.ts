/**
 * Randomness: ids and seeded generators. Ids come from crypto; seeded generators (mulberry32) make data
 * generators and tests reproducible.
 */
import { randomBytes } from 'node:crypto';

export function randomHex(chars: number): string {
  return randomBytes(Math.ceil(chars / 2))
    .toString('hex')
    .slice(0, chars);
}

/** A 32-hex id as Flink's JobID/trigger ids. */
export function newId32(): string {
  return randomHex(32);
}

/** Deterministic PRNG (mulberry32) returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
