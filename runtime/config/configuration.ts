/**
 * `Configuration`: the resolved, validated flat configuration (Flink's dotted keys → string values) with
 * typed accessors. Values not set explicitly fall back to the defaults in options.ts; deprecated 1.x
 * keys are accepted by every accessor and resolved to their 2.x names.
 *
 * `typed` is the `SluiceConfig` (sluice-config.ts) the runtime reads; the string accessors serve the REST
 * layer and keys outside the option table.
 *
 * Invariants: immutable after construction; every explicit value of a known option has already been
 * validated against its type (see validate.ts), so typed accessors only fail for unset keys without a
 * default or for keys outside the option table.
 */
import { SluiceError } from '../errors/catalogue.js';
import { parseDurationMs, parseMemoryBytes } from './duration.js';
import { DEPRECATED_ALIASES, isSensitiveKey } from './option-keys.js';
import { OPTION_SPECS } from './options.js';
import { type SluiceConfig, toSluiceConfig } from './sluice-config.js';

export type TokenScope = 'read' | 'mutate';
export interface RestToken {
  token: string;
  scopes: ReadonlySet<TokenScope>;
}

export const REDACTED = '******';

export class Configuration {
  private readonly values: ReadonlyMap<string, string>;
  private typedView: SluiceConfig | undefined;

  /** `values` are explicit settings (already alias-resolved and validated); defaults fill the rest. */
  constructor(values: Record<string, string> | ReadonlyMap<string, string> = {}) {
    const m = new Map<string, string>();
    for (const [k, v] of values instanceof Map ? values : Object.entries(values)) m.set(canonicalKey(k), v);
    this.values = m;
  }

  /** The typed configuration (parsed once, on first use): what the job manager, workers and local runs read. */
  get typed(): SluiceConfig {
    this.typedView ??= toSluiceConfig((k) => this.get(k));
    return this.typedView;
  }

  /** The explicit value, else the option's default, else undefined. */
  get(key: string): string | undefined {
    const k = canonicalKey(key);
    return this.values.get(k) ?? OPTION_SPECS[k]?.default;
  }

  /** True when the key was set explicitly (defaults do not count). */
  isSet(key: string): boolean {
    return this.values.has(canonicalKey(key));
  }

  getString(key: string, fallback?: string): string {
    const v = this.get(key) ?? fallback;
    if (v === undefined)
      throw new SluiceError('CONFIG_INVALID', `configuration key ${canonicalKey(key)} has no value and no default`);
    return v;
  }

  getInt(key: string, fallback?: number): number {
    const v = this.get(key);
    if (v === undefined && fallback !== undefined) return fallback;
    const s = this.getString(key);
    const n = Number(s.trim());
    if (!Number.isSafeInteger(n) || s.trim() === '') throw invalid(key, s, 'an integer');
    return n;
  }

  getBoolean(key: string, fallback?: boolean): boolean {
    const v = this.get(key);
    if (v === undefined && fallback !== undefined) return fallback;
    const s = this.getString(key).trim().toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
    throw invalid(key, s, 'true or false');
  }

  getDurationMs(key: string, fallback?: number): number {
    const v = this.get(key);
    if (v === undefined && fallback !== undefined) return fallback;
    const s = this.getString(key);
    const ms = parseDurationMs(s);
    if (ms === undefined) throw invalid(key, s, 'a duration such as "200 ms", "10 s" or "1 min"');
    return ms;
  }

  getMemoryBytes(key: string, fallback?: number): number {
    const v = this.get(key);
    if (v === undefined && fallback !== undefined) return fallback;
    const s = this.getString(key);
    const b = parseMemoryBytes(s);
    if (b === undefined) throw invalid(key, s, 'a memory size such as "64 mb" or "1048576"');
    return b;
  }

  /** REST bearer tokens from `sluice.security.tokens` (empty when unset). */
  restTokens(): RestToken[] {
    const v = this.get('sluice.security.tokens');
    return v === undefined ? [] : parseTokens(v, 'sluice.security.tokens');
  }

  /**
   * Every key with its effective value (defaults included unless `explicitOnly`), sorted by key, for
   * `/jobmanager/config` and for handing to the job manager. `redactSensitive` hides secrets as Flink does.
   */
  toFlatObject(opts: { redactSensitive?: boolean; explicitOnly?: boolean } = {}): Record<string, string> {
    const all = new Map<string, string>();
    if (!opts.explicitOnly)
      for (const [k, spec] of Object.entries(OPTION_SPECS)) if (spec.default !== undefined) all.set(k, spec.default);
    for (const [k, v] of this.values) all.set(k, v);
    const out: Record<string, string> = {};
    for (const k of [...all.keys()].sort()) out[k] = opts.redactSensitive && isSensitiveKey(k) ? REDACTED : all.get(k)!;
    return out;
  }

  /** Effective values (defaults included), unredacted: the flat map the job manager and workers consume. */
  get flat(): Record<string, string> {
    return this.toFlatObject();
  }

  /** A copy with `overrides` applied on top (keys alias-resolved; values not re-validated). */
  with(overrides: Record<string, string>): Configuration {
    const m = new Map(this.values);
    for (const [k, v] of Object.entries(overrides)) m.set(canonicalKey(k), v);
    return new Configuration(m);
  }
}

export function canonicalKey(key: string): string {
  return DEPRECATED_ALIASES[key] ?? key;
}

function invalid(key: string, value: string, expected: string): SluiceError {
  return new SluiceError(
    'CONFIG_INVALID',
    `configuration key ${canonicalKey(key)}: expected ${expected}, got "${value}"`,
  );
}

/** Parses `"<token>:<scope>[,<scope>]; …"`; scopes are `read` and `mutate` (mutate does not imply read). */
export function parseTokens(value: string, key: string): RestToken[] {
  const out: RestToken[] = [];
  for (const entry of value
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const i = entry.lastIndexOf(':');
    if (i <= 0)
      throw new SluiceError(
        'CONFIG_INVALID',
        `configuration key ${key}: entry without scopes (expected "<token>:read,mutate")`,
      );
    const token = entry.slice(0, i).trim();
    const scopes = entry
      .slice(i + 1)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (token.length < 16)
      throw new SluiceError('CONFIG_INVALID', `configuration key ${key}: tokens must be at least 16 characters long`);
    for (const s of scopes)
      if (s !== 'read' && s !== 'mutate')
        throw new SluiceError(
          'CONFIG_INVALID',
          `configuration key ${key}: unknown scope "${s}" (expected read or mutate)`,
        );
    if (scopes.length === 0) throw new SluiceError('CONFIG_INVALID', `configuration key ${key}: token without scopes`);
    out.push({ token, scopes: new Set(scopes as TokenScope[]) });
  }
  return out;
}
