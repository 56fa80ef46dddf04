/**
 * Key-group assignment exactly as Flink's KeyGroupRangeAssignment and MathUtils (docs/flink-notes.md §3):
 * key → murmurHash(hashCode) % maxP → kg * p / maxP. Ranges are contiguous and inclusive.
 *
 * Invariants: 0 < p <= maxP <= 32768; operatorIndex(kg) is the unique op whose range contains kg.
 */
import { SluiceError } from '../errors/catalogue.js';
import type { KeyGroupRange } from '../api/operator.js';
import { javaHashCode } from '../api/java-hash.js';

export const UPPER_BOUND_MAX_PARALLELISM = 1 << 15;
export const DEFAULT_LOWER_BOUND_MAX_PARALLELISM = 1 << 7;

function rotl32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** Flink MathUtils.murmurHash(int): a non-negative int32. */
export function murmurHash(code: number): number {
  code = Math.imul(code | 0, 0xcc9e2d51);
  code = rotl32(code, 15);
  code = Math.imul(code, 0x1b873593);
  code = rotl32(code, 13);
  code = (Math.imul(code, 5) + 0xe6546b64) | 0;
  code ^= 4;
  // bitMix (fmix32)
  code ^= code >>> 16;
  code = Math.imul(code, 0x85ebca6b);
  code ^= code >>> 13;
  code = Math.imul(code, 0xc2b2ae35);
  code ^= code >>> 16;
  if (code >= 0) return code;
  return code !== -2147483648 ? -code : 0;
}

export function computeKeyGroupForKeyHash(keyHash: number, maxParallelism: number): number {
  return murmurHash(keyHash) % maxParallelism;
}

export function assignToKeyGroup(key: unknown, maxParallelism: number): number {
  return murmurHash(javaHashCode(key)) % maxParallelism;
}

export function computeOperatorIndexForKeyGroup(maxParallelism: number, parallelism: number, keyGroup: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

export function assignKeyToParallelOperator(key: unknown, maxParallelism: number, parallelism: number): number {
  return computeOperatorIndexForKeyGroup(maxParallelism, parallelism, assignToKeyGroup(key, maxParallelism));
}

export function computeKeyGroupRangeForOperatorIndex(
  maxParallelism: number,
  parallelism: number,
  operatorIndex: number,
): KeyGroupRange {
  checkParallelismBounds(parallelism, maxParallelism);
  if (!Number.isInteger(operatorIndex) || operatorIndex < 0 || operatorIndex >= parallelism) {
    throw new SluiceError(
      'API_INVALID_ARGUMENT',
      `operator index ${operatorIndex} is outside [0, ${parallelism - 1}] for parallelism ${parallelism}`,
    );
  }
  const start = Math.floor((operatorIndex * maxParallelism + parallelism - 1) / parallelism);
  const end = Math.floor(((operatorIndex + 1) * maxParallelism - 1) / parallelism);
  return { start, end };
}

export function roundUpToPowerOfTwo(x: number): number {
  x = x - 1;
  x |= x >> 1;
  x |= x >> 2;
  x |= x >> 4;
  x |= x >> 8;
  x |= x >> 16;
  return x + 1;
}

export function computeDefaultMaxParallelism(parallelism: number): number {
  const p = parallelism | 0;
  return Math.min(
    Math.max(roundUpToPowerOfTwo(p + (p >> 1)), DEFAULT_LOWER_BOUND_MAX_PARALLELISM),
    UPPER_BOUND_MAX_PARALLELISM,
  );
}

/** Throws unless 0 < parallelism <= maxParallelism <= 32768 (all integers). */
export function checkParallelismBounds(parallelism: number, maxParallelism: number): void {
  if (!Number.isInteger(parallelism) || parallelism <= 0) {
    throw new SluiceError('API_INVALID_ARGUMENT', `parallelism must be a positive integer, got ${parallelism}`);
  }
  if (!Number.isInteger(maxParallelism) || maxParallelism <= 0 || maxParallelism > UPPER_BOUND_MAX_PARALLELISM) {
    throw new SluiceError(
      'API_INVALID_ARGUMENT',
      `max parallelism must be an integer in [1, ${UPPER_BOUND_MAX_PARALLELISM}], got ${maxParallelism}`,
    );
  }
  if (parallelism > maxParallelism) {
    throw new SluiceError(
      'API_PARALLELISM_ABOVE_MAX',
      `parallelism ${parallelism} exceeds max parallelism ${maxParallelism}`,
    );
  }
}

export function keyGroupRangeContains(range: KeyGroupRange, keyGroup: number): boolean {
  return keyGroup >= range.start && keyGroup <= range.end;
}

export function keyGroupRangeSize(range: KeyGroupRange): number {
  return range.end >= range.start ? range.end - range.start + 1 : 0;
}
