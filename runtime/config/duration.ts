/**
 * Flink's duration and memory-size syntax (`TimeUtils.parseDuration`, `MemorySize.parse`): an integer and an
 * optional unit ("200 ms", "10 s", "1 min", "2h"); a plain number is milliseconds (durations) or bytes
 * (memory sizes). Returns undefined on malformed input so callers can name the key in their error.
 */
const DURATION_UNITS: ReadonlyArray<[readonly string[], number]> = [
  [['d', 'day', 'days'], 86_400_000],
  [['h', 'hour', 'hours'], 3_600_000],
  [['min', 'm', 'minute', 'minutes'], 60_000],
  [['s', 'sec', 'secs', 'second', 'seconds'], 1000],
  [['ms', 'milli', 'millis', 'millisecond', 'milliseconds'], 1],
  [['µs', 'us', 'micro', 'micros', 'microsecond', 'microseconds'], 0.001],
  [['ns', 'nano', 'nanos', 'nanosecond', 'nanoseconds'], 0.000001],
];

const MEMORY_UNITS: ReadonlyArray<[readonly string[], number]> = [
  [['b', 'bytes'], 1],
  [['k', 'kb', 'kibibytes'], 1024],
  [['m', 'mb', 'mebibytes'], 1024 ** 2],
  [['g', 'gb', 'gibibytes'], 1024 ** 3],
  [['t', 'tb', 'tebibytes'], 1024 ** 4],
];

function parseWithUnits(text: string, units: ReadonlyArray<[readonly string[], number]>): number | undefined {
  const m = /^\s*(\d+)\s*([A-Za-zµ]*)\s*$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  if (unit === '') return n;
  for (const [names, factor] of units) if (names.includes(unit)) return n * factor;
  return undefined;
}

/** Milliseconds (floored for sub-millisecond units), or undefined if `text` is not a Flink duration. */
export function parseDurationMs(text: string): number | undefined {
  const v = parseWithUnits(text, DURATION_UNITS);
  return v === undefined ? undefined : Math.floor(v);
}

/** Bytes, or undefined if `text` is not a Flink memory size ("64 mb", "1g", "1048576"). */
export function parseMemoryBytes(text: string): number | undefined {
  return parseWithUnits(text, MEMORY_UNITS);
}
