/**
 * The settings the CLI and the cluster processes need, read from the typed configuration: cluster.yaml
 * (the -c path, else $SLUICE_CONFIG_FILE, else ./cluster.yaml) + -D overrides + command-line flags.
 * SLUICE_SECRET, when set, wins over sluice.security.secret (it keeps the secret out of files).
 */
import { loadConfiguration, type Configuration, type SluiceConfig } from '../config/index.js';

export interface ClusterSettings {
  restAddress: string;
  restPort: number;
  /** https under security.ssl.rest.enabled. */
  restScheme: 'http' | 'https';
  rpcHost: string;
  rpcPort: number;
  secret: string;
  slotsPerWorker: number;
  /** Task workers a mini cluster or `sluice cluster start` starts when --workers is not given. */
  miniClusterWorkers: number;
  /** The loaded configuration (REST reads it, and `/jobmanager/config` shows it). */
  config: Configuration;
  /** Its typed view, which the job manager and the task workers read. */
  typed: SluiceConfig;
}

export function loadClusterConfig(
  file: string | undefined,
  dOverrides: string[],
  flags: Record<string, string | undefined>,
): ClusterSettings {
  return clusterSettings(loadConfiguration({ file, dynamicProperties: dOverrides ?? [], overrides: flags }));
}

export function clusterSettings(c: Configuration, env: NodeJS.ProcessEnv = process.env): ClusterSettings {
  const t = c.typed;
  return {
    restAddress: t['rest.address'],
    restPort: t['rest.port'],
    restScheme: t['security.ssl.rest.enabled'] ? 'https' : 'http',
    rpcHost: t['jobmanager.rpc.address'],
    rpcPort: t['jobmanager.rpc.port'],
    secret: env.SLUICE_SECRET ?? t['sluice.security.secret'],
    slotsPerWorker: t['taskmanager.numberOfTaskSlots'],
    miniClusterWorkers: t['sluice.mini-cluster.workers'],
    config: c,
    typed: t,
  };
}
