/**
 * Reactive mode (`scheduler-mode: reactive`, Flink's reactive adaptive scheduler): running jobs use the
 * slots the cluster has. When task workers join or leave, after `jobmanager.adaptive-scheduler.
 * resource-stabilization-timeout` of quiet, every running job is rescaled — checkpoint, redeploy from it —
 * to min(its max parallelism, the slots it can have); a scale-up smaller than
 * `jobmanager.adaptive-scheduler.min-parallelism-increase` is skipped. A job restarting after a lost worker
 * is first fitted to the free slots, so it does not fail for want of the slots it had.
 */
import type { SluiceConfig } from '../config/sluice-config.js';
import { platform } from '../platform/index.js';
import type { TimerHandle } from '../platform/clock.js';
import type { JobManager } from './job-manager.js';
import type { JobMaster } from './job-master.js';

export class ReactiveScaler {
  private timer: TimerHandle | undefined;
  readonly stabilizationMs: number;
  readonly minIncrease: number;

  constructor(
    private readonly jm: JobManager,
    config: SluiceConfig,
    private readonly log: (msg: string) => void,
  ) {
    this.stabilizationMs = config['jobmanager.adaptive-scheduler.resource-stabilization-timeout'];
    this.minIncrease = config['jobmanager.adaptive-scheduler.min-parallelism-increase'];
  }

  /** Workers joined or left: rescale after the stabilization timeout (restarted by every further change). */
  resourcesChanged(): void {
    if (this.timer) platform.clock.clear(this.timer);
    this.timer = platform.clock.setTimeout(() => void this.apply(), this.stabilizationMs);
  }

  /** Before a restart: a job that needs more slots than are free is rebuilt at the free slots. */
  async fitForRestart(master: JobMaster): Promise<void> {
    const free = this.jm.registry.freeSlots();
    if (free < 1 || master.slotsNeeded() <= free) return;
    this.log(`Reactive mode: job ${master.jobId} restarts at parallelism ${free} (the slots there are).`);
    master.replaceGraph(await this.jm.graphAt(master, free), free);
  }

  private async apply(): Promise<void> {
    this.timer = undefined;
    for (const [jobId, master] of this.jm.jobs) {
      if (master.status.status !== 'RUNNING') continue;
      const current = master.slotsNeeded();
      const maxParallelism = Math.min(...master.sub.jobGraph.vertices.map((v) => v.maxParallelism));
      const target = Math.min(maxParallelism, this.jm.registry.freeSlots() + current);
      if (target < 1 || target === current || (target > current && target - current < this.minIncrease)) continue;
      this.log(`Reactive mode: rescaling job ${jobId} from ${current} to ${target} slots.`);
      await this.jm
        .rescaleJob(jobId, target)
        .catch((e: Error) => this.log(`Reactive rescale of job ${jobId} failed: ${e.message}`));
    }
  }
}
