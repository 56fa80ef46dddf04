/**
 * `Duration` (Flink 2.x takes `java.time.Duration` wherever 1.x took `Time`) and the deprecated `Time`
 * alias, plus `toMillis(value, where)`: every API that takes a time span accepts milliseconds as a
 * number, a `Duration` or a `Time`, and converts them here.
 *
 * Invariants: a Duration holds whole milliseconds (Flink's windows, timers and checkpoints are in ms;
 * `ofNanos` and sub-millisecond parts are not offered); `toMillis` never returns NaN — a value it cannot
 * read is an API_INVALID_ARGUMENT naming the API it was passed to.
 */
import { SluiceError } from '../errors/catalogue.js';
import { deprecated } from './deprecation.js';

export class Duration {
  static readonly ZERO = new Duration(0);
  private constructor(private readonly millis: number) {}

  static ofMillis(ms: number): Duration {
    return new Duration(checked(ms, 1, 'Duration.ofMillis'));
  }
  static ofSeconds(s: number): Duration {
    return new Duration(checked(s, 1000, 'Duration.ofSeconds'));
  }
  static ofMinutes(m: number): Duration {
    return new Duration(checked(m, 60_000, 'Duration.ofMinutes'));
  }
  static ofHours(h: number): Duration {
    return new Duration(checked(h, 3_600_000, 'Duration.ofHours'));
  }
  static ofDays(d: number): Duration {
    return new Duration(checked(d, 86_400_000, 'Duration.ofDays'));
  }
  toMillis(): number {
    return this.millis;
  }
  /** Flink 1.x `Time#toMilliseconds`, kept so ported code that calls it still works. */
  toMilliseconds(): number {
    return this.millis;
  }
  toSeconds(): number {
    return Math.trunc(this.millis / 1000);
  }
  isNegative(): boolean {
    return this.millis < 0;
  }
  isZero(): boolean {
    return this.millis === 0;
  }
  plus(other: Duration): Duration {
    return new Duration(this.millis + other.millis);
  }
  equals(other: unknown): boolean {
    return other instanceof Duration && other.millis === this.millis;
  }
  /** ISO-8601, as java.time.Duration prints (`PT5S`, `PT0.25S`, `PT1H30M`). */
  toString(): string {
    if (this.millis === 0) return 'PT0S';
    const sign = this.millis < 0 ? '-' : '';
    let ms = Math.abs(this.millis);
    const h = Math.floor(ms / 3_600_000);
    ms -= h * 3_600_000;
    const m = Math.floor(ms / 60_000);
    ms -= m * 60_000;
    const s = ms / 1000;
    return `PT${h ? `${sign}${h}H` : ''}${m ? `${sign}${m}M` : ''}${s ? `${sign}${s}S` : ''}`;
  }
}

/**
 * Flink 1.x `org.apache.flink.streaming.api.windowing.time.Time`, removed in 2.x: each factory warns once
 * and returns the equivalent Duration.
 */
export const Time = {
  milliseconds(ms: number): Duration {
    deprecated('Time.milliseconds()', 'Duration.ofMillis()');
    return Duration.ofMillis(ms);
  },
  seconds(s: number): Duration {
    deprecated('Time.seconds()', 'Duration.ofSeconds()');
    return Duration.ofSeconds(s);
  },
  minutes(m: number): Duration {
    deprecated('Time.minutes()', 'Duration.ofMinutes()');
    return Duration.ofMinutes(m);
  },
  hours(h: number): Duration {
    deprecated('Time.hours()', 'Duration.ofHours()');
    return Duration.ofHours(h);
  },
  days(d: number): Duration {
    deprecated('Time.days()', 'Duration.ofDays()');
    return Duration.ofDays(d);
  },
  of(size: number, unit: 'MILLISECONDS' | 'SECONDS' | 'MINUTES' | 'HOURS' | 'DAYS'): Duration {
    deprecated('Time.of()', 'Duration.of…()');
    const factor = { MILLISECONDS: 1, SECONDS: 1000, MINUTES: 60_000, HOURS: 3_600_000, DAYS: 86_400_000 }[unit];
    if (factor === undefined)
      throw new SluiceError('API_INVALID_ARGUMENT', `Time.of(${size}, ${String(unit)}): unknown time unit`);
    return Duration.ofMillis(checked(size, factor, 'Time.of'));
  },
};
export type Time = Duration;

/** A time span as the API takes it: milliseconds, or a Duration (Time is one). */
export type TimeSpan = number | Duration;

/** Milliseconds of a number / Duration / Time argument; `where` names the API for the error. */
export function toMillis(value: TimeSpan, where: string): number {
  if (typeof value === 'number' && !Number.isNaN(value)) return value;
  if (value instanceof Duration) return value.toMillis();
  const v = value as unknown as { toMillis?: () => unknown; toMilliseconds?: () => unknown };
  const ms =
    typeof v?.toMillis === 'function'
      ? v.toMillis()
      : typeof v?.toMilliseconds === 'function'
        ? v.toMilliseconds()
        : NaN;
  if (typeof ms === 'number' && !Number.isNaN(ms)) return ms;
  throw new SluiceError(
    'API_INVALID_ARGUMENT',
    `${where}: expected milliseconds or a Duration (Duration.ofSeconds(5)), got ${describeValue(value)}`,
  );
}

function checked(n: number, factor: number, where: string): number {
  if (typeof n !== 'number' || !Number.isFinite(n))
    throw new SluiceError('API_INVALID_ARGUMENT', `${where}(${String(n)}): expected a finite number`);
  const ms = n * factor;
  if (!Number.isSafeInteger(Math.round(ms)))
    throw new SluiceError('API_INVALID_ARGUMENT', `${where}(${n}): out of range`);
  return Math.round(ms);
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'no prototype'})`;
  return `${typeof v} ${String(v)}`;
}
