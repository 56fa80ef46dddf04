/**
 * Durations as the API accepts them: milliseconds, or an object with Flink's `toMillis()` (java.time
 * Duration) or `toMilliseconds()` (Flink's Time). `durationMs` validates and returns milliseconds.
 */
import { SluiceError } from '../errors/catalogue.js';

export type DurationLike = number | { toMillis(): number } | { toMilliseconds(): number };

export function durationMs(d: DurationLike, what: string): number {
  let ms: number;
  if (typeof d === 'number') ms = d;
  else if (d && typeof (d as { toMillis?: unknown }).toMillis === 'function')
    ms = (d as { toMillis(): number }).toMillis();
  else if (d && typeof (d as { toMilliseconds?: unknown }).toMilliseconds === 'function')
    ms = (d as { toMilliseconds(): number }).toMilliseconds();
  else throw new SluiceError('API_INVALID_ARGUMENT', `${what}: expected milliseconds or a Duration`);
  if (!Number.isFinite(ms)) throw new SluiceError('API_INVALID_ARGUMENT', `${what}: ${ms} is not a duration`);
  return ms;
}
