/**
 * Slots for a deployment: the free slots of the cluster spread over the workers (slot k of every worker
 * before slot k+1 of any, workers in registration order), waiting for enough of them, and assigning them with
 * slot sharing (subtask i of every vertex shares slot i).
 *
 * Invariants: a deployment waits up to `slot.request.timeout` for free slots, polling every 50 ms, then fails
 * with NOT_ENOUGH_SLOTS; the wait ends early, with the deployment's own error, once the deployment is
 * abandoned (a failure or a newer attempt superseded it).
 */
import { SluiceError } from '../errors/catalogue.js';
import { platform } from '../platform/index.js';
import type { JobGraph } from '../graph/job-graph.js';
import { type TaskKey, taskKey } from '../api/task-key.js';
import type { RegisteredWorker, WorkerRegistry } from './worker-registry.js';
import type { SubtaskInfo } from './subtask-execution.js';

/** One free slot: slot `slot` of worker `w`. */
export interface FreeSlot {
  w: RegisteredWorker;
  slot: number;
}

export interface SlotRequest {
  jobId: string;
  /** How many slots the deployment needs. */
  need: number;
  timeoutMs: number;
  log: (msg: string) => void;
  /** Throws when the deployment waiting is no longer wanted (checked before each wait). */
  ensureDeploying: () => void;
}

/** Free slots, spread over the workers; polls until `need` are free, the timeout passes, or the attempt ends. */
export async function waitForSlots(registry: WorkerRegistry, req: SlotRequest): Promise<FreeSlot[]> {
  const { jobId, need, timeoutMs } = req;
  const deadline = platform.clock.nowMs() + timeoutMs;
  let logged = false;
  for (;;) {
    req.ensureDeploying(); // also before returning: a cancelled job must not take slots freed meanwhile
    const free = freeSlotsSpread(registry);
    if (free.length >= need) return free;
    if (platform.clock.nowMs() >= deadline)
      throw new SluiceError(
        'NOT_ENOUGH_SLOTS',
        `job ${jobId} needs ${need} slots but the cluster has ${free.length} free (${registry.totalSlots()} total) after waiting ${timeoutMs} ms (slot.request.timeout); add task workers or lower the parallelism`,
      );
    if (!logged) {
      req.log(`Job ${jobId} waits for ${need} free slots (${free.length} free).`);
      logged = true;
    }
    await new Promise<void>((r) => platform.clock.setTimeout(r, 50));
  }
}

/** The cluster's free slots, spread: slot k of every worker (oldest registration first) before slot k+1 of any. */
export function freeSlotsSpread(registry: Pick<WorkerRegistry, 'workers'>): FreeSlot[] {
  const free: FreeSlot[] = [];
  const workers = [...registry.workers.values()].sort(
    (a, b) => a.registeredAtMs - b.registeredAtMs || a.id.localeCompare(b.id),
  );
  // spread: take slot k of every worker before slot k+1 of any
  const maxSlots = Math.max(0, ...workers.map((w) => w.numSlots));
  for (let k = 0; k < maxSlots; k++)
    for (const w of workers) if (k < w.numSlots && !w.slots[k]) free.push({ w, slot: k });
  return free;
}

/** A deployment's slots: every vertex's subtasks, where they run, and the subtasks per worker. */
export interface SlotAssignment {
  /** Per vertex, subtask by subtask, the worker and its data-plane address (every task is told all of them). */
  placement: Record<string, Array<{ workerId: string; host: string; dataPort: number }>>;
  /** Per worker id, the subtasks it deploys. */
  perWorker: Map<string, Array<{ vertexId: string; subtaskIndex: number }>>;
}

/**
 * Slot sharing: subtask i of every vertex goes to `chosen[i]`. Marks those slots as taken by `jobId` and
 * records each subtask's execution of `attempt`, DEPLOYING, in `executions`.
 */
export function assignSlots(
  jobGraph: JobGraph,
  chosen: FreeSlot[],
  jobId: string,
  attempt: number,
  executions: Map<TaskKey, SubtaskInfo>,
): SlotAssignment {
  const placement: SlotAssignment['placement'] = {};
  const perWorker: SlotAssignment['perWorker'] = new Map();
  for (const v of jobGraph.vertices) {
    placement[v.id] = [];
    for (let s = 0; s < v.parallelism; s++) {
      const { w, slot } = chosen[s]!;
      w.slots[slot] = { jobId, vertexId: v.id, subtaskIndex: s };
      placement[v.id]!.push({ workerId: w.id, host: w.host, dataPort: w.dataPort });
      perWorker.set(w.id, [...(perWorker.get(w.id) ?? []), { vertexId: v.id, subtaskIndex: s }]);
      const now = platform.clock.nowMs();
      executions.set(taskKey(v.id, s), {
        vertexId: v.id,
        subtaskIndex: s,
        workerId: w.id,
        endpoint: `${w.host}:${w.dataPort}`,
        state: 'DEPLOYING',
        startTime: now,
        endTime: -1,
        attempt,
        timestamps: { CREATED: now, SCHEDULED: now, DEPLOYING: now },
      });
    }
  }
  return { placement, perWorker };
}
