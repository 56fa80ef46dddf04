/**
 * Overview page (`#/overview`): cluster numbers from `GET /overview` (task workers, slots total and
 * available, jobs running / finished / cancelled / failed) and the running jobs from `GET /jobs/overview`.
 */
import { getJson } from './api.js';
import { badge, fill, fmtDuration, fmtTime, h, table, td } from './dom.js';

const card = (label, value, testid) =>
  h(
    'div',
    { class: 'card' },
    h('div', { class: 'n', 'data-testid': testid }, String(value)),
    h('div', { class: 'l' }, label),
  );

export function mountOverview(root) {
  const cards = h('div', { class: 'cards' });
  const running = h('div');
  root.append(h('h1', {}, 'Cluster overview'), cards, h('h2', {}, 'Running jobs'), running);
  return {
    async refresh() {
      const [o, jobs] = await Promise.all([getJson('/overview'), getJson('/jobs/overview')]);
      fill(
        cards,
        card('Task workers', o.taskmanagers, 'overview-taskmanagers'),
        card('Slots total', o['slots-total'], 'overview-slots-total'),
        card('Slots available', o['slots-available'], 'overview-slots-available'),
        card('Jobs running', o['jobs-running'], 'overview-jobs-running'),
        card('Jobs finished', o['jobs-finished'], 'overview-jobs-finished'),
        card('Jobs cancelled', o['jobs-cancelled'], 'overview-jobs-cancelled'),
        card('Jobs failed', o['jobs-failed'], 'overview-jobs-failed'),
      );
      const rows = jobs.jobs
        .filter((j) => j.state === 'RUNNING')
        .map((j) =>
          h(
            'tr',
            { 'data-job-id': j.jid },
            td(h('a', { href: `#/jobs/${j.jid}` }, j.name)),
            td(badge(j.state)),
            td(fmtTime(j['start-time'])),
            td(fmtDuration(j.duration)),
          ),
        );
      fill(
        running,
        rows.length
          ? table(['Name', 'State', 'Started', 'Duration'], rows)
          : h('p', { class: 'empty' }, 'No job is running.'),
      );
    },
  };
}
