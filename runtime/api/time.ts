/**
 * Time constants shared by every event-time component.
 *
 * Invariants: timestamps are epoch milliseconds held in JS numbers. Java's Long.MIN_VALUE (−2^63) is
 * exactly representable; Long.MAX_VALUE is represented by 2^63 (the nearest double) and printed as
 * "9223372036854775807" wherever Flink would show it. Arithmetic that can overflow in Java saturates here.
 */
export const LONG_MIN = -(2 ** 63);
export const LONG_MAX = 2 ** 63;

/** The watermark before any watermark was seen (Flink's Long.MIN_VALUE). */
export const MIN_WATERMARK = LONG_MIN;
/** The watermark a bounded source emits at end of input, and `stop --drain` emits (Flink's Long.MAX_VALUE). */
export const MAX_WATERMARK = LONG_MAX;

/** Saturating addition, as Flink's `cleanupTime` overflow guard. */
export function saturatingAdd(a: number, b: number): number {
  const r = a + b;
  if (r >= LONG_MAX) return LONG_MAX;
  if (r <= LONG_MIN) return LONG_MIN;
  return r;
}

/** Prints a timestamp the way Flink's REST API does (decimal long). */
export function formatLong(ms: number): string {
  if (ms >= LONG_MAX) return '9223372036854775807';
  if (ms <= LONG_MIN) return '-9223372036854775808';
  return String(Math.trunc(ms));
}

export enum TimeDomain {
  EVENT_TIME = 'EVENT_TIME',
  PROCESSING_TIME = 'PROCESSING_TIME',
}
