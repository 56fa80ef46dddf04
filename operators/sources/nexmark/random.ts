/**
 * The generator's randomness: a small counter-based PRNG reseeded per event (by event number), so any event
 * can be generated on its own — by any subtask, after any restore — and is always the same. Nexmark's Java
 * generator draws from one unseeded SplittableRandom; the distributions below are the same, the sequence is
 * not (Nexmark's is not reproducible at all).
 *
 * Invariant: `reseed(n)` followed by the same calls yields the same values, in every process.
 */

export class EventRandom {
  private state = 0;

  reseed(eventNumber: number): this {
    // Mix both 32-bit halves of the event number (up to 2^53) into the state.
    const lo = eventNumber >>> 0;
    const hi = Math.floor(eventNumber / 4294967296) >>> 0;
    this.state = (Math.imul(lo ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(hi + 0x7f4a7c15, 0x85ebca6b)) | 0;
    return this;
  }

  /** Uniform 32-bit unsigned integer (SplitMix32 step). */
  nextUint32(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform in [0, 1) with 53 bits. */
  nextDouble(): number {
    return ((this.nextUint32() >>> 5) * 67108864 + (this.nextUint32() >>> 6)) / 9007199254740992;
  }

  /** Uniform integer in [0, n) for 1 ≤ n ≤ 2^53 (Java's nextInt/nextLong bound). */
  nextInt(n: number): number {
    return n <= 4294967296 ? Math.floor((this.nextUint32() / 4294967296) * n) : Math.floor(this.nextDouble() * n);
  }
}
