/**
 * Job page (`#/jobs/<jobId>`): header (name, id, state, start, duration) from `GET /jobs/:id`, the
 * Savepoint / Cancel actions (job-actions.js), the job graph (`GET /jobs/:id/plan` once + `GET /jobs/:id`
 * and vertex metrics every refresh, job-graph.js), the model-serving panel (`GET /jobs/:id/models`), the
 * quality chart (quality-chart.js), the checkpoint history (`GET /jobs/:id/checkpoints`) and the
 * exceptions (`GET /jobs/:id/exceptions`).
 *
 * Invariants: the page skeleton and the action buttons are built once; each refresh refills the panels;
 * one failing endpoint shows its error in its own panel and does not blank the others (the details
 * request failing fails the refresh, reported in the status line).
 */
import { getJson } from './api.js';
import { badge, fill, fmtDuration, fmtTime, h } from './dom.js';
import { createJobActions } from './job-actions.js';
import { renderJobGraph } from './job-graph.js';
import { createVertexRates } from './vertex-rates.js';
import { renderModels } from './model-panel.js';
import { createQualityTracker } from './quality-chart.js';
import { renderCheckpoints } from './checkpoints-panel.js';
import { renderExceptions } from './exceptions-panel.js';

const failed = (el, e) => fill(el, h('p', { class: 'msg error' }, e.message));

export function mountJob(root, jobId) {
  const title = h('h1', { 'data-testid': 'job-name' }, jobId);
  const meta = h('div', { class: 'meta', 'data-testid': 'job-meta' });
  const actions = createJobActions(jobId);
  const graph = h('div', { class: 'graph', 'data-testid': 'graph-panel' });
  const vertices = h('p', { class: 'vertex-links', 'data-testid': 'vertex-links' });
  const models = h('div', { 'data-testid': 'model-panel' });
  const quality = h('div', { 'data-testid': 'quality-panel' });
  const checkpoints = h('div', { 'data-testid': 'checkpoint-panel' });
  const exceptions = h('div', { 'data-testid': 'exception-panel' });
  root.append(
    title,
    meta,
    actions.element,
    h('h2', {}, 'Job graph'),
    graph,
    vertices,
    h('h2', {}, 'Model serving'),
    models,
    h('h2', {}, 'Quality'),
    quality,
    h('h2', {}, 'Checkpoints'),
    checkpoints,
    h('h2', {}, 'Exceptions'),
    exceptions,
  );
  const rates = createVertexRates(jobId);
  const tracker = createQualityTracker();
  let plan = null;

  return {
    async refresh() {
      const details = await getJson(`/jobs/${jobId}`);
      if (!plan)
        plan = await getJson(`/jobs/${jobId}/plan`)
          .then((p) => p.plan)
          .catch(() => details.plan || null);
      const running = details.state === 'RUNNING';
      title.textContent = details.name;
      fill(
        meta,
        h('span', { 'data-testid': 'job-state', 'data-state': details.state }, badge(details.state)),
        h('span', { class: 'mono' }, details.jid),
        h('span', {}, `started ${fmtTime(details['start-time'])}`),
        h('span', {}, `duration ${fmtDuration(details.duration)}`),
        details['end-time'] > 0 ? h('span', {}, `ended ${fmtTime(details['end-time'])}`) : null,
      );
      actions.update(details.state);

      const [vertexRates, modelRows, metricIds, cps, exc] = await Promise.all([
        rates.compute(details, running).catch(() => new Map()),
        getJson(`/jobs/${jobId}/models`)
          .then((r) => r.models)
          .catch((e) => e),
        getJson(`/jobs/${jobId}/metrics`)
          .then((ids) => tracker.metricIds(ids))
          .catch(() => []),
        getJson(`/jobs/${jobId}/checkpoints`).catch((e) => e),
        getJson(`/jobs/${jobId}/exceptions`).catch((e) => e),
      ]);
      fill(graph, renderJobGraph(details, plan, vertexRates));
      fill(
        vertices,
        'Vertex details (subtasks, back pressure, flame graph): ',
        details.vertices.map((v) => [
          h('a', { href: `#/jobs/${jobId}/vertices/${v.id}`, class: 'vertex-link' }, v.name),
          ' ',
        ]),
      );
      if (modelRows instanceof Error) failed(models, modelRows);
      else renderModels(models, modelRows);
      const metricValues = [
        ...(metricIds.length ? await getJson(`/jobs/${jobId}/metrics?get=${metricIds.join(',')}`).catch(() => []) : []),
        ...(await qualityVertexMetrics(jobId, details.vertices, tracker)),
      ];
      tracker.sample(modelRows instanceof Error ? [] : modelRows, metricValues);
      tracker.render(quality);
      if (cps instanceof Error) failed(checkpoints, cps);
      else renderCheckpoints(checkpoints, cps);
      if (exc instanceof Error) failed(exceptions, exc);
      else renderExceptions(exceptions, exc);
    },
    unmount() {
      actions.dispose();
    },
  };
}

/**
 * Operator metrics that look like MAE / accuracy (a user gauge such as `<subtask>.<uid>.v3.maeSec`), from
 * every vertex of the job, labelled with the vertex name; the metric id lists are asked for once per refresh.
 */
async function qualityVertexMetrics(jobId, vertices, tracker) {
  const per = await Promise.all(
    vertices.map(async (v) => {
      const ids = await getJson(`/jobs/${jobId}/vertices/${v.id}/metrics`)
        .then((l) => tracker.metricIds(l))
        .catch(() => []);
      if (!ids.length) return [];
      const values = await getJson(`/jobs/${jobId}/vertices/${v.id}/metrics?get=${ids.join(',')}`).catch(() => []);
      return values.map((m) => ({ id: `${v.name} ${m.id}`, value: m.value }));
    }),
  );
  return per.flat();
}
