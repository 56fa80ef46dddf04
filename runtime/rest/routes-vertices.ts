/**
 * Vertex routes under `/jobs/:jobid/vertices/:vertexid`: details, subtask attempts (current and by number)
 * and their accumulators, subtask times, task managers, back pressure, accumulators, flame graph,
 * watermarks and metrics (per vertex, aggregated over subtasks, per subtask).
 */
import { commaList, hexId, indexRanges, optionalEnum, optionalInt, params, query } from './params.js';
import { badRequest } from './rest-errors.js';
import { found, type RouteContext } from './route-context.js';
import { parseAggs } from './routes-cluster.js';
import { aggregatedMetricsJson, metricsJson } from './views.js';

const FLAME_GRAPH_TYPES = ['FULL', 'ON_CPU', 'OFF_CPU'] as const;

function nonNegative(raw: string | undefined, name: string): number {
  if (raw === undefined || !/^\d+$/.test(raw))
    throw badRequest(`Bad request, could not parse parameters: ${name} must be a non-negative integer, got "${raw}".`);
  return Number(raw);
}

export function registerVertexRoutes(c: RouteContext): void {
  const { app, facade } = c;
  const ids = (req: Parameters<typeof hexId>[0]) => {
    const id = hexId(req, 'jobid');
    const vid = hexId(req, 'vertexid');
    return { id, vid, what: `Vertex ${vid} of job ${id}` };
  };
  const V = '/jobs/:jobid/vertices/:vertexid';

  app.get(V, async (req) => {
    const { id, vid, what } = ids(req);
    return found(facade.vertexDetails(id, vid), what);
  });
  app.get(`${V}/subtasks/:subtaskindex`, async (req) => {
    const { id, vid } = ids(req);
    const i = nonNegative(params(req).subtaskindex, 'subtaskindex');
    return found(facade.subtaskAttempt(id, vid, i), `Subtask ${i} of vertex ${vid}`);
  });
  app.get(`${V}/subtasks/:subtaskindex/attempts/:attempt`, async (req) => {
    const { id, vid } = ids(req);
    const i = nonNegative(params(req).subtaskindex, 'subtaskindex');
    const n = nonNegative(params(req).attempt, 'attempt');
    return found(facade.subtaskAttempt(id, vid, i, n), `Attempt ${n} of subtask ${i} of vertex ${vid}`);
  });
  app.get(`${V}/subtasks/:subtaskindex/attempts/:attempt/accumulators`, async (req) => {
    const { id, vid } = ids(req);
    const i = nonNegative(params(req).subtaskindex, 'subtaskindex');
    const n = nonNegative(params(req).attempt, 'attempt');
    return found(facade.attemptAccumulators(id, vid, i, n), `Attempt ${n} of subtask ${i} of vertex ${vid}`);
  });
  app.get(`${V}/subtasks/accumulators`, async (req) => {
    const { id, vid, what } = ids(req);
    return found(facade.subtasksAccumulators(id, vid), what);
  });
  app.get(`${V}/accumulators`, async (req) => {
    const { id, vid, what } = ids(req);
    return found(facade.vertexAccumulators(id, vid), what);
  });
  app.get(`${V}/subtasktimes`, async (req) => {
    const { id, vid, what } = ids(req);
    return found(facade.subtaskTimes(id, vid), what);
  });
  app.get(`${V}/taskmanagers`, async (req) => {
    const { id, vid, what } = ids(req);
    return found(facade.vertexTaskManagers(id, vid), what);
  });
  app.get(`${V}/backpressure`, async (req) => {
    const { id, vid, what } = ids(req);
    return found(facade.vertexBackPressure(id, vid), what);
  });
  app.get(`${V}/flamegraph`, async (req) => {
    const { id, vid, what } = ids(req);
    const q = query(req);
    const type = optionalEnum(q.type, 'type', FLAME_GRAPH_TYPES, 'FULL');
    const subtaskIndex = q.subtaskindex === undefined ? undefined : nonNegative(q.subtaskindex, 'subtaskindex');
    const sub = subtaskIndex === undefined ? '' : ` (subtask ${subtaskIndex})`;
    return found(facade.vertexFlameGraph(id, vid, { type, subtaskIndex }), `${what}${sub}`);
  });

  // Flink's JobVertexWatermarksHandler: the `<subtask>.currentInputWatermark` metrics of the vertex.
  app.get(`${V}/watermarks`, async (req) => {
    const { id, vid, what } = ids(req);
    const all = await found(facade.metrics({ kind: 'vertex', jobId: id, vertexId: vid }), what);
    const names = Object.keys(all)
      .filter((k) => /^\d+\.currentInputWatermark$/.test(k))
      .sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
    return metricsJson(all, names);
  });
  app.get(`${V}/metrics`, async (req) => {
    const { id, vid, what } = ids(req);
    return metricsJson(
      await found(facade.metrics({ kind: 'vertex', jobId: id, vertexId: vid }), what),
      commaList(query(req).get),
    );
  });
  app.get(`${V}/subtasks/metrics`, async (req) => {
    const { id, vid, what } = ids(req);
    const q = query(req);
    const v = await found(facade.vertexDetails(id, vid), what);
    const parallelism = Number(v.parallelism ?? 0);
    const chosen = indexRanges(q.subtasks, 'subtasks');
    const idx = [...Array(parallelism).keys()].filter((i) => !chosen || chosen.has(i));
    const per = (
      await Promise.all(idx.map((i) => facade.metrics({ kind: 'subtask', jobId: id, vertexId: vid, subtaskIndex: i })))
    ).filter((m) => m !== undefined);
    return aggregatedMetricsJson(per, commaList(q.get), parseAggs(q.agg));
  });
  app.get(`${V}/subtasks/:subtaskindex/metrics`, async (req) => {
    const { id, vid } = ids(req);
    const i = optionalInt(params(req).subtaskindex, 'subtaskindex')!;
    return metricsJson(
      await found(
        facade.metrics({ kind: 'subtask', jobId: id, vertexId: vid, subtaskIndex: i }),
        `Subtask ${i} of vertex ${vid}`,
      ),
      commaList(query(req).get),
    );
  });
}
