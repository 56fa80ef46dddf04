/**
 * Checkpoint history of a job from `GET /jobs/:id/checkpoints` (Flink's CheckpointingStatistics): the
 * counts (completed, failed, in progress, restored), the latest completed checkpoint and savepoint, and
 * the history table (id, status, type, trigger time, end-to-end duration, state size, acknowledged
 * subtasks, external path), newest first as the server sends it.
 */
import { badge, fill, fmtBytes, fmtDuration, fmtTime, h, table, td } from './dom.js';

export function renderCheckpoints(el, stats) {
  if (!stats) return fill(el, h('p', { class: 'empty' }, 'No checkpoint statistics.'));
  const c = stats.counts || {};
  const latest = stats.latest || {};
  const meta = h(
    'div',
    { class: 'meta', 'data-testid': 'checkpoint-counts' },
    h('span', {}, `completed ${c.completed ?? 0}`),
    h('span', {}, `failed ${c.failed ?? 0}`),
    h('span', {}, `in progress ${c.in_progress ?? 0}`),
    h('span', {}, `restored ${c.restored ?? 0}`),
    latest.completed
      ? h('span', {}, `latest completed #${latest.completed.id} at ${fmtTime(latest.completed.latest_ack_timestamp)}`)
      : null,
    latest.savepoint
      ? h('span', {}, `latest savepoint #${latest.savepoint.id}: ${latest.savepoint.external_path || ''}`)
      : null,
    latest.restored
      ? h('span', {}, `restored from #${latest.restored.id} ${latest.restored.external_path || ''}`)
      : null,
  );
  const rows = (stats.history || []).map((x) =>
    h(
      'tr',
      { class: 'checkpoint', 'data-checkpoint-id': x.id, 'data-status': x.status },
      td(String(x.id), 'num'),
      td(badge(x.status)),
      td(`${x.checkpoint_type || ''}${x.is_savepoint ? ' (savepoint)' : ''}`),
      td(fmtTime(x.trigger_timestamp)),
      td(fmtDuration(x.end_to_end_duration), 'num'),
      td(fmtBytes(x.state_size), 'num'),
      td(`${x.num_acknowledged_subtasks} / ${x.num_subtasks}`, 'num'),
      td(x.status === 'FAILED' ? x.failure_message || '' : x.external_path || '', 'mono'),
    ),
  );
  const head = [
    { label: 'ID', cls: 'num' },
    'Status',
    'Type',
    'Triggered',
    { label: 'Duration', cls: 'num' },
    { label: 'State size', cls: 'num' },
    { label: 'Acknowledged', cls: 'num' },
    'Path / failure',
  ];
  return fill(
    el,
    meta,
    rows.length
      ? table(head, rows, { 'data-testid': 'checkpoint-history' })
      : h('p', { class: 'empty' }, 'No checkpoint yet.'),
  );
}
