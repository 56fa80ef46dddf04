/**
 * Minimal cluster configuration loading for the CLI and cluster processes: `cluster.yaml` (standard YAML,
 * nested or flat keys, flattened to Flink's dotted keys), then `-D key=value` overrides, over sluice's
 * mini-cluster defaults. Values are strings, as in Flink's flat configuration.
 */
import { parse } from 'yaml';
import { SluiceError } from '../errors/catalogue.js';
import { platform } from '../platform/index.js';
import { durationMs } from '../jobmanager/job-config.js';

export const DEFAULTS: Record<string, string> = {
  'rest.address': '127.0.0.1',
  'rest.port': '8081',
  'jobmanager.rpc.address': '127.0.0.1',
  'jobmanager.rpc.port': '6123',
  'taskmanager.host': '127.0.0.1',
  'taskmanager.numberOfTaskSlots': '2',
  'parallelism.default': '1',
  'heartbeat.interval': '1000 ms',
  'heartbeat.timeout': '5000 ms',
  'execution.checkpointing.dir': './.sluice/checkpoints',
  'execution.checkpointing.savepoint-dir': './.sluice/savepoints',
  'sluice.security.secret': 'sluice-local-secret',
};

function flatten(prefix: string, v: unknown, out: Record<string, string>): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(prefix ? `${prefix}.${k}` : k, x, out);
  } else out[prefix] = Array.isArray(v) ? v.join(';') : String(v);
}

export interface FlatConfig {
  flat: Record<string, string>;
  getString(k: string): string;
  getInt(k: string): number;
  getDurationMs(k: string): number;
  toFlatObject(): Record<string, string>;
}

export function loadConfiguration(o: { file?: string; overrides?: Record<string, string> }): FlatConfig {
  const flat: Record<string, string> = { ...DEFAULTS };
  const file = o.file ?? (platform.fs.existsSync('cluster.yaml') ? 'cluster.yaml' : undefined);
  if (file) {
    let doc: unknown;
    try {
      doc = parse(platform.fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new SluiceError('CONFIG_INVALID', `${file}: not valid YAML: ${(e as Error).message}`);
    }
    if (doc) flatten('', doc, flat);
  }
  Object.assign(flat, o.overrides ?? {});
  const get = (k: string) => {
    const v = flat[k];
    if (v === undefined) throw new SluiceError('CONFIG_INVALID', `configuration key ${k} has no value`);
    return v;
  };
  return {
    flat,
    getString: get,
    getInt: (k) => {
      const n = Number(get(k));
      if (!Number.isInteger(n)) throw new SluiceError('CONFIG_INVALID', `${k}: expected an integer, got "${get(k)}"`);
      return n;
    },
    getDurationMs: (k) => {
      const n = durationMs(get(k), NaN);
      if (!Number.isFinite(n)) throw new SluiceError('CONFIG_INVALID', `${k}: expected a duration such as "500 ms" or "5 s", got "${get(k)}"`);
      return n;
    },
    toFlatObject: () => ({ ...flat }),
  };
}
