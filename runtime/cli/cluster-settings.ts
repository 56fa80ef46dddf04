/**
 * The settings the CLI and the cluster processes need, read from cluster.yaml (+ -D overrides and
 * command-line flags) through runtime/config, with sluice's mini-cluster defaults.
 */
import { loadConfiguration, type Configuration } from '../config/index.js';

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
  buffersPerChannel: number;
  config: Configuration;
}

export function loadClusterConfig(
  file: string | undefined,
  dOverrides: string[],
  flags: Record<string, string | undefined>,
): ClusterSettings {
  const c = loadConfiguration({ file, dynamicProperties: dOverrides ?? [], overrides: flags });
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
    buffersPerChannel: c.getInt('sluice.network.buffers-per-channel'),
    config: c,
  };
}
