/**
 * Where the CLI sends its REST requests: `-m host:port` when given; else, with high availability, the
 * REST address the leading job manager published in ZooKeeper; else `rest.address:rest.port`.
 *
 * `restClientOf` gives the client for that address with the TLS material of `security.ssl.rest.*` (the CA,
 * and the client certificate under `authentication-enabled`); `-m host:port` without a scheme is https when
 * REST TLS is on.
 *
 * Invariant: with HA and no leader published within the ZooKeeper connection timeout, the command fails
 * with HA_NO_LEADER naming the quorum — it never falls back to a configured address that may be a standby's.
 */
import { SluiceError } from '../errors/catalogue.js';
import { platform } from '../platform/index.js';
import { createHaServices, highAvailabilityEnabled, zookeeperOptions } from '../ha/create-ha-services.js';
import type { LeaderInfo } from '../ha/ha-services.js';
import { restClientTls } from '../config/tls-material.js';
import { loadClusterConfig } from './cluster-settings.js';
import { RestClient } from './rest-client.js';

/** The REST client for `-m` (or the configured or HA-published address), with the configured REST TLS. */
export async function restClientOf(
  m: string | undefined,
  cfgFile?: string,
  dynamic: string[] = [],
): Promise<RestClient> {
  const s = loadClusterConfig(cfgFile, dynamic ?? [], {});
  return new RestClient(await restUrlOf(m, cfgFile, dynamic), undefined, restClientTls(s.typed));
}

export async function restUrlOf(m: string | undefined, cfgFile?: string, dynamic: string[] = []): Promise<string> {
  const s = loadClusterConfig(cfgFile, dynamic ?? [], {});
  if (m) return /^https?:\/\//.test(m) ? m : `${s.restScheme}://${m}`;
  if (!highAvailabilityEnabled(s.typed)) return `${s.restScheme}://${s.restAddress}:${s.restPort}`;
  const ha = await createHaServices(s.typed, { contenderId: 'cli', log: () => {} });
  try {
    const retrieval = ha.leaderRetrieval();
    const leader = await new Promise<LeaderInfo | undefined>((resolve) => {
      const timer = platform.clock.setTimeout(
        () => resolve(undefined),
        s.typed['high-availability.zookeeper.client.connection-timeout'],
      );
      void retrieval.start((l) => {
        if (!l) return;
        platform.clock.clear(timer);
        resolve(l);
      });
    });
    if (!leader)
      throw new SluiceError(
        'HA_NO_LEADER',
        `no job manager leads cluster ${s.typed['high-availability.cluster-id']} on ZooKeeper ${zookeeperOptions(s.typed).quorum}`,
      );
    return leader.restUrl;
  } finally {
    await ha.close();
  }
}
