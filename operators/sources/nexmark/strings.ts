/**
 * Nexmark's string generators: short random words (3..maxLength characters, 1 in 13 a separator) and the
 * `extra` padding that brings each event to its configured average byte size (±20 %), cut from one reusable
 * 1 MiB string as Nexmark does so padding costs no per-character work.
 *
 * Invariant: deterministic given the EventRandom's state; the reusable string is the same in every process.
 */
import { EventRandom } from './random.js';

const MIN_STRING_LENGTH = 3;
const A = 97;

export function nextString(r: EventRandom, maxLength: number, special = ' '): string {
  let len = MIN_STRING_LENGTH + r.nextInt(maxLength - MIN_STRING_LENGTH);
  let s = '';
  while (len-- > 0) s += r.nextInt(13) === 0 ? special : String.fromCharCode(A + r.nextInt(26));
  return s.trim();
}

const REUSABLE_LENGTH = 1024 * 1024;
const REUSABLE = (() => {
  const r = new EventRandom().reseed(0x6e65786d); // fixed seed: the same padding in every process
  const codes = new Uint8Array(REUSABLE_LENGTH);
  for (let i = 0; i < REUSABLE_LENGTH; i++) codes[i] = A + r.nextInt(26);
  return new TextDecoder('latin1').decode(codes);
})();

export function nextExactString(r: EventRandom, length: number): string {
  const offset = r.nextInt(REUSABLE_LENGTH - length);
  return REUSABLE.substring(offset, offset + length);
}

/** Padding so that an event of `currentSize` bytes averages `desiredAverageSize` bytes. */
export function nextExtra(r: EventRandom, currentSize: number, desiredAverageSize: number): string {
  if (currentSize > desiredAverageSize) return '';
  const rest = desiredAverageSize - currentSize;
  const delta = Math.round(rest * 0.2);
  const size = rest - delta + (delta === 0 ? 0 : r.nextInt(2 * delta));
  return nextExactString(r, size);
}
