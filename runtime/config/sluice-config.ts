/**
 * `SluiceConfig`: the one typed view of the configuration, derived from the option table in options.ts —
 * adding an option adds its field. Keys are Flink's dotted names; values are parsed once, here:
 * int/double/memory → number (memory in bytes), duration → number of milliseconds, boolean → boolean,
 * enum → its canonical spelling (aliases resolved), string → string. An option without a default that is
 * not set is `undefined`.
 *
 * Invariants: a SluiceConfig is frozen and complete (every option key is present); every value satisfies
 * its option's type, bounds and supported values, because `parseOptionValue` is also what validation uses.
 */
import { SluiceError } from '../errors/catalogue.js';
import { parseDurationMs, parseMemoryBytes } from './duration.js';
import { OPTIONS, OPTION_SPECS, type OptionSpec } from './options.js';

type Options = typeof OPTIONS;
export type OptionKey = keyof Options;

type ValueOf<S> = S extends { type: 'int' | 'double' | 'duration' | 'memory' }
  ? number
  : S extends { type: 'boolean' }
    ? boolean
    : S extends { type: 'enum'; values: readonly (infer V)[] }
      ? V
      : string;

/** The typed configuration: one field per option, named by its Flink key. Durations are in ms, sizes in bytes. */
export type SluiceConfig = {
  readonly [K in OptionKey]: Options[K] extends { default: string }
    ? ValueOf<Options[K]>
    : ValueOf<Options[K]> | undefined;
};

export type OptionValue = string | number | boolean;

/** The parsed value, or a problem description (without the key) for the caller to wrap. */
export function parseOptionValue(
  spec: OptionSpec,
  key: string,
  raw: string,
): { value: OptionValue } | { problem: string; unsupported?: true } {
  const parsed = parseTyped(spec, key, raw.trim());
  if ('problem' in parsed) return parsed;
  if (spec.supported) {
    const allowed = spec.supported.values.map((v) => parseTyped(spec, key, v));
    if (!allowed.some((a) => 'value' in a && a.value === parsed.value))
      return {
        problem: `sluice does not support ${key}: ${raw.trim()} (supported: ${spec.supported.values.join(', ')}): ${spec.supported.why}`,
        unsupported: true,
      };
  }
  return parsed;
}

function parseTyped(spec: OptionSpec, key: string, v: string): { value: OptionValue } | { problem: string } {
  switch (spec.type) {
    case 'string':
      return { value: v };
    case 'boolean':
      return v === 'true' || v === 'false' ? { value: v === 'true' } : { problem: 'expected true or false' };
    case 'enum': {
      const lower = v.toLowerCase();
      const hit = spec.values!.find((x) => x.toLowerCase() === lower) ?? spec.aliases?.[lower];
      return hit !== undefined
        ? { value: hit }
        : { problem: `expected one of ${[...spec.values!, ...Object.keys(spec.aliases ?? {})].join(', ')}` };
    }
    case 'int': {
      const n = Number(v);
      if (v === '' || !Number.isSafeInteger(n)) return { problem: 'expected an integer' };
      return bounded(spec, key, n);
    }
    case 'double': {
      const n = Number(v);
      if (v === '' || !Number.isFinite(n)) return { problem: 'expected a number such as 1.5' };
      return bounded(spec, key, n);
    }
    case 'duration': {
      const ms = parseDurationMs(v);
      if (ms === undefined)
        return { problem: 'expected a duration such as "200 ms", "10 s" or "1 min" (a plain number is milliseconds)' };
      return bounded(spec, key, ms);
    }
    case 'memory': {
      const b = parseMemoryBytes(v);
      if (b === undefined)
        return { problem: 'expected a memory size such as "64 mb" or "1048576" (a plain number is bytes)' };
      return bounded(spec, key, b);
    }
  }
}

function bounded(spec: OptionSpec, key: string, n: number): { value: number } | { problem: string } {
  if (spec.min !== undefined && n < spec.min) return { problem: `${key} must be at least ${spec.min}` };
  if (spec.max !== undefined && n > spec.max) return { problem: `${key} must be at most ${spec.max}` };
  return { value: n };
}

/**
 * Builds the typed configuration from effective string values (`get` returns the explicit value or the
 * option's default). Throws CONFIG_INVALID / CONFIG_UNSUPPORTED naming the key for a value that fails.
 */
export function toSluiceConfig(get: (key: string) => string | undefined): SluiceConfig {
  const out: Record<string, OptionValue | undefined> = {};
  for (const [key, spec] of Object.entries(OPTION_SPECS)) {
    const raw = get(key);
    if (raw === undefined) {
      out[key] = undefined;
      continue;
    }
    const r = parseOptionValue(spec, key, raw);
    if ('problem' in r)
      throw new SluiceError(
        r.unsupported ? 'CONFIG_UNSUPPORTED' : 'CONFIG_INVALID',
        r.unsupported ? r.problem : `configuration key ${key}: ${r.problem}, got "${raw}"`,
      );
    out[key] = r.value;
  }
  return Object.freeze(out) as unknown as SluiceConfig;
}

/** The typed configuration with every option at its default (what a run without cluster.yaml sees). */
export function defaultSluiceConfig(): SluiceConfig {
  return toSluiceConfig((k) => OPTION_SPECS[k]?.default);
}
