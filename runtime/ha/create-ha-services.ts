/**
 * The HA services a process's configuration asks for (`high-availability.type`), connected and ready.
 *
 * Invariant: with `zookeeper`, a quorum that cannot be reached within the connection timeout fails here,
 * with HA_UNREACHABLE naming the quorum, before the process serves anything.
 */
import { initializeS3FromConfig } from '../config/s3-settings.js';
import type { SluiceConfig } from '../config/sluice-config.js';
import { platform } from '../platform/index.js';
import { blobStoreFor } from './blob-store.js';
import type { HighAvailabilityServices, LeaderInfo } from './ha-services.js';
import { StandaloneHaServices } from './standalone-ha.js';
import { ZooKeeperHaServices } from './zookeeper-ha.js';

export function highAvailabilityEnabled(config: SluiceConfig): boolean {
  return config['high-availability.type'] === 'ZOOKEEPER';
}

export async function createHaServices(
  config: SluiceConfig,
  o: {
    contenderId: string;
    log: (m: string) => void;
    standaloneLeader?: Omit<LeaderInfo, 'sessionId'>;
    /** Without HA: record running jobs so a restarted job manager can report them lost (job managers only). */
    recordRunningJobs?: boolean;
  },
): Promise<HighAvailabilityServices> {
  // an s3:// storageDir or checkpoint directory goes through the process's S3 client, the one checkpoint
  // storage uses (s3.* keys)
  initializeS3FromConfig(config);
  if (!highAvailabilityEnabled(config)) {
    // the records live beside the checkpoints, on whichever storage they use (a local path or s3://)
    const dir = config['execution.checkpointing.dir'].replace(/\/+$/, '');
    const records = o.recordRunningJobs ? blobStoreFor(`${dir}/_running-jobs`, () => platform.s3.shared()) : undefined;
    return new StandaloneHaServices(o.standaloneLeader, records);
  }
  const z = zookeeperOptions(config);
  return ZooKeeperHaServices.connect({
    ...z,
    blobs: blobStoreFor(z.storageDir, () => platform.s3.shared()),
    contenderId: o.contenderId,
    log: o.log,
  });
}

/** The ZooKeeper settings of the configuration (validation made quorum and storageDir present). */
export function zookeeperOptions(config: SluiceConfig) {
  return {
    quorum: config['high-availability.zookeeper.quorum'] ?? '',
    sessionTimeoutMs: config['high-availability.zookeeper.client.session-timeout'],
    connectionTimeoutMs: config['high-availability.zookeeper.client.connection-timeout'],
    rootPath: config['high-availability.zookeeper.path.root'],
    clusterId: config['high-availability.cluster-id'],
    storageDir: config['high-availability.storageDir'] ?? '',
  };
}
