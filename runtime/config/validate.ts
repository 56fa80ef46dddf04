/**
 * Validates explicit configuration values against the option table: types (int, boolean, duration,
 * memory, enum), lower bounds, cross-key rules (heartbeat timeout above interval), token syntax, and
 * misspelled keys under known namespaces (CONFIG_UNKNOWN_KEY with the nearest known key).
 *
 * Invariant: keys outside the checked namespaces, and keys far from every known key, pass through
 * untouched — a Flink config file with options sluice does not interpret still loads.
 */
import { SluiceError } from '../errors/catalogue.js';
import { canonicalKey, parseTokens } from './configuration.js';
import { parseDurationMs, parseMemoryBytes } from './duration.js';
import { nearestKey } from './nearest-key.js';
import { CHECKED_PREFIXES, DEPRECATED_ALIASES, OPTIONS, type OptionSpec } from './options.js';

/** `where` names the source in messages, e.g. "cluster.yaml" or "-D". */
export function validateEntry(key: string, value: string, where: string): void {
  const k = canonicalKey(key);
  const spec = OPTIONS[k];
  if (!spec) {
    checkUnknown(key, where);
    return;
  }
  const problem = checkValue(spec, value, k);
  if (problem) throw new SluiceError('CONFIG_INVALID', `${where}: ${key}: ${problem}, got "${value}"`);
  if (k === 'sluice.security.tokens') parseTokens(value, `${where}: ${key}`);
}

function checkUnknown(key: string, where: string): void {
  if (!CHECKED_PREFIXES.some((p) => key.startsWith(p))) return;
  const near = nearestKey(key, [...Object.keys(OPTIONS), ...Object.keys(DEPRECATED_ALIASES)]);
  const close = near !== undefined && near.distance <= Math.max(2, Math.floor(key.length / 8));
  if (close || key.startsWith('sluice.')) {
    const hint =
      near && close
        ? `; did you mean "${near.key}"?`
        : `; known sluice.* keys: ${Object.keys(OPTIONS)
            .filter((k) => k.startsWith('sluice.'))
            .join(', ')}`;
    throw new SluiceError('CONFIG_UNKNOWN_KEY', `${where}: unknown configuration key "${key}"${hint}`);
  }
}

function checkValue(spec: OptionSpec, raw: string, key: string): string | undefined {
  const v = raw.trim();
  switch (spec.type) {
    case 'string':
      return undefined;
    case 'boolean':
      return v === 'true' || v === 'false' ? undefined : 'expected true or false';
    case 'enum': {
      const hit = spec.values!.find((x) => x.toLowerCase() === v.toLowerCase());
      return hit ? undefined : `expected one of ${spec.values!.join(', ')}`;
    }
    case 'int': {
      const n = Number(v);
      if (v === '' || !Number.isSafeInteger(n)) return 'expected an integer';
      return belowMin(spec, n, key);
    }
    case 'duration': {
      const ms = parseDurationMs(v);
      if (ms === undefined)
        return 'expected a duration such as "200 ms", "10 s" or "1 min" (a plain number is milliseconds)';
      return belowMin(spec, ms, key);
    }
    case 'memory': {
      const b = parseMemoryBytes(v);
      if (b === undefined) return 'expected a memory size such as "64 mb" or "1048576" (a plain number is bytes)';
      return belowMin(spec, b, key);
    }
  }
}

function belowMin(spec: OptionSpec, n: number, key: string): string | undefined {
  return spec.min !== undefined && n < spec.min ? `${key} must be at least ${spec.min}` : undefined;
}

/** Rules spanning several keys, checked on the effective values. */
export function validateCrossKeys(get: (k: string) => string | undefined, where: string): void {
  const interval = parseDurationMs(get('heartbeat.interval') ?? '');
  const timeout = parseDurationMs(get('heartbeat.timeout') ?? '');
  if (interval !== undefined && timeout !== undefined && timeout <= interval) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `${where}: heartbeat.timeout (${timeout} ms) must be larger than heartbeat.interval (${interval} ms)`,
    );
  }
}
