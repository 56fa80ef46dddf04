/**
 * The job graph as SVG: one box per job vertex (name, parallelism, status, records in/out, records/s,
 * backpressure) and one arrow per input edge labelled with its ship strategy. Topology comes from the
 * plan (`GET /jobs/:id/plan`, `nodes[].inputs[].id`), vertex data from `GET /jobs/:id` and vertex-rates.js.
 *
 * Layout: a vertex's column is the length of the longest input path from a source (sources in column 0),
 * rows in plan order, each column centred vertically. Invariants: every vertex of `details.vertices` gets
 * a box with its full name in `data-name` and a <title> (the drawn name may be shortened); inputs that
 * name unknown vertices are skipped, not drawn to nowhere.
 */
import { fmtInt, fmtNum, svg } from './dom.js';

const W = 260;
const H = 108;
const GAP_X = 80;
const GAP_Y = 26;
const PAD = 20;

function columns(vertices, inputsOf) {
  const col = new Map();
  const visit = (id, seen) => {
    if (col.has(id)) return col.get(id);
    if (seen.has(id)) return 0; // a cycle (iterations): stop here
    seen.add(id);
    const ins = (inputsOf.get(id) || []).filter((x) => vertices.some((v) => v.id === x));
    const c = ins.length ? 1 + Math.max(...ins.map((x) => visit(x, seen))) : 0;
    col.set(id, c);
    return c;
  };
  for (const v of vertices) visit(v.id, new Set());
  return col;
}

function wrap(name, width, maxLines) {
  const words = String(name).split(/(?<=\s)|(?=->)/);
  const lines = [''];
  for (const w of words) {
    if ((lines[lines.length - 1] + w).length > width && lines[lines.length - 1]) lines.push('');
    lines[lines.length - 1] += w;
  }
  const cut = lines.slice(0, maxLines).map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l.trim()));
  if (lines.length > maxLines) cut[maxLines - 1] = `${cut[maxLines - 1].slice(0, width - 1)}…`;
  return cut;
}

const rate = (r) => (r === null || r === undefined ? '–' : fmtNum(r, r < 10 ? 1 : 0));

/** Returns an <svg> for the job; `rates` is the Map from vertex-rates.js (may be empty). */
export function renderJobGraph(details, plan, rates) {
  const inputsOf = new Map((plan?.nodes || []).map((n) => [n.id, (n.inputs || []).map((i) => i.id)]));
  const shipOf = new Map(
    (plan?.nodes || []).flatMap((n) => (n.inputs || []).map((i) => [`${i.id}>${n.id}`, i.ship_strategy])),
  );
  const vertices = details.vertices;
  const col = columns(vertices, inputsOf);
  const perCol = new Map();
  for (const v of vertices) perCol.set(col.get(v.id), [...(perCol.get(col.get(v.id)) || []), v]);
  const maxRows = Math.max(1, ...[...perCol.values()].map((l) => l.length));
  const height = PAD * 2 + maxRows * H + (maxRows - 1) * GAP_Y;
  const pos = new Map();
  for (const [c, list] of perCol) {
    const colHeight = list.length * H + (list.length - 1) * GAP_Y;
    list.forEach((v, i) => pos.set(v.id, { x: PAD + c * (W + GAP_X), y: (height - colHeight) / 2 + i * (H + GAP_Y) }));
  }
  const width = PAD * 2 + (Math.max(0, ...col.values()) + 1) * (W + GAP_X) - GAP_X;

  const edges = [];
  for (const v of vertices) {
    for (const src of inputsOf.get(v.id) || []) {
      const a = pos.get(src);
      const b = pos.get(v.id);
      if (!a || !b) continue;
      const x1 = a.x + W,
        y1 = a.y + H / 2,
        x2 = b.x - 2,
        y2 = b.y + H / 2;
      const mx = (x1 + x2) / 2;
      edges.push(
        svg(
          'g',
          { class: 'edge', 'data-from': src, 'data-to': v.id },
          svg('path', { d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`, 'marker-end': 'url(#arrow)' }),
          svg('text', { x: mx, y: (y1 + y2) / 2 - 5, 'text-anchor': 'middle' }, shipOf.get(`${src}>${v.id}`) || ''),
        ),
      );
    }
  }
  const boxes = vertices.map((v) => {
    const p = pos.get(v.id);
    const r = rates.get(v.id) || {
      read: Number(v.metrics?.['read-records'] ?? 0),
      write: Number(v.metrics?.['write-records'] ?? 0),
      inRate: null,
      outRate: null,
      backpressureMsPerSecond: null,
    };
    const name = wrap(v.name, 32, 2);
    const lines = [
      ...name.map((t) => ({ t, cls: 'name' })),
      { t: `parallelism ${v.parallelism} · ${v.status}`, cls: 'sub' },
      { t: `records in ${fmtInt(r.read)} · out ${fmtInt(r.write)}`, cls: 'records' },
      { t: `records/s in ${rate(r.inRate)} · out ${rate(r.outRate)}`, cls: 'rates' },
      {
        t: `backpressured ${r.backpressureMsPerSecond === null ? 'n/a' : `${fmtNum(r.backpressureMsPerSecond, 0)} ms/s`}`,
        cls: 'sub',
      },
    ];
    return svg(
      'g',
      {
        class: `vertex ${v.status}`,
        'data-vertex-id': v.id,
        'data-name': v.name,
        'data-parallelism': v.parallelism,
        'data-status': v.status,
        'data-read-records': r.read,
        'data-write-records': r.write,
        transform: `translate(${p.x},${p.y})`,
      },
      svg('title', {}, v.name),
      svg('rect', { width: W, height: H, rx: 6 }),
      lines.map((l, i) => svg('text', { class: l.cls, x: 10, y: 18 + i * 15 }, l.t)),
    );
  });
  return svg(
    'svg',
    { width, height, viewBox: `0 0 ${width} ${height}`, 'data-testid': 'job-graph' },
    svg(
      'defs',
      {},
      svg(
        'marker',
        {
          id: 'arrow',
          viewBox: '0 0 10 10',
          refX: 9,
          refY: 5,
          markerWidth: 8,
          markerHeight: 8,
          orient: 'auto-start-reverse',
        },
        svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#8c99ab' }),
      ),
    ),
    edges,
    boxes,
  );
}
