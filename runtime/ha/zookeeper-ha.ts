/**
 * High-availability services on ZooKeeper. Under `<path.root>/<cluster-id>`:
 *   leaderlatch/latch-N   the election (zookeeper-leader-election.ts)
 *   leader                the leader's addresses (ephemeral; JSON LeaderInfo)
 *   jobgraphs/<jobId>     pointer to a submitted job's blobs in storageDir (JSON)
 *   checkpoints/<jobId>   the job's latest completed checkpoint (JSON CheckpointPointer)
 * Bundles and submission metadata live in the blob store (`high-availability.storageDir`); ZooKeeper holds
 * only small pointers.
 *
 * Invariants: a job's blobs are written before its pointer, and its pointer removed before its blobs, so a
 * pointer never names missing blobs; one ZooKeeper session serves every service of a process.
 */
import { SluiceError } from '../errors/catalogue.js';
import type { BlobStore } from './blob-store.js';
import type {
  CheckpointPointer,
  CheckpointPointerStore,
  HighAvailabilityServices,
  JobStore,
  LeaderElection,
  LeaderInfo,
  LeaderRetrieval,
  SubmittedJob,
} from './ha-services.js';
import { ZkSession, type ZkOptions, zkPath } from './zk-client.js';
import { ZooKeeperLeaderElection } from './zookeeper-leader-election.js';

export interface ZooKeeperHaOptions extends ZkOptions {
  rootPath: string;
  clusterId: string;
  blobs: BlobStore;
  contenderId: string;
  log: (m: string) => void;
}

export class ZooKeeperHaServices implements HighAvailabilityServices {
  readonly kind = 'zookeeper' as const;
  readonly recoversJobs = true;
  readonly base: string;
  readonly jobStore: JobStore;
  readonly checkpointPointers: CheckpointPointerStore;
  private readonly closers: Array<() => Promise<void>> = [];

  private constructor(
    readonly zk: ZkSession,
    private readonly o: ZooKeeperHaOptions,
  ) {
    this.base = zkPath(o.rootPath, o.clusterId);
    this.jobStore = new ZooKeeperJobStore(zk, zkPath(this.base, 'jobgraphs'), o.blobs);
    this.checkpointPointers = new ZooKeeperCheckpointPointers(zk, zkPath(this.base, 'checkpoints'));
  }

  /** Connects to the quorum (HA_UNREACHABLE naming it when that fails) and creates the cluster's node. */
  static async connect(o: ZooKeeperHaOptions): Promise<ZooKeeperHaServices> {
    const zk = await ZkSession.connect(o);
    const s = new ZooKeeperHaServices(zk, o);
    await zk.mkdirp(s.base);
    return s;
  }

  leaderElection(): LeaderElection {
    const e = new ZooKeeperLeaderElection(this.zk, this.base, this.o.contenderId, this.o.log);
    this.closers.push(() => e.stop());
    return e;
  }

  leaderRetrieval(): LeaderRetrieval {
    const r = new ZooKeeperLeaderRetrieval(this.zk, zkPath(this.base, 'leader'));
    this.closers.push(() => r.stop());
    return r;
  }

  async close(): Promise<void> {
    for (const c of this.closers.splice(0)) await c().catch(() => {});
    this.zk.close();
  }
}

/** Watches the leader node; reports each change (undefined while no leader is published). */
class ZooKeeperLeaderRetrieval implements LeaderRetrieval {
  private listener: ((l: LeaderInfo | undefined) => void) | undefined;
  private last = '';
  private stopped = false;

  constructor(
    private readonly zk: ZkSession,
    private readonly path: string,
  ) {}

  async start(listener: (leader: LeaderInfo | undefined) => void): Promise<void> {
    this.listener = listener;
    this.zk.onState((s) => {
      if (s === 'connected') void this.read();
    });
    await this.read();
  }

  private async read(): Promise<void> {
    if (this.stopped || !this.zk.connected) return;
    const data = await this.zk.get(this.path, () => void this.read()).catch(() => undefined);
    const text = data?.toString('utf8') ?? '';
    if (text === this.last || this.stopped) return;
    this.last = text;
    this.listener?.(text ? (JSON.parse(text) as LeaderInfo) : undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }
}

interface JobPointer {
  bundleKey: string;
  submissionKey: string;
}

class ZooKeeperJobStore implements JobStore {
  constructor(
    private readonly zk: ZkSession,
    private readonly dir: string,
    private readonly blobs: BlobStore,
  ) {}

  async put(job: SubmittedJob, bundleCode: string): Promise<void> {
    const p: JobPointer = {
      bundleKey: `jobs/${job.jobId}/bundle.js`,
      submissionKey: `jobs/${job.jobId}/submission.json`,
    };
    await this.blobs.put(p.bundleKey, bundleCode);
    await this.blobs.put(p.submissionKey, JSON.stringify(job));
    await this.zk.put(zkPath(this.dir, job.jobId), Buffer.from(JSON.stringify(p)));
  }

  jobIds(): Promise<string[]> {
    return this.zk.children(this.dir);
  }

  async get(jobId: string): Promise<{ job: SubmittedJob; bundleCode: string } | undefined> {
    const raw = await this.zk.get(zkPath(this.dir, jobId));
    if (!raw) return undefined;
    const p = JSON.parse(raw.toString('utf8')) as JobPointer;
    const [bundle, submission] = [await this.blobs.get(p.bundleKey), await this.blobs.get(p.submissionKey)];
    if (!bundle || !submission)
      throw new SluiceError(
        'HA_STORAGE',
        `job ${jobId}: ZooKeeper points to ${p.bundleKey} and ${p.submissionKey} in ${this.blobs.location}, but ${bundle ? p.submissionKey : p.bundleKey} is missing`,
      );
    return { job: JSON.parse(submission.toString('utf8')) as SubmittedJob, bundleCode: bundle.toString('utf8') };
  }

  async remove(jobId: string): Promise<void> {
    await this.zk.remove(zkPath(this.dir, jobId));
    await this.blobs.delete(`jobs/${jobId}/submission.json`);
    await this.blobs.delete(`jobs/${jobId}/bundle.js`);
  }
}

class ZooKeeperCheckpointPointers implements CheckpointPointerStore {
  constructor(
    private readonly zk: ZkSession,
    private readonly dir: string,
  ) {}

  put(jobId: string, pointer: CheckpointPointer): Promise<void> {
    return this.zk.put(zkPath(this.dir, jobId), Buffer.from(JSON.stringify(pointer)));
  }

  async get(jobId: string): Promise<CheckpointPointer | undefined> {
    const raw = await this.zk.get(zkPath(this.dir, jobId));
    return raw ? (JSON.parse(raw.toString('utf8')) as CheckpointPointer) : undefined;
  }

  remove(jobId: string): Promise<void> {
    return this.zk.remove(zkPath(this.dir, jobId));
  }
}
