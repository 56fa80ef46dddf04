/**
 * Vertex page (`#/jobs/<jobId>/vertices/<vertexId>`): the subtasks (state, worker, records and bytes in / out,
 * busy / back-pressured time) from `GET /jobs/:id/vertices/:vid`, back pressure per subtask in Flink's levels
 * from `…/backpressure`, user accumulators from `…/accumulators`, and the flame graph of the workers running
 * the vertex from `…/flamegraph?type=` (ON_CPU, OFF_CPU or FULL) drawn as an icicle chart.
 *
 * Invariants: each panel shows its own error without blanking the others; the flame graph says why it is
 * empty (disabled by `rest.flamegraph.enabled`, sampling, no running subtask).
 */
import { getJson } from './api.js';
import { badge, fill, fmtBytes, fmtInt, fmtNum, h, svg, table, td } from './dom.js';

const FLAME_STATES = {
  '-1': 'No subtask of this vertex is running.',
  '-2': 'Flame graphs are disabled (rest.flamegraph.enabled: false).',
  '-3': 'Sampling the workers… the graph appears in a few seconds.',
};
const WIDTH = 1000;
const ROW = 18;

/** Icicle chart: the root on top, each frame as wide as its share of the samples. */
export function renderFlameGraph(root) {
  const rects = [];
  let depth = 0;
  const walk = (node, x, w, d) => {
    depth = Math.max(depth, d + 1);
    if (w < 1) return;
    const hue = 20 + ((node.name.length * 37) % 40);
    rects.push(
      svg(
        'g',
        { class: 'frame' },
        svg('title', {}, `${node.name}: ${node.value} samples`),
        svg('rect', { x, y: d * ROW, width: w, height: ROW - 1, fill: `hsl(${hue}, 85%, 60%)` }),
        w > 40
          ? svg('text', { x: x + 3, y: d * ROW + 13, 'font-size': 11 }, node.name.slice(0, Math.floor(w / 7)))
          : null,
      ),
    );
    let cx = x;
    for (const c of node.children ?? []) {
      const cw = node.value > 0 ? (w * c.value) / node.value : 0;
      walk(c, cx, cw, d + 1);
      cx += cw;
    }
  };
  walk(root, 0, WIDTH, 0);
  return svg('svg', { class: 'flame', viewBox: `0 0 ${WIDTH} ${depth * ROW}`, 'data-testid': 'flame-graph' }, rects);
}

export function mountVertex(root, jobId, vertexId) {
  const base = `/jobs/${jobId}/vertices/${vertexId}`;
  const title = h('h1', { 'data-testid': 'vertex-name' }, vertexId);
  const subtasks = h('div', { 'data-testid': 'subtask-panel' });
  const backpressure = h('div', { 'data-testid': 'backpressure-panel' });
  const accumulators = h('div', { 'data-testid': 'accumulator-panel' });
  const flame = h('div', { 'data-testid': 'flame-panel' });
  let type = 'ON_CPU';
  const typeSelect = h(
    'select',
    { 'data-testid': 'flame-type', onchange: (e) => (type = e.target.value) },
    ['ON_CPU', 'OFF_CPU', 'FULL'].map((x) => h('option', { value: x }, x)),
  );
  root.append(
    h('p', {}, h('a', { href: `#/jobs/${jobId}` }, '← job')),
    title,
    h('h2', {}, 'Subtasks'),
    subtasks,
    h('h2', {}, 'Back pressure'),
    backpressure,
    h('h2', {}, 'Accumulators'),
    accumulators,
    h('h2', {}, 'Flame graph ', typeSelect),
    flame,
  );
  const failed = (el) => (e) => fill(el, h('p', { class: 'msg error' }, e.message));

  return {
    async refresh() {
      const v = await getJson(base);
      title.textContent = v.name;
      fill(
        subtasks,
        table(
          [
            '#',
            'State',
            'Worker',
            ...['Records in', 'Records out', 'Bytes in', 'Bytes out', 'Busy ms', 'Back-pressured ms'].map((label) => ({
              label,
              cls: 'num',
            })),
          ],
          v.subtasks.map((s) =>
            h(
              'tr',
              { class: 'subtask-row' },
              td(s.subtask, 'num'),
              td(badge(s.status)),
              td(s.endpoint ?? s.host, 'mono'),
              td(fmtInt(s.metrics['read-records']), 'num'),
              td(fmtInt(s.metrics['write-records']), 'num'),
              td(fmtBytes(s.metrics['read-bytes']), 'num'),
              td(fmtBytes(s.metrics['write-bytes']), 'num'),
              td(fmtInt(s.metrics['accumulated-busy-time']), 'num'),
              td(fmtInt(s.metrics['accumulated-backpressured-time']), 'num'),
            ),
          ),
        ),
      );
      await Promise.all([
        getJson(`${base}/backpressure`).then(
          (bp) =>
            fill(
              backpressure,
              bp.status !== 'ok'
                ? h('p', { class: 'empty' }, 'Not every subtask has reported its time metrics yet.')
                : [
                    h(
                      'p',
                      { 'data-testid': 'backpressure-level', 'data-level': bp.backpressureLevel },
                      'Level: ',
                      badge(bp.backpressureLevel.toUpperCase()),
                    ),
                    table(
                      ['#', 'Level', ...['Back-pressured', 'Busy', 'Idle'].map((label) => ({ label, cls: 'num' }))],
                      bp.subtasks.map((s) =>
                        h(
                          'tr',
                          { class: 'bp-row' },
                          td(s.subtask, 'num'),
                          td(s.backpressureLevel),
                          td(`${fmtNum(s.ratio * 100)} %`, 'num'),
                          td(`${fmtNum(s.busyRatio * 100)} %`, 'num'),
                          td(`${fmtNum(s.idleRatio * 100)} %`, 'num'),
                        ),
                      ),
                    ),
                  ],
            ),
          failed(backpressure),
        ),
        getJson(`${base}/accumulators`).then(
          (a) =>
            fill(
              accumulators,
              a['user-accumulators'].length
                ? table(
                    ['Name', 'Type', { label: 'Value', cls: 'num' }],
                    a['user-accumulators'].map((x) => h('tr', {}, td(x.name, 'mono'), td(x.type), td(x.value, 'num'))),
                  )
                : h('p', { class: 'empty' }, 'No user counters (getMetricGroup().counter) in this vertex.'),
            ),
          failed(accumulators),
        ),
        getJson(`${base}/flamegraph?type=${type}`).then(
          (f) =>
            fill(
              flame,
              f.data
                ? [
                    h(
                      'p',
                      { class: 'meta' },
                      `${fmtInt(f.data.value)} samples, taken ${new Date(f.endTimestamp).toTimeString().slice(0, 8)}`,
                    ),
                    renderFlameGraph(f.data),
                  ]
                : h(
                    'p',
                    { class: 'empty', 'data-testid': 'flame-state', 'data-state': String(f.endTimestamp) },
                    FLAME_STATES[String(f.endTimestamp)] ?? 'No flame graph.',
                  ),
            ),
          failed(flame),
        ),
      ]);
    },
  };
}
