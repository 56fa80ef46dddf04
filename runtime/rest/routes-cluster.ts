/**
 * Cluster-level routes: `/overview`, `/config`, `/jobmanager/config`, `/jobmanager/metrics`,
 * `/taskmanagers` (compact JSON, `taskmanagers` key first — Flink's e2e scripts grep for it),
 * `/taskmanagers/:id`, `/taskmanagers/:id/metrics`, `/taskmanagers/metrics`, `DELETE /cluster`.
 */
import { platform } from '../platform/index.js';
import { commaList, params, query } from './params.js';
import { found, type RouteContext } from './route-context.js';
import {
  AGGREGATIONS,
  FLINK_COMMIT,
  FLINK_VERSION,
  aggregatedMetricsJson,
  metricsJson,
  overviewJson,
  taskManagerJson,
  type Aggregation,
} from './views.js';
import { badRequest } from './rest-errors.js';
import { registerPrometheusRoute } from './routes-prometheus.js';

export function parseAggs(raw: string | undefined): Aggregation[] {
  const list = commaList(raw).map((a) => a.toLowerCase());
  for (const a of list)
    if (!(AGGREGATIONS as readonly string[]).includes(a))
      throw badRequest(`Bad request, could not parse parameters: agg must be among min, max, sum, avg, got "${a}".`);
  return list.length ? (list as Aggregation[]) : [...AGGREGATIONS];
}

export function registerClusterRoutes(c: RouteContext): void {
  const { app, facade } = c;
  registerPrometheusRoute(c);
  app.get('/overview', async () => overviewJson(await facade.overview()));
  app.get('/config', async () => {
    const now = new Date(platform.clock.nowMs());
    return {
      'refresh-interval': 3000,
      'timezone-name': Intl.DateTimeFormat().resolvedOptions().timeZone,
      'timezone-offset': -now.getTimezoneOffset() * 60_000,
      'flink-version': FLINK_VERSION,
      'flink-revision': FLINK_COMMIT,
      // `web-profiler` (Flink ≥ 1.19's dashboard reads it): async-profiler sessions are not offered.
      features: {
        'web-submit': true,
        'web-cancel': true,
        'web-rescale': false,
        'web-history': false,
        'web-profiler': false,
      },
    };
  });
  app.get('/jobmanager/config', async () =>
    Object.entries(c.config.toFlatObject({ redactSensitive: true })).map(([key, value]) => ({ key, value })),
  );
  app.get('/jobmanager/metrics', async (req) =>
    metricsJson(await found(facade.metrics({ kind: 'jobmanager' }), 'Job manager metrics'), commaList(query(req).get)),
  );

  app.get('/taskmanagers', async (_req, reply) => {
    const tms = (await facade.taskManagers()).map(taskManagerJson);
    return reply.type('application/json; charset=utf-8').send(JSON.stringify({ taskmanagers: tms }));
  });
  app.get('/taskmanagers/metrics', async (req) => {
    const q = query(req);
    const wanted = commaList(q.taskmanagers);
    const ids = wanted.length ? wanted : (await facade.taskManagers()).map((t) => t.id);
    const per = (await Promise.all(ids.map((id) => facade.metrics({ kind: 'taskmanager', taskManagerId: id })))).filter(
      (m) => m !== undefined,
    );
    return aggregatedMetricsJson(per, commaList(q.get), parseAggs(q.agg));
  });
  app.get('/taskmanagers/:tmid', async (req) => {
    const id = params(req).tmid!;
    const t = await found(facade.taskManager(id), `Task manager ${id}`);
    return { ...taskManagerJson(t), metrics: t.metrics, allocatedSlots: t.allocatedSlots };
  });
  app.get('/taskmanagers/:tmid/metrics', async (req) => {
    const id = params(req).tmid!;
    return metricsJson(
      await found(facade.metrics({ kind: 'taskmanager', taskManagerId: id }), `Task manager ${id}`),
      commaList(query(req).get),
    );
  });

  app.delete('/cluster', async (_req, reply) => {
    reply.raw.once('finish', () => {
      platform.clock.setImmediate(() => {
        Promise.resolve()
          .then(() => facade.shutdown())
          .catch((e: Error) => c.log.error(`cluster shutdown failed: ${e.message}`));
      });
    });
    return reply.code(200).send({});
  });
}
