/**
 * Loads the cluster configuration: a YAML file (standard YAML; nested maps and flat dotted keys both
 * flatten to Flink's dotted keys) — the `-c` path, else `$SLUICE_CONFIG_FILE`, else `./cluster.yaml` if
 * present, found the same way by the CLI, the cluster processes and local runs — then `-D key=value`
 * dynamic properties, then programmatic overrides,
 * over the defaults in options.ts. Every explicit value is validated and deprecated keys are resolved.
 *
 * Invariants: the same key given twice in one file with different values (nested and flat, or under its
 * 1.x and 2.x names) is an error; later sources override earlier ones, and a repeated -D wins last.
 */
import { parse } from 'yaml';
import { SluiceError } from '../errors/catalogue.js';
import { platform } from '../platform/index.js';
import { Configuration, canonicalKey } from './configuration.js';
import { validateCrossKeys, validateEntry } from './validate.js';

export const DEFAULT_CONFIG_FILE = 'cluster.yaml';
/** Environment variable naming the configuration file when no path is given (`-c` wins over it). */
export const CONFIG_FILE_ENV = 'SLUICE_CONFIG_FILE';

/** The file used when none is given: `$SLUICE_CONFIG_FILE` if set, else `./cluster.yaml` if it exists, else none. */
export function configFileToUse(): string | undefined {
  const fromEnv = process.env[CONFIG_FILE_ENV];
  if (fromEnv) return fromEnv;
  return platform.files.exists(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined;
}

export interface LoadOptions {
  /** Path of the YAML file; undefined: `configFileToUse()` ($SLUICE_CONFIG_FILE, else ./cluster.yaml); false: none. */
  file?: string | false;
  /** YAML text instead of a file (tests, embedded configs). */
  yamlText?: string;
  /** `-D` arguments, each `key=value`. */
  dynamicProperties?: readonly string[];
  /** Highest-precedence settings (CLI flags). */
  overrides?: Readonly<Record<string, string | number | boolean | undefined>>;
}

export function loadConfiguration(opts: LoadOptions = {}): Configuration {
  const values = new Map<string, string>();
  let where = 'configuration';
  if (opts.yamlText !== undefined) addAll(values, parseYaml(opts.yamlText, 'configuration text'), 'configuration text');
  else {
    const file = opts.file === undefined ? configFileToUse() : opts.file || undefined;
    if (file !== undefined) {
      let text: string;
      try {
        text = platform.files.readText(file);
      } catch (e) {
        throw new SluiceError('CONFIG_INVALID', `cannot read configuration file ${file}: ${(e as Error).message}`);
      }
      where = file;
      addAll(values, parseYaml(text, file), file);
    }
  }
  addAll(values, parseDynamicProperties(opts.dynamicProperties ?? []), '-D', false);
  const flags: [string, string][] = [];
  for (const [k, v] of Object.entries(opts.overrides ?? {})) if (v !== undefined) flags.push([k, String(v)]);
  addAll(values, flags, 'command line', false);
  const cfg = new Configuration(values);
  validateCrossKeys((k) => cfg.get(k), where);
  void cfg.typed; // parsed once, now: a value that cannot be typed fails the load, not a later reader
  return cfg;
}

/** Later entries override earlier ones; within a file (`strictDuplicates`) a key given twice differently is an error. */
function addAll(
  into: Map<string, string>,
  entries: Iterable<[string, string]>,
  where: string,
  strictDuplicates = true,
): void {
  const seen = new Map<string, string>();
  for (const [key, value] of entries) {
    validateEntry(key, value, where);
    const k = canonicalKey(key);
    const prior = seen.get(k);
    if (strictDuplicates && prior !== undefined && into.get(k) !== value) {
      throw new SluiceError(
        'CONFIG_INVALID',
        `${where}: ${k} is set twice (${prior === k ? '' : `as ${prior} and `}as ${key}) with different values`,
      );
    }
    seen.set(k, key);
    into.set(k, value);
  }
}

/** `["a.b=1", "c=x=y"]` → entries; the first `=` separates key and value. */
export function parseDynamicProperties(props: readonly string[]): [string, string][] {
  return props.map((p) => {
    const i = p.indexOf('=');
    if (i <= 0) throw new SluiceError('CONFIG_INVALID', `-D ${p}: expected key=value`);
    return [p.slice(0, i).trim(), p.slice(i + 1).trim()];
  });
}

function parseYaml(text: string, where: string): [string, string][] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new SluiceError('CONFIG_INVALID', `${where}: not valid YAML: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) return [];
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new SluiceError('CONFIG_INVALID', `${where}: expected a mapping of configuration keys at the top level`);
  const out: [string, string][] = [];
  flatten('', doc, out, where);
  return out;
}

function flatten(prefix: string, v: unknown, out: [string, string][], where: string): void {
  if (v === null || v === undefined) return; // `key:` with no value means unset
  if (typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>))
      flatten(prefix ? `${prefix}.${k}` : k, x, out, where);
    return;
  }
  if (Array.isArray(v)) {
    out.push([prefix, v.map((x) => listItem(prefix, x, where)).join(';')]);
    return;
  }
  out.push([prefix, String(v)]);
}

/** List items are scalars, or `{token, scopes}` maps for `sluice.security.tokens`. */
function listItem(key: string, x: unknown, where: string): string {
  if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
    const t = x as { token?: unknown; scopes?: unknown };
    if (typeof t.token === 'string' && Array.isArray(t.scopes)) return `${t.token}:${t.scopes.join(',')}`;
    throw new SluiceError('CONFIG_INVALID', `${where}: ${key}: list items must be scalars`);
  }
  return String(x);
}
