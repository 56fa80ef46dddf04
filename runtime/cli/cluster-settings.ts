/**
 * The settings the CLI and the cluster processes need, read from cluster.yaml (+ -D overrides and
 * command-line flags) through runtime/config, with sluice's mini-cluster defaults.
 */
import { loadConfiguration } from './config-file.js';

export interface ClusterSettings {
  restAddress: string;
  restPort: number;
  rpcHost: string;
  rpcPort: number;
  secret: string;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  defaultParallelism: number;
  slotsPerWorker: number;
  dataBindHost: string;
  flat: Record<string, string>;
}

export function loadClusterConfig(file: string | undefined, dOverrides: string[], flags: Record<string, string | undefined>): ClusterSettings {
  const overrides: Record<string, string> = {};
  for (const kv of dOverrides ?? []) {
    const i = kv.indexOf('=');
    if (i > 0) overrides[kv.slice(0, i)] = kv.slice(i + 1);
  }
  for (const [k, v] of Object.entries(flags)) if (v !== undefined) overrides[k] = v;
  const c = loadConfiguration({ file, overrides });
  return {
    restAddress: c.getString('rest.address'),
    restPort: c.getInt('rest.port'),
    rpcHost: c.getString('jobmanager.rpc.address'),
    rpcPort: c.getInt('jobmanager.rpc.port'),
    secret: process.env.SLUICE_SECRET ?? c.getString('sluice.security.secret'),
    heartbeatIntervalMs: c.getDurationMs('heartbeat.interval'),
    heartbeatTimeoutMs: c.getDurationMs('heartbeat.timeout'),
    defaultParallelism: c.getInt('parallelism.default'),
    slotsPerWorker: c.getInt('taskmanager.numberOfTaskSlots'),
    dataBindHost: c.getString('taskmanager.host'),
    flat: c.toFlatObject(),
  };
}
