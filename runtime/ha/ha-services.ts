/**
 * The high-availability services a job manager and its clients use, as Flink splits them: leader election
 * (job managers contend; one leads), leader retrieval (workers, the CLI and REST clients find the leader),
 * a job store (every submitted job's bundle and submission, so a new leader can recover it) and a
 * completed-checkpoint pointer store (each job's latest completed checkpoint). `none` (standalone) and
 * `zookeeper` implement them; a Kubernetes implementation would be a third.
 *
 * Invariants: a contender acts as leader only between `grantLeadership` and `revokeLeadership`; the
 * published leader information always carries the session id it was granted with, and an election refuses
 * to publish for a session it no longer holds (no two job managers advertise themselves at once).
 */

/** Where the leading job manager serves. */
export interface LeaderInfo {
  /** The leadership session (changes with every grant). */
  sessionId: string;
  rpcHost: string;
  rpcPort: number;
  restUrl: string;
}

export interface LeaderContender {
  /** This contender now leads under `sessionId`: start serving, then `confirmLeadership`. */
  grantLeadership(sessionId: string): Promise<void>;
  /** Leadership is gone (lost, or the coordination service is unreachable): stop acting as leader at once. */
  revokeLeadership(reason: string): Promise<void>;
}

export interface LeaderElection {
  start(contender: LeaderContender): Promise<void>;
  /** Publishes the leader's addresses for `info.sessionId`; ignored unless that session still leads. */
  confirmLeadership(info: LeaderInfo): Promise<void>;
  hasLeadership(sessionId: string): boolean;
  stop(): Promise<void>;
}

export interface LeaderRetrieval {
  /** `listener` hears every change: the new leader, or undefined while there is none. */
  start(listener: (leader: LeaderInfo | undefined) => void): Promise<void>;
  stop(): Promise<void>;
}

/** What a submission asked for: enough to run the job again from its bundle. */
export interface SubmittedJob {
  jobId: string;
  jobName: string;
  args: string[];
  parallelism?: number;
  savepointPath?: string;
  allowNonRestoredState?: boolean;
  flinkConfiguration?: Record<string, string>;
  submittedAtMs: number;
}

/** Submitted jobs that have not reached a terminal state (Flink's JobGraphStore). */
export interface JobStore {
  put(job: SubmittedJob, bundleCode: string): Promise<void>;
  jobIds(): Promise<string[]>;
  get(jobId: string): Promise<{ job: SubmittedJob; bundleCode: string } | undefined>;
  remove(jobId: string): Promise<void>;
}

export interface CheckpointPointer {
  checkpointId: number;
  externalPath: string;
}

/** Each job's latest completed checkpoint (Flink's CompletedCheckpointStore, as a pointer). */
export interface CheckpointPointerStore {
  put(jobId: string, pointer: CheckpointPointer): Promise<void>;
  get(jobId: string): Promise<CheckpointPointer | undefined>;
  remove(jobId: string): Promise<void>;
}

export interface HighAvailabilityServices {
  readonly kind: 'none' | 'zookeeper';
  /** Whether a new leader recovers the jobs of the job store (false: jobs end with their job manager). */
  readonly recoversJobs: boolean;
  leaderElection(): LeaderElection;
  leaderRetrieval(): LeaderRetrieval;
  readonly jobStore: JobStore;
  readonly checkpointPointers: CheckpointPointerStore;
  close(): Promise<void>;
}
