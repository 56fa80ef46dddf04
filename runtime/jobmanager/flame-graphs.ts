/**
 * `/jobs/:id/vertices/:vid/flamegraph` on the job manager, as Flink's VertexThreadInfoTracker behaves: with
 * `rest.flamegraph.enabled` false the answer is `{"endTimestamp": -2}` (disabled); the first request for a
 * vertex (and thread-state type and subtask) starts sampling on the workers running its subtasks and answers
 * `{"endTimestamp": -3}` (waiting); later requests get the merged flame graph `{endTimestamp, data}`, sampled
 * again once it is older than `rest.flamegraph.refresh-interval`; a vertex with no running subtask answers
 * `{"endTimestamp": -1}` (terminated).
 *
 * Sampling is V8's CPU profiler in each worker process for `num-samples × delay-between-samples`, one sample
 * per `delay-between-samples`: the profile is of the whole worker (a Node process runs its subtasks on one
 * thread), so frames of the vertex's operators appear next to those of tasks sharing the worker.
 */
import type { SluiceConfig } from '../config/sluice-config.js';
import { mergeTrees, selectThreadStates, type FlameNode } from '../diagnostics/cpu-profile.js';
import { platform } from '../platform/index.js';
import type { JobMaster } from './job-master.js';

export type ThreadStates = 'FULL' | 'ON_CPU' | 'OFF_CPU';

export interface FlameGraphOptions {
  enabled: boolean;
  refreshIntervalMs: number;
  numSamples: number;
  delayBetweenSamplesMs: number;
}

export function flameGraphOptions(config: SluiceConfig): FlameGraphOptions {
  return {
    enabled: config['rest.flamegraph.enabled'],
    refreshIntervalMs: config['rest.flamegraph.refresh-interval'],
    numSamples: config['rest.flamegraph.num-samples'],
    delayBetweenSamplesMs: config['rest.flamegraph.delay-between-samples'],
  };
}

interface Cached {
  endTimestamp: number;
  tree: FlameNode | undefined;
  sampling: boolean;
}

export class FlameGraphs {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly o: FlameGraphOptions,
    /** Samples the named workers; resolves with one tree per worker that answered. */
    private readonly sample: (workerIds: string[], durationMs: number, intervalMs: number) => Promise<FlameNode[]>,
    private readonly log: (msg: string) => void,
  ) {}

  /** The reply for one vertex; undefined when the job has no such vertex or subtask (→ 404). */
  get(j: JobMaster, vid: string, type: ThreadStates, subtaskIndex?: number): Record<string, unknown> | undefined {
    const v = j.sub.jobGraph.vertices.find((x) => x.id === vid);
    if (!v || (subtaskIndex !== undefined && (subtaskIndex < 0 || subtaskIndex >= v.parallelism))) return undefined;
    if (!this.o.enabled) return { endTimestamp: -2 };
    const running = [...j.subtasks.values()].filter(
      (s) =>
        s.vertexId === vid && s.state === 'RUNNING' && (subtaskIndex === undefined || s.subtaskIndex === subtaskIndex),
    );
    const key = `${j.jobId}/${vid}/${subtaskIndex ?? 'all'}`;
    const c = this.cache.get(key);
    if (running.length === 0 && !c?.tree) return { endTimestamp: -1 };
    const now = platform.clock.nowMs();
    if (running.length > 0 && (!c || (!c.sampling && now - c.endTimestamp > this.o.refreshIntervalMs)))
      this.start(key, [...new Set(running.map((s) => s.workerId))], c);
    const cur = this.cache.get(key)!;
    if (!cur.tree) return { endTimestamp: -3 };
    return { endTimestamp: cur.endTimestamp, data: selectThreadStates(cur.tree, type) };
  }

  /** Drops the cached graphs of a job (it ended). */
  forget(jobId: string): void {
    for (const k of [...this.cache.keys()]) if (k.startsWith(`${jobId}/`)) this.cache.delete(k);
  }

  private start(key: string, workerIds: string[], previous: Cached | undefined): void {
    const entry: Cached = { endTimestamp: previous?.endTimestamp ?? -3, tree: previous?.tree, sampling: true };
    this.cache.set(key, entry);
    const durationMs = this.o.numSamples * this.o.delayBetweenSamplesMs;
    this.sample(workerIds, durationMs, this.o.delayBetweenSamplesMs).then(
      (trees) => {
        entry.sampling = false;
        if (trees.length === 0) return;
        entry.tree = mergeTrees(trees);
        entry.endTimestamp = platform.clock.nowMs();
      },
      (e: Error) => {
        entry.sampling = false;
        this.log(`Flame graph sampling for ${key} failed: ${e.message}`);
      },
    );
  }
}
