/**
 * `high-availability.type: none`: one job manager at a known address. It leads from the start; retrieval
 * reports the configured address; checkpoint pointers live in memory only. Jobs end with their job
 * manager (`recoversJobs` is false), but the job store keeps a small record of each running job (no
 * bundle) under `<execution.checkpointing.dir>/_running-jobs/`, so a restarted job manager can say which
 * jobs were lost and which retained checkpoints they left.
 *
 * Invariant: leadership is granted once, at start, and never revoked until stop.
 */
import type {
  CheckpointPointer,
  CheckpointPointerStore,
  HighAvailabilityServices,
  JobStore,
  LeaderContender,
  LeaderElection,
  LeaderInfo,
  LeaderRetrieval,
  SubmittedJob,
} from './ha-services.js';
import type { BlobStore } from './blob-store.js';

const NO_RECORDS: JobStore = {
  put: async () => {},
  jobIds: async () => [],
  get: async () => undefined,
  remove: async () => {},
};

/** One JSON file per running job (its submission, without the bundle: nothing is recovered from it). */
class RunningJobRecords implements JobStore {
  constructor(private readonly blobs: BlobStore) {}

  put(job: SubmittedJob): Promise<void> {
    return this.blobs.put(`${job.jobId}.json`, JSON.stringify(job));
  }

  async jobIds(): Promise<string[]> {
    return (await this.blobs.list()).filter((n) => /^[0-9a-f]{32}\.json$/.test(n)).map((n) => n.slice(0, 32));
  }

  async get(jobId: string): Promise<{ job: SubmittedJob; bundleCode: string } | undefined> {
    const raw = await this.blobs.get(`${jobId}.json`);
    return raw ? { job: JSON.parse(raw.toString('utf8')) as SubmittedJob, bundleCode: '' } : undefined;
  }

  remove(jobId: string): Promise<void> {
    return this.blobs.delete(`${jobId}.json`);
  }
}

const SESSION = '00000000000000000000000000000000';

export class StandaloneHaServices implements HighAvailabilityServices {
  readonly kind = 'none' as const;
  readonly recoversJobs = false;
  readonly jobStore: JobStore;
  readonly checkpointPointers: CheckpointPointerStore;

  /**
   * `leader`: the job manager's address, for retrieval (workers given --jobmanager, the CLI's rest.address);
   * `records`: where running jobs are recorded (none: not recorded).
   */
  constructor(
    private readonly leader?: Omit<LeaderInfo, 'sessionId'>,
    records?: BlobStore,
  ) {
    this.jobStore = records ? new RunningJobRecords(records) : NO_RECORDS;
    const pointers = new Map<string, CheckpointPointer>();
    this.checkpointPointers = {
      put: async (id, p) => void pointers.set(id, p),
      get: async (id) => pointers.get(id),
      remove: async (id) => void pointers.delete(id),
    };
  }

  leaderElection(): LeaderElection {
    let contender: LeaderContender | undefined;
    return {
      start: async (c) => {
        contender = c;
        await c.grantLeadership(SESSION);
      },
      confirmLeadership: async () => {},
      hasLeadership: (s) => s === SESSION && contender !== undefined,
      stop: async () => {
        const c = contender;
        contender = undefined;
        await c?.revokeLeadership('the job manager is stopping');
      },
    };
  }

  leaderRetrieval(): LeaderRetrieval {
    return {
      start: async (listener) => listener(this.leader ? { ...this.leader, sessionId: SESSION } : undefined),
      stop: async () => {},
    };
  }

  async close(): Promise<void> {}
}
