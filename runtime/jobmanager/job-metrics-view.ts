/**
 * Job-scope metrics for `/jobs/:id/metrics` and the Prometheus endpoint, with Flink's names: uptime,
 * numRestarts and the checkpoint gauges (lastCheckpointDuration, lastCheckpointSize,
 * numberOfCompletedCheckpoints, numberOfFailedCheckpoints, numberOfInProgressCheckpoints,
 * totalNumberOfCheckpoints), read from the job's checkpoint statistics; for a job with a collect sink, the
 * bytes of results the job manager holds for its client now and at most (collectHeldBytes, collectHeldBytesPeak).
 */
import { platform } from '../platform/index.js';
import type { JobCheckpointing } from './job-checkpointing.js';
import type { JobMaster } from './job-master.js';
import type { CollectCoordinator } from './collect-coordinator.js';

export function jobMetrics(
  j: JobMaster,
  cp: JobCheckpointing | undefined,
  collect?: CollectCoordinator,
): Record<string, number> {
  const out: Record<string, number> = {
    uptime: j.endTime > 0 ? 0 : platform.clock.nowMs() - j.startTime,
    numRestarts: j.numRestarts,
  };
  if (collect?.hasSinks()) {
    out.collectHeldBytes = collect.heldBytes();
    out.collectHeldBytesPeak = collect.peakHeldBytes();
  }
  if (!cp) return out;
  const s = cp.stats.statistics() as unknown as {
    counts: { total: number; in_progress: number; completed: number; failed: number };
    latest: { completed: { end_to_end_duration: number; state_size: number; checkpointed_size: number } | null };
  };
  out.totalNumberOfCheckpoints = s.counts.total;
  out.numberOfInProgressCheckpoints = s.counts.in_progress;
  out.numberOfCompletedCheckpoints = s.counts.completed;
  out.numberOfFailedCheckpoints = s.counts.failed;
  out.lastCheckpointDuration = s.latest.completed?.end_to_end_duration ?? -1;
  out.lastCheckpointSize = s.latest.completed?.state_size ?? -1;
  out.lastCheckpointFullSize = s.latest.completed?.checkpointed_size ?? -1;
  return out;
}
