/**
 * Jobs page (`#/jobs`): every job the job manager knows, from `GET /jobs/overview` (name, id, state,
 * start, duration, task counts), newest first; each row links to the job page.
 */
import { getJson } from './api.js';
import { badge, fill, fmtDuration, fmtTime, h, table, td } from './dom.js';

export function mountJobs(root) {
  const list = h('div', { 'data-testid': 'jobs-list' });
  root.append(h('h1', {}, 'Jobs'), list);
  return {
    async refresh() {
      const { jobs } = await getJson('/jobs/overview');
      const rows = [...jobs]
        .sort((a, b) => b['start-time'] - a['start-time'])
        .map((j) =>
          h(
            'tr',
            { class: 'job-row', 'data-job-id': j.jid, 'data-state': j.state },
            td(h('a', { href: `#/jobs/${j.jid}` }, j.name)),
            td(j.jid, 'mono'),
            td(badge(j.state), 'state'),
            td(fmtTime(j['start-time'])),
            td(fmtDuration(j.duration)),
            td(`${j.tasks.running} / ${j.tasks.total}`, 'num'),
          ),
        );
      fill(
        list,
        rows.length
          ? table(
              ['Name', 'Job ID', 'State', 'Started', 'Duration', { label: 'Tasks running / total', cls: 'num' }],
              rows,
            )
          : h('p', { class: 'empty' }, 'No jobs yet.'),
      );
    },
  };
}
