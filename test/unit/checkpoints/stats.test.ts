import t from 'tap';
import { CheckpointStatsTracker } from '../../../checkpoints/stats.js';
import { legacyPercentile, StatsSummary } from '../../../checkpoints/stats-summary.js';
import { checkpointConfigInfo } from '../../../checkpoints/checkpoint-config-info.js';

const V1 = 'a'.repeat(32);
const V2 = 'b'.repeat(32);

function run(
  tr: CheckpointStatsTracker,
  id: number,
  triggerMs: number,
  sizes: number[],
  type: 'CHECKPOINT' | 'SAVEPOINT' = 'CHECKPOINT',
) {
  tr.reportPending({
    checkpointId: id,
    triggerTimestampMs: triggerMs,
    checkpointType: type,
    numSubtasks: sizes.length,
    tasks: [
      { vertexId: V1, numSubtasks: 1 },
      { vertexId: V2, numSubtasks: sizes.length - 1 },
    ],
  });
  sizes.forEach((s, i) =>
    tr.reportSubtaskAck(id, {
      vertexId: i === 0 ? V1 : V2,
      subtaskIndex: i === 0 ? 0 : i - 1,
      ackTimestampMs: triggerMs + 10 * (i + 1),
      stateSizeBytes: s,
    }),
  );
}

t.test('/jobs/:id/checkpoints shape and key order', async (t) => {
  const tr = new CheckpointStatsTracker(3);
  const empty = tr.statistics();
  t.same(Object.keys(empty), ['counts', 'summary', 'latest', 'history']);
  t.same(empty.summary.state_size, {
    min: 0,
    max: 0,
    avg: 0,
    p50: 'NaN',
    p90: 'NaN',
    p95: 'NaN',
    p99: 'NaN',
    p999: 'NaN',
  });
  t.same(empty.latest, { completed: null, savepoint: null, failed: null, restored: null });

  tr.reportRestored({ checkpointId: 4, restoreTimestampMs: 500, isSavepoint: false, externalPath: 'file:/ck/j/chk-4' });
  run(tr, 5, 1000, [100, 200, 300]);
  tr.reportCompleted(5, { externalPath: 'file:/ck/j/chk-5' });
  run(tr, 6, 2000, [1, 2, 3]);
  tr.reportFailed(6, { failureTimestampMs: 2500, failureMessage: 'Checkpoint expired before completing.' });
  run(tr, 7, 3000, [10, 20, 30], 'SAVEPOINT');
  tr.reportCompleted(7, { externalPath: 'file:/sp/savepoint-aaaaaa-000000000000' });
  tr.reportPending({ checkpointId: 8, triggerTimestampMs: 4000, checkpointType: 'CHECKPOINT', numSubtasks: 3 });
  tr.markDiscarded(5);

  const s = tr.statistics();
  const json = JSON.stringify(s);
  t.ok(
    json.startsWith('{"counts":{"restored":1,"total":4,"in_progress":1,"completed":2,"failed":1}'),
    json.slice(0, 90),
  );
  t.equal(
    json.split(':')[5]!.split(',')[0],
    '2',
    "Flink's test_file_sink.sh `cut -d : -f 6` reads the completed count",
  );
  t.same(Object.keys(s.summary), [
    'checkpointed_size',
    'state_size',
    'end_to_end_duration',
    'alignment_buffered',
    'processed_data',
    'persisted_data',
  ]);
  t.same(Object.keys(s.summary.state_size), ['min', 'max', 'avg', 'p50', 'p90', 'p95', 'p99', 'p999']);
  t.same(s.summary.state_size, { min: 60, max: 600, avg: 330, p50: 330, p90: 600, p95: 600, p99: 600, p999: 600 });
  t.same(s.summary.end_to_end_duration.max, 30);
  const c = s.latest.completed!;
  t.same(Object.keys(c), [
    'className',
    'id',
    'status',
    'is_savepoint',
    'savepointFormat',
    'trigger_timestamp',
    'latest_ack_timestamp',
    'checkpointed_size',
    'state_size',
    'end_to_end_duration',
    'alignment_buffered',
    'processed_data',
    'persisted_data',
    'num_subtasks',
    'num_acknowledged_subtasks',
    'checkpoint_type',
    'tasks',
    'external_path',
    'discarded',
  ]);
  t.match(c, {
    className: 'completed',
    id: 5,
    status: 'COMPLETED',
    is_savepoint: false,
    savepointFormat: null,
    trigger_timestamp: 1000,
    latest_ack_timestamp: 1030,
    state_size: 600,
    end_to_end_duration: 30,
    num_subtasks: 3,
    num_acknowledged_subtasks: 3,
    checkpoint_type: 'CHECKPOINT',
    tasks: {},
    external_path: 'file:/ck/j/chk-5',
    discarded: true,
  });
  t.match(s.latest.savepoint, {
    id: 7,
    is_savepoint: true,
    savepointFormat: 'CANONICAL',
    checkpoint_type: 'SAVEPOINT',
  });
  t.match(s.latest.failed, {
    className: 'failed',
    id: 6,
    status: 'FAILED',
    failure_timestamp: 2500,
    failure_message: 'Checkpoint expired before completing.',
    end_to_end_duration: 500,
  });
  t.same(Object.keys(s.latest.failed!).slice(-2), ['failure_timestamp', 'failure_message']);
  t.same(s.latest.restored, { id: 4, restore_timestamp: 500, is_savepoint: false, external_path: 'file:/ck/j/chk-4' });
  t.same(Object.keys(s.latest.restored!), ['id', 'restore_timestamp', 'is_savepoint', 'external_path']);
  t.same(
    s.history.map((h) => [h.id, h.className]),
    [
      [8, 'in_progress'],
      [7, 'completed'],
      [6, 'failed'],
    ],
    'newest first, history size 3',
  );
  t.match(s.history[0], { latest_ack_timestamp: -1, end_to_end_duration: -1, num_acknowledged_subtasks: 0 });
  t.notOk('external_path' in s.history[0]!);
  t.equal(s.latest.completed!.id, 5, 'latest completed survives leaving the history');
});

t.test('/checkpoints/details/:cid includes per-task statistics', async (t) => {
  const tr = new CheckpointStatsTracker();
  run(tr, 1, 1000, [5, 7, 9]);
  tr.reportCompleted(1, { externalPath: 'file:/x/chk-1' });
  const d = tr.details(1)!;
  t.same(Object.keys(d.tasks), [V1, V2]);
  t.same(d.tasks[V2], {
    id: 1,
    status: 'COMPLETED',
    latest_ack_timestamp: 1030,
    checkpointed_size: 16,
    state_size: 16,
    end_to_end_duration: 30,
    alignment_buffered: 0,
    processed_data: 0,
    persisted_data: 0,
    num_subtasks: 2,
    num_acknowledged_subtasks: 2,
  });
  t.equal(tr.details(99), undefined);
  tr.reportSubtaskAck(1, { vertexId: V1, ackTimestampMs: 5000, stateSizeBytes: 1 });
  t.equal(tr.details(1)!.state_size, 21, 'acks after completion are ignored');
});

t.test('percentiles follow commons-math LEGACY estimation', async (t) => {
  const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  t.equal(legacyPercentile(v, 50), 5.5);
  t.equal(legacyPercentile(v, 90), 9.9);
  t.equal(legacyPercentile(v, 95), 10);
  t.equal(legacyPercentile([7], 99), 7);
  t.ok(Number.isNaN(legacyPercentile([], 50)));
  const s = new StatsSummary(3);
  for (const x of [5, -1, 1, 2, 9]) s.add(x);
  t.equal(s.size, 4, 'negative values ignored');
  t.match(s.toDto(), { min: 1, max: 9, avg: 4, p50: 2 }, 'min/max over all, percentiles over the window [1,2,9]');
});

t.test('/checkpoints/config shape', async (t) => {
  const c = checkpointConfigInfo({
    mode: 'EXACTLY_ONCE',
    intervalMs: 1000,
    timeoutMs: 600000,
    minPauseMs: 0,
    maxConcurrent: 1,
    retention: 'RETAIN_ON_CANCELLATION',
  });
  t.same(Object.keys(c), [
    'mode',
    'interval',
    'timeout',
    'min_pause',
    'max_concurrent',
    'externalization',
    'state_backend',
    'checkpoint_storage',
    'unaligned_checkpoints',
    'tolerable_failed_checkpoints',
    'aligned_checkpoint_timeout',
    'checkpoints_after_tasks_finish',
    'state_changelog_enabled',
    'changelog_periodic_materialization_interval',
    'changelog_storage',
  ]);
  t.equal(c.mode, 'exactly_once');
  t.same(c.externalization, { enabled: true, delete_on_cancellation: false });
  const d = checkpointConfigInfo({
    mode: 'AT_LEAST_ONCE',
    intervalMs: 1,
    timeoutMs: 1,
    minPauseMs: 0,
    maxConcurrent: 1,
    retention: 'DELETE_ON_CANCELLATION',
  });
  t.equal(d.mode, 'at_least_once');
  t.same(d.externalization, { enabled: true, delete_on_cancellation: true });
  t.same(
    checkpointConfigInfo({
      mode: 'AT_LEAST_ONCE',
      intervalMs: 1,
      timeoutMs: 1,
      minPauseMs: 0,
      maxConcurrent: 1,
      retention: 'NO_EXTERNALIZED_CHECKPOINTS',
    }).externalization,
    { enabled: false, delete_on_cancellation: true },
  );
});

t.test('subtask details: sync and async durations as reported, -1 when a subtask reported none', async (t) => {
  const { subtaskCheckpointDetails } = await import('../../../checkpoints/subtask-stats.js');
  const tr = new CheckpointStatsTracker(3);
  tr.reportPending({
    checkpointId: 1,
    triggerTimestampMs: 1000,
    checkpointType: 'CHECKPOINT',
    numSubtasks: 3,
    tasks: [{ vertexId: V2, numSubtasks: 3 }],
  });
  tr.reportSubtaskAck(1, {
    vertexId: V2,
    subtaskIndex: 0,
    ackTimestampMs: 1100,
    syncDurationMs: 2.4,
    asyncDurationMs: 90,
  });
  tr.reportSubtaskAck(1, {
    vertexId: V2,
    subtaskIndex: 1,
    ackTimestampMs: 1200,
    syncDurationMs: 6,
    asyncDurationMs: 150,
  });
  tr.reportSubtaskAck(1, { vertexId: V2, subtaskIndex: 2, ackTimestampMs: 1300 }); // a finished task's final state
  const e = tr.entry(1)!;
  const d = subtaskCheckpointDetails(e, e.tasks.get(V2)!, false) as {
    subtasks: Array<{ checkpoint: { sync: number; async: number } }>;
    summary: { checkpoint_duration: { sync: { min: number; max: number }; async: { min: number; max: number } } };
  };
  t.same(
    d.subtasks.map((s) => s.checkpoint),
    [
      { sync: 2, async: 90 },
      { sync: 6, async: 150 },
      { sync: -1, async: -1 },
    ],
  );
  t.match(d.summary.checkpoint_duration.sync, { min: 2, max: 6 }, 'summary over the subtasks that reported');
  t.match(d.summary.checkpoint_duration.async, { min: 90, max: 150 });
});
