/**
 * Job routes: `/jobs`, `/jobs/overview`, `/jobs/metrics`, `/jobs/:jobid` (GET details, PATCH cancel),
 * status, plan, config, exceptions, execution-result, rescaling (503, FLINK-12312), resource
 * requirements, models, queryable state by key, accumulators, metrics, client heartbeats; `POST /jobs` (a serialized JobGraph) is
 * refused with the way to submit instead. Vertex routes are in routes-vertices.ts.
 */
import { SluiceError } from '../errors/catalogue.js';
import type { ResourceRequirements } from './cluster-facade.js';
import { body, commaList, hexId, labelFilter, optionalInt, params, query } from './params.js';
import { badRequest, notFound } from './rest-errors.js';
import { jsonSafe, parseStateKey } from './state-key.js';
import { found, jobWhat, type RouteContext } from './route-context.js';
import { parseAggs } from './routes-cluster.js';
import { aggregatedMetricsJson, executionResultJson, jobOverviewJson, metricsJson } from './views.js';

const STOP_REMOVED =
  'The termination mode "stop" has been removed. For an ungraceful shutdown, please use "cancel" instead. For a graceful shutdown, please use "jobs/:jobId/stop" instead.';
const RESCALING_DISABLED = 'Rescaling is temporarily disabled. See FLINK-12312.';
const POST_JOBS_UNSUPPORTED =
  'Bad request: sluice runs TypeScript job bundles, not serialized Java JobGraphs. Upload the bundle with POST /jars/upload and start it with POST /jars/:jarid/run (sluice run does both).';

export function registerJobRoutes(c: RouteContext): void {
  const { app, facade } = c;
  app.get('/jobs', async () => ({ jobs: (await facade.jobs()).map((j) => ({ id: j.id, status: j.status })) }));
  app.get('/jobs/overview', async () => ({ jobs: (await facade.jobsOverview()).map(jobOverviewJson) }));
  app.get('/jobs/metrics', async (req) => {
    const q = query(req);
    const wanted = commaList(q.jobs);
    const ids = wanted.length ? wanted : (await facade.jobs()).map((j) => j.id);
    const per = (await Promise.all(ids.map((jobId) => facade.metrics({ kind: 'job', jobId })))).filter(
      (m) => m !== undefined,
    );
    return aggregatedMetricsJson(per, commaList(q.get), parseAggs(q.agg));
  });

  app.get('/jobs/:jobid', async (req) => {
    const id = hexId(req, 'jobid');
    return found(facade.jobDetails(id), jobWhat(id));
  });
  app.patch('/jobs/:jobid', async (req, reply) => {
    const id = hexId(req, 'jobid');
    const mode = (query(req).mode ?? 'cancel').toLowerCase();
    if (mode === 'stop') return reply.code(308).send({ errors: [STOP_REMOVED] });
    if (mode !== 'cancel')
      throw badRequest(
        `Bad request, could not parse parameters: invalid termination mode "${query(req).mode}"; the only supported value is "cancel".`,
      );
    await found(facade.jobStatus(id), jobWhat(id));
    await facade.cancelJob(id);
    return reply.code(202).send();
  });
  app.get('/jobs/:jobid/status', async (req) => {
    const id = hexId(req, 'jobid');
    return { status: await found(facade.jobStatus(id), jobWhat(id)) };
  });
  app.get('/jobs/:jobid/plan', async (req) => {
    const id = hexId(req, 'jobid');
    return { plan: await found(facade.jobPlan(id), jobWhat(id)) };
  });
  app.get('/jobs/:jobid/config', async (req) => {
    const id = hexId(req, 'jobid');
    return found(facade.jobConfig(id), jobWhat(id));
  });
  app.get('/jobs/:jobid/jobmanager/config', async (req) => {
    const id = hexId(req, 'jobid');
    await found(facade.jobStatus(id), jobWhat(id));
    return Object.entries(c.config.toFlatObject({ redactSensitive: true })).map(([key, value]) => ({ key, value }));
  });
  app.get('/jobs/:jobid/exceptions', async (req) => {
    const id = hexId(req, 'jobid');
    const q = query(req);
    const maxExceptions =
      optionalInt(q.maxExceptions, 'maxExceptions') ?? c.config.getInt('web.exception-history-size');
    return found(
      facade.jobExceptions(id, { maxExceptions, failureLabelFilter: labelFilter(q.failureLabelFilter) }),
      jobWhat(id),
    );
  });
  app.get('/jobs/:jobid/execution-result', async (req) => {
    const id = hexId(req, 'jobid');
    return executionResultJson(await found(facade.jobExecutionResult(id), jobWhat(id)));
  });
  app.patch('/jobs/:jobid/rescaling', async (req, reply) => {
    hexId(req, 'jobid');
    return reply.code(503).send({ errors: [RESCALING_DISABLED] });
  });
  app.get('/jobs/:jobid/rescaling/:triggerid', async (req, reply) => {
    hexId(req, 'jobid');
    return reply.code(503).send({ errors: [RESCALING_DISABLED] });
  });

  app.get('/jobs/:jobid/resource-requirements', async (req) => {
    const id = hexId(req, 'jobid');
    return found(facade.resourceRequirements(id), jobWhat(id));
  });
  app.put('/jobs/:jobid/resource-requirements', async (req) => {
    const id = hexId(req, 'jobid');
    const reqs = parseResourceRequirements(body(req));
    await found(facade.jobStatus(id), jobWhat(id));
    await facade.updateResourceRequirements(id, reqs);
    return {};
  });

  app.get('/jobs/:jobid/models', async (req) => {
    const id = hexId(req, 'jobid');
    return { models: await found(facade.jobModels(id), jobWhat(id)) };
  });
  app.get('/jobs/:jobid/state/:name', async (req) => {
    const id = hexId(req, 'jobid');
    const name = params(req).name ?? '';
    const q = query(req);
    if (!facade.queryState) throw notFound(`queryable state of job ${id}`);
    const key = parseStateKey(q.key, q.keyType);
    return jsonSafe(await found(facade.queryState(id, name, key), jobWhat(id)));
  });
  app.get('/jobs/:jobid/metrics', async (req) => {
    const id = hexId(req, 'jobid');
    return metricsJson(await found(facade.metrics({ kind: 'job', jobId: id }), jobWhat(id)), commaList(query(req).get));
  });

  app.get('/jobs/:jobid/accumulators', async (req) => {
    const id = hexId(req, 'jobid');
    return found(facade.jobAccumulators(id), jobWhat(id));
  });
  app.patch('/jobs/:jobid/clientHeartbeat', async (req, reply) => {
    const id = hexId(req, 'jobid');
    const ts = body(req).expiredTimestamp;
    if (!Number.isSafeInteger(ts))
      throw badRequest('Bad request: field "expiredTimestamp" must be an epoch timestamp in milliseconds.');
    await found(facade.jobStatus(id), jobWhat(id));
    await facade.clientHeartbeat(id, ts as number);
    return reply.code(202).send({});
  });
  // Flink's JobSubmitHandler takes a Java-serialized JobGraph, which sluice does not promise to read.
  app.post('/jobs', async () => {
    throw badRequest(POST_JOBS_UNSUPPORTED);
  });
}

function parseResourceRequirements(b: Record<string, unknown>): ResourceRequirements {
  const out: ResourceRequirements = {};
  for (const [vid, v] of Object.entries(b)) {
    const p = (v as { parallelism?: { lowerBound?: unknown; upperBound?: unknown } } | null)?.parallelism;
    const lo = p?.lowerBound;
    const hi = p?.upperBound;
    if (!/^[0-9a-f]{32}$/.test(vid)) throw badRequest(`Bad request: "${vid}" is not a job vertex id.`);
    if (
      !Number.isSafeInteger(lo) ||
      !Number.isSafeInteger(hi) ||
      (lo as number) < 1 ||
      ((hi as number) < (lo as number) && hi !== -1)
    ) {
      throw new SluiceError(
        'REST_BAD_REQUEST',
        `Bad request: vertex ${vid} needs parallelism {lowerBound ≥ 1, upperBound ≥ lowerBound or -1}.`,
      );
    }
    out[vid] = { parallelism: { lowerBound: lo as number, upperBound: hi as number } };
  }
  return out;
}
