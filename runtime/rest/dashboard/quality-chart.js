/**
 * Quality chart of a job: an SVG line chart of MAE or accuracy over time, for jobs that report them.
 * Sources, sampled on every refresh: numeric `mae`, `maeSec`, `accuracy` fields (top level or under
 * `quality`) of `/jobs/:id/models` rows (one series per model@version, averaged over subtasks), and job or
 * vertex metrics whose id ends in `mae`, `maeSec` or `accuracy` (`GET /jobs/:id/metrics`, and operator
 * gauges through `GET /jobs/:id/vertices/:vid/metrics`, one series per subtask).
 *
 * Invariants: points are only what the cluster reported, at the time the dashboard saw them (the chart
 * starts when the page is opened); at most MAX_POINTS per series; nothing is drawn when nothing reports a
 * quality value — the panel says so instead.
 */
import { fill, fmtNum, h, svg } from './dom.js';

const MAX_POINTS = 300;
const KEYS = ['mae', 'maeSec', 'accuracy'];
const METRIC_ID = /(^|[._])(mae|maeSec|accuracy)$/i;
const COLORS = ['#2a6ad8', '#c5221f', '#1e8e3e', '#b06000', '#8a6cd1', '#00838f', '#6d4c41', '#ad1457'];

function qualityFields(row) {
  const out = [];
  for (const src of [row, row.quality || {}])
    for (const k of KEYS) if (typeof src[k] === 'number' && Number.isFinite(src[k])) out.push([k, src[k]]);
  return out;
}

export function createQualityTracker() {
  const series = new Map(); // label → [{t, v}]
  const add = (label, t, v) => {
    const pts = series.get(label) || [];
    pts.push({ t, v });
    if (pts.length > MAX_POINTS) pts.shift();
    series.set(label, pts);
  };
  return {
    /** Metric ids of the job worth sampling (those that look like MAE / accuracy). */
    metricIds: (ids) => ids.map((x) => x.id).filter((id) => METRIC_ID.test(id)),
    /** Adds one sample per series from the models rows and the job metric values. */
    sample(models, metricValues, t = Date.now()) {
      const agg = new Map();
      for (const m of models || []) {
        for (const [k, v] of qualityFields(m)) {
          const label = `${m.name}@${m.version} ${k}`;
          const a = agg.get(label) || { sum: 0, n: 0 };
          a.sum += v;
          a.n++;
          agg.set(label, a);
        }
      }
      for (const [label, a] of agg) add(label, t, a.sum / a.n);
      for (const { id, value } of metricValues || []) if (Number.isFinite(Number(value))) add(id, t, Number(value));
    },
    hasData: () => series.size > 0,
    render(el) {
      if (series.size === 0)
        return fill(
          el,
          h(
            'p',
            { class: 'empty', 'data-testid': 'no-quality' },
            'This job reports no MAE or accuracy; no quality chart.',
          ),
        );
      const W = 760,
        H = 240,
        L = 56,
        R = 180,
        T = 14,
        B = 28;
      const all = [...series.values()].flat();
      const t0 = Math.min(...all.map((p) => p.t)),
        t1 = Math.max(...all.map((p) => p.t), t0 + 1);
      let v0 = Math.min(...all.map((p) => p.v)),
        v1 = Math.max(...all.map((p) => p.v));
      if (v1 - v0 < 1e-9) {
        v0 -= 0.5;
        v1 += 0.5;
      }
      const x = (t) => L + ((t - t0) / (t1 - t0)) * (W - L - R);
      const y = (v) => T + (1 - (v - v0) / (v1 - v0)) * (H - T - B);
      const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => v0 + f * (v1 - v0));
      const lines = [...series.entries()].map(([label, pts], i) => {
        const color = COLORS[i % COLORS.length];
        return svg(
          'g',
          { 'data-series': label },
          svg('polyline', {
            class: 'series',
            stroke: color,
            points: pts.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' '),
          }),
          svg(
            'text',
            { x: W - R + 8, y: T + 12 + i * 14, fill: color },
            `${label}: ${fmtNum(pts[pts.length - 1].v, 3)}`,
          ),
        );
      });
      return fill(
        el,
        svg(
          'svg',
          { class: 'chart', width: W, height: H, 'data-testid': 'quality-chart' },
          svg('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }),
          svg('line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B }),
          ticks.map((v) => svg('text', { x: L - 6, y: y(v) + 3, 'text-anchor': 'end' }, fmtNum(v, 3))),
          svg('text', { x: L, y: H - 8 }, new Date(t0).toTimeString().slice(0, 8)),
          svg('text', { x: W - R, y: H - 8, 'text-anchor': 'end' }, new Date(t1).toTimeString().slice(0, 8)),
          lines,
        ),
      );
    },
  };
}
