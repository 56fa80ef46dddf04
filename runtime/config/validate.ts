/**
 * Validates explicit configuration values against the option table: types (int, double, boolean, duration,
 * memory, enum), bounds, values sluice does not implement (CONFIG_UNSUPPORTED, naming the key and what is
 * supported), cross-key rules (heartbeat timeout above interval, the adaptive scheduler only as reactive
 * mode), token syntax, and misspelled keys under known namespaces (CONFIG_UNKNOWN_KEY with the nearest key).
 *
 * Invariant: keys outside the checked namespaces, and keys far from every known key, pass through
 * untouched — a Flink config file with options sluice does not interpret still loads.
 */
import { SluiceError } from '../errors/catalogue.js';
import { canonicalKey, parseTokens } from './configuration.js';
import { parseDurationMs } from './duration.js';
import { nearestKey } from './nearest-key.js';
import { CHECKED_PREFIXES, DEPRECATED_ALIASES } from './option-keys.js';
import { OPTION_SPECS } from './options.js';
import { parseOptionValue } from './sluice-config.js';

/** `where` names the source in messages, e.g. "cluster.yaml" or "-D". */
export function validateEntry(key: string, value: string, where: string): void {
  const k = canonicalKey(key);
  const spec = OPTION_SPECS[k];
  if (!spec) {
    checkUnknown(key, where);
    return;
  }
  const r = parseOptionValue(spec, k, value);
  if ('problem' in r) {
    if (r.unsupported) throw new SluiceError('CONFIG_UNSUPPORTED', `${where}: ${r.problem}`);
    throw new SluiceError('CONFIG_INVALID', `${where}: ${key}: ${r.problem}, got "${value}"`);
  }
  if (k === 'sluice.security.tokens') parseTokens(value, `${where}: ${key}`);
}

function checkUnknown(key: string, where: string): void {
  if (!CHECKED_PREFIXES.some((p) => key.startsWith(p))) return;
  const near = nearestKey(key, [...Object.keys(OPTION_SPECS), ...Object.keys(DEPRECATED_ALIASES)]);
  const close = near !== undefined && near.distance <= Math.max(2, Math.floor(key.length / 8));
  if (close || key.startsWith('sluice.')) {
    const hint =
      near && close
        ? `; did you mean "${near.key}"?`
        : `; known sluice.* keys: ${Object.keys(OPTION_SPECS)
            .filter((k) => k.startsWith('sluice.'))
            .join(', ')}`;
    throw new SluiceError('CONFIG_UNKNOWN_KEY', `${where}: unknown configuration key "${key}"${hint}`);
  }
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
  for (const scope of ['internal', 'rest'] as const) {
    if (get(`security.ssl.${scope}.enabled`)?.trim().toLowerCase() !== 'true') continue;
    const missing = ['key', 'cert', 'truststore'].map((f) => `security.ssl.${scope}.${f}`).filter((k) => !get(k));
    if (missing.length)
      throw new SluiceError(
        'CONFIG_INVALID',
        `${where}: security.ssl.${scope}.enabled needs ${missing.join(', ')} (PEM files; sluice reads no Java keystores: export the key and certificates with openssl or keytool)`,
      );
  }
  if (get('high-availability.type')?.trim().toLowerCase() === 'zookeeper') {
    for (const k of ['high-availability.zookeeper.quorum', 'high-availability.storageDir'])
      if (!get(k)?.trim())
        throw new SluiceError('CONFIG_INVALID', `${where}: high-availability.type: zookeeper needs ${k}`);
  }
  if (get('jobmanager.scheduler')?.trim().toLowerCase() === 'adaptive' && get('scheduler-mode') === undefined) {
    throw new SluiceError(
      'CONFIG_UNSUPPORTED',
      `${where}: sluice does not support jobmanager.scheduler: adaptive on its own; the adaptive scheduler is available as reactive mode (scheduler-mode: reactive)`,
    );
  }
}
