/**
 * `high-availability.type: none`: one job manager at a known address. It leads from the start; retrieval
 * reports the configured address; the job store keeps nothing (a job ends with its job manager) and the
 * checkpoint pointers live in memory only.
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
} from './ha-services.js';

const SESSION = '00000000000000000000000000000000';

export class StandaloneHaServices implements HighAvailabilityServices {
  readonly kind = 'none' as const;
  readonly recoversJobs = false;
  readonly jobStore: JobStore = {
    put: async () => {},
    jobIds: async () => [],
    get: async () => undefined,
    remove: async () => {},
  };
  readonly checkpointPointers: CheckpointPointerStore;

  /** `leader`: the job manager's address, for retrieval (workers given --jobmanager, the CLI's rest.address). */
  constructor(private readonly leader?: Omit<LeaderInfo, 'sessionId'>) {
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
