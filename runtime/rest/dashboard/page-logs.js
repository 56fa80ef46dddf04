/**
 * Logs page (`#/logs`): every process of the cluster — the job manager and each task worker — with its log
 * files (`GET /jobmanager/logs`, `GET /taskmanagers/:id/logs`); choosing a file shows its end (the last
 * 64 KB, newest lines last) from `…/logs/:name`, and "Thread dump" shows `…/thread-dump`.
 *
 * Invariants: the process list refreshes every 2 s, the viewer only when a file or dump is chosen (a log being
 * read does not jump); file names come from the server's list and are URL-encoded into the request.
 */
import { getJson, getText } from './api.js';
import { fill, fmtBytes, fmtTime, h, table, td } from './dom.js';

const TAIL_BYTES = 64 * 1024;

export function mountLogs(root) {
  const list = h('div', { 'data-testid': 'logs-list' });
  const title = h('h2', { 'data-testid': 'log-title' }, 'Choose a log file or a thread dump');
  const viewer = h('pre', { class: 'log-view', 'data-testid': 'log-view' });
  root.append(h('h1', {}, 'Logs'), list, title, viewer);

  const show = async (label, load) => {
    title.textContent = label;
    viewer.textContent = 'loading…';
    try {
      const text = await load();
      viewer.textContent = text.length > TAIL_BYTES ? `…\n${text.slice(-TAIL_BYTES)}` : text || '(empty)';
      viewer.dataset.loaded = 'true';
    } catch (e) {
      viewer.textContent = e.message;
    }
  };
  const dumpText = (d) => d.threadInfos.map((x) => x.stringifiedThreadInfo).join('\n');

  return {
    async refresh() {
      const { taskmanagers } = await getJson('/taskmanagers');
      const processes = [
        { name: 'Job manager', base: '/jobmanager' },
        ...taskmanagers.map((t) => ({
          name: `Task worker ${t.id}`,
          base: `/taskmanagers/${encodeURIComponent(t.id)}`,
        })),
      ];
      const sections = await Promise.all(
        processes.map(async (p) => {
          const logs = await getJson(`${p.base}/logs`).then(
            (r) => r.logs,
            (e) => e,
          );
          const dump = h(
            'button',
            {
              'data-testid': 'btn-thread-dump',
              onclick: () =>
                show(`${p.name}: thread dump`, async () => dumpText(await getJson(`${p.base}/thread-dump`))),
            },
            'Thread dump',
          );
          if (logs instanceof Error) return [h('h3', {}, p.name), h('p', { class: 'msg error' }, logs.message)];
          const rows = logs.map((l) =>
            h(
              'tr',
              { class: 'log-row', 'data-log': l.name },
              td(
                h(
                  'button',
                  {
                    class: 'link',
                    onclick: () =>
                      show(`${p.name}: ${l.name}`, () => getText(`${p.base}/logs/${encodeURIComponent(l.name)}`)),
                  },
                  l.name,
                ),
                'mono',
              ),
              td(fmtBytes(l.size), 'num'),
              td(fmtTime(l.mtime)),
            ),
          );
          return [
            h('h3', {}, p.name, ' ', dump),
            rows.length
              ? table(['File', { label: 'Size', cls: 'num' }, 'Modified'], rows)
              : h('p', { class: 'empty' }, 'No log files (the process logs to stderr only).'),
          ];
        }),
      );
      fill(list, sections);
    },
  };
}
