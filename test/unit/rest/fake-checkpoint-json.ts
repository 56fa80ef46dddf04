/**
 * The checkpoint answers of FakeFacade (fake-facade.ts) for JOB: statistics over four checkpoints (three
 * completed, the latest being checkpoint 3, and one failed, checkpoint 4), and the checkpointing
 * configuration. Invariant: `completed` is one object, served both as the latest checkpoint and as
 * checkpoint 3's details; the failed one is a copy of it without a path.
 */
import { JOB } from './fake-facade-ids.js';

const stats = { min: 1, max: 9, avg: 5, p50: 5, p90: 8, p95: 9, p99: 9, p999: 9 };

export const completed = {
  className: 'completed',
  id: 3,
  status: 'COMPLETED',
  is_savepoint: false,
  savepointFormat: null,
  trigger_timestamp: 1,
  latest_ack_timestamp: 2,
  checkpointed_size: 10,
  state_size: 10,
  end_to_end_duration: 1,
  alignment_buffered: 0,
  processed_data: 0,
  persisted_data: 0,
  num_subtasks: 4,
  num_acknowledged_subtasks: 4,
  checkpoint_type: 'CHECKPOINT',
  tasks: {},
  external_path: `file:/ck/${JOB}/chk-3`,
  discarded: false,
};

function withoutPath(c: typeof completed) {
  const { external_path: _p, discarded: _d, ...rest } = c;
  return rest;
}

export const checkpointStatsJson = () => ({
  counts: { restored: 0, total: 4, in_progress: 0, completed: 3, failed: 1 },
  summary: {
    checkpointed_size: stats,
    state_size: stats,
    end_to_end_duration: stats,
    alignment_buffered: stats,
    processed_data: stats,
    persisted_data: stats,
  },
  latest: { completed, savepoint: null, failed: null, restored: null },
  history: [
    completed,
    {
      ...withoutPath(completed),
      className: 'failed',
      id: 4,
      status: 'FAILED',
      failure_timestamp: 5,
      failure_message: 'declined',
    },
  ],
});

export const checkpointConfigJson = () => ({
  mode: 'EXACTLY_ONCE',
  interval: 1000,
  timeout: 600000,
  min_pause: 0,
  max_concurrent: 1,
  externalization: { enabled: false, delete_on_cancellation: true },
  state_backend: 'HashMapStateBackend',
  checkpoint_storage: 'FileSystemCheckpointStorage',
  unaligned_checkpoints: false,
  tolerable_failed_checkpoints: 0,
  aligned_checkpoint_timeout: 0,
  checkpoints_after_tasks_finish: true,
  state_changelog_enabled: false,
  changelog_storage: 'memory',
  changelog_periodic_materialization_interval: 600000,
});
