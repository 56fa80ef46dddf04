/**
 * Model-serving panel of a job from `GET /jobs/:id/models` (one row per vertex × subtask × model): model
 * name, version, usage, failures, p50 / p99 latency in ms, average batch size, speculative wins, subtask
 * and worker; a "total" row per model and version sums usage, failures and wins over its subtasks (latency
 * quantiles are per subtask and are not summed); below it the rejected model descriptors (each subtask repeats its list on every row; shown
 * once per name + version + code).
 *
 * Invariants: numbers are shown as reported (wins absent → "–", never 0 invented); rows are sorted as the
 * server sorts them (vertex, subtask, name@version).
 */
import { fill, fmtInt, fmtNum, fmtTime, h, table, td } from './dom.js';

export function renderModels(el, models) {
  if (!models || models.length === 0)
    return fill(
      el,
      h('p', { class: 'empty', 'data-testid': 'no-models' }, 'This job serves no models (or none has reported yet).'),
    );
  const rows = models.map((m) =>
    h(
      'tr',
      { class: 'model-row', 'data-model': m.name, 'data-version': m.version, 'data-subtask': m.subtask ?? '' },
      td(m.name),
      td(m.version, 'mono'),
      td(m.modelType ? `${m.modelType}${m.backend ? ` / ${m.backend}` : ''}` : '–'),
      td(fmtInt(m.usage), 'num'),
      td(fmtInt(m.failures), 'num'),
      td(fmtNum(m.durationMs?.p50, 2), 'num'),
      td(fmtNum(m.durationMs?.p99, 2), 'num'),
      td(fmtNum(m.batchSize?.avg, 1), 'num'),
      td(m.wins === undefined ? '–' : fmtInt(m.wins), 'num'),
      td(m.subtask === undefined ? '–' : String(m.subtask), 'num'),
      td(m.taskManagerId || '–', 'mono'),
      td(fmtTime(m.since)),
    ),
  );
  const totals = new Map();
  for (const m of models) {
    const k = `${m.name}@${m.version}`;
    const t = totals.get(k) ?? { name: m.name, version: m.version, usage: 0, failures: 0, wins: undefined, n: 0 };
    t.usage += Number(m.usage ?? 0);
    t.failures += Number(m.failures ?? 0);
    if (m.wins !== undefined) t.wins = (t.wins ?? 0) + Number(m.wins);
    t.n++;
    totals.set(k, t);
  }
  for (const t of totals.values())
    rows.push(
      h(
        'tr',
        { class: 'model-total', 'data-model': t.name, 'data-version': t.version },
        td(h('b', {}, t.name)),
        td(t.version, 'mono'),
        td(`total of ${t.n}`),
        td(fmtInt(t.usage), 'num'),
        td(fmtInt(t.failures), 'num'),
        td('', 'num'),
        td('', 'num'),
        td('', 'num'),
        td(t.wins === undefined ? '–' : fmtInt(t.wins), 'num'),
        td('all', 'num'),
        td(''),
        td(''),
      ),
    );
  const head = [
    'Model',
    'Version',
    'Type',
    { label: 'Usage', cls: 'num' },
    { label: 'Failures', cls: 'num' },
    { label: 'p50 ms', cls: 'num' },
    { label: 'p99 ms', cls: 'num' },
    { label: 'Batch avg', cls: 'num' },
    { label: 'Wins', cls: 'num' },
    { label: 'Subtask', cls: 'num' },
    'Worker',
    'Serving since',
  ];
  const seen = new Map();
  for (const m of models) for (const r of m.rejected || []) seen.set(`${r.name}@${r.version}:${r.code}`, r);
  const rejected = [...seen.values()].map((r) =>
    h(
      'tr',
      { class: 'rejected-row' },
      td(r.name),
      td(r.version, 'mono'),
      td(r.code, 'mono'),
      td(r.reason),
      td(fmtTime(r.atMs)),
    ),
  );
  const total = Math.max(0, ...models.map((m) => Number(m.rejectedTotal || 0)));
  return fill(
    el,
    table(head, rows, { 'data-testid': 'model-table' }),
    h('h3', {}, `Rejected models${total ? ` (${total} in total)` : ''}`),
    rejected.length
      ? table(['Model', 'Version', 'Code', 'Reason', 'At'], rejected, { 'data-testid': 'rejected-table' })
      : h('p', { class: 'empty' }, 'None rejected.'),
  );
}
