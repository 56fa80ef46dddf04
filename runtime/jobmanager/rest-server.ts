/**
 * The job manager's REST server (fastify) with Flink's v1 paths, methods, status codes and JSON shapes.
 * `/v1` is optional; errors are `{"errors":[…]}` with 400 (bad parameter), 404 (unknown job, route or
 * trigger) or 500 (internal, without stack traces). Binds to loopback by default.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { SluiceError, isSluiceError } from '../errors/catalogue.js';
import type { JobManager } from './job-manager.js';
import { jobDetails, jobExceptions, jobOverview, overview, taskManagerInfo, taskManagers, FLINK_VERSION, FLINK_COMMIT } from './rest-views.js';
import { planJson } from '../graph/plan.js';
import { registerCheckpointRoutes } from './rest-checkpoints.js';
import type { ClusterSettings } from '../cli/cluster-settings.js';

const ID32 = /^[0-9a-f]{32}$/;
const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

export function jobIdParam(req: FastifyRequest): string {
  const id = (req.params as { jobid: string }).jobid;
  if (!ID32.test(id)) throw new SluiceError('REST_BAD_REQUEST', `Invalid JobID "${id}": expected 32 lower-case hex characters`);
  return id;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1)$/;

export async function startRest(jm: JobManager, s: ClusterSettings, log: (m: string) => void, shutdown: () => Promise<void>): Promise<{ url: string; close(): Promise<void> }> {
  if (!LOOPBACK.test(s.restAddress)) {
    // Bearer-token auth is not implemented yet, so nothing but loopback may be served.
    throw new SluiceError('CONFIG_INVALID', `rest.address ${s.restAddress} is not a loopback address; sluice refuses to serve REST beyond this host without authentication`);
  }
  // The optional /v1 prefix: Flink routes unversioned paths to the oldest version; other versions are 404.
  const app: FastifyInstance = Fastify({
    logger: false,
    bodyLimit: MAX_UPLOAD_BYTES,
    rewriteUrl: (req) => {
      const url = req.url ?? '/';
      if (url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?')) return url.slice(3) || '/';
      if (/^\/v\d+(\/|$|\?)/.test(url)) return `/__unknown-version${url}`;
      return url;
    },
  });
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err: Error & { statusCode?: number }, _req: FastifyRequest, reply: FastifyReply) => {
    if (isSluiceError(err)) return reply.code(err.httpStatus).send({ errors: [err.message] });
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) log(`REST internal error: ${err.stack ?? err.message}`);
    return reply.code(status).send({ errors: [status === 500 ? 'Internal server error.' : err.message] });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ errors: [`Not found: ${req.url}`] }));

  app.get('/overview', async () => overview(jm));
  app.get('/config', async () => ({
    'refresh-interval': 3000,
    'timezone-name': Intl.DateTimeFormat().resolvedOptions().timeZone,
    'timezone-offset': -new Date().getTimezoneOffset() * 60_000,
    'flink-version': FLINK_VERSION,
    'flink-revision': FLINK_COMMIT,
    features: { 'web-submit': true, 'web-cancel': true, 'web-rescale': false, 'web-history': false },
  }));
  app.get('/jobmanager/config', async () => Object.entries(s.flat).filter(([k]) => !k.includes('secret') && !k.includes('token')).map(([key, value]) => ({ key, value })));
  app.get('/jobs', async () => ({ jobs: [...jm.jobs.values()].map((j) => ({ id: j.jobId, status: j.status.status })) }));
  app.get('/jobs/overview', async () => ({ jobs: [...jm.jobs.values()].map(jobOverview) }));
  app.get('/jobs/:jobid', async (req) => jobDetails(jm.job(jobIdParam(req))));
  app.get('/jobs/:jobid/status', async (req) => ({ status: jm.job(jobIdParam(req)).status.status }));
  app.get('/jobs/:jobid/plan', async (req) => {
    const j = jm.job(jobIdParam(req));
    return { plan: planJson(j.sub.jobGraph, j.jobId) };
  });
  app.get('/jobs/:jobid/exceptions', async (req) => {
    const q = req.query as { maxExceptions?: string };
    const max = q.maxExceptions === undefined ? 16 : Number(q.maxExceptions);
    if (!Number.isInteger(max) || max < 0) throw new SluiceError('REST_BAD_REQUEST', `maxExceptions must be a non-negative integer, got "${q.maxExceptions}"`);
    return jobExceptions(jm.job(jobIdParam(req)), max);
  });
  app.patch('/jobs/:jobid', async (req, reply) => {
    const mode = (req.query as { mode?: string }).mode ?? 'cancel';
    const j = jm.job(jobIdParam(req));
    if (mode === 'stop') return reply.code(308).send({ errors: ['The termination mode "stop" has been removed. For an ungraceful shutdown, please use "cancel" instead. For a graceful shutdown, please use "jobs/:jobId/stop" instead.'] });
    if (mode !== 'cancel') throw new SluiceError('REST_BAD_REQUEST', `Invalid termination mode "${mode}"; use "cancel"`);
    j.cancel();
    return reply.code(202).send();
  });
  app.patch('/jobs/:jobid/rescaling', async (_req, reply) => reply.code(503).send({ errors: ['Rescaling is temporarily disabled. See FLINK-12312.'] }));
  app.get('/taskmanagers', async (_req, reply) => reply.type('application/json').send(JSON.stringify(taskManagers(jm))));
  app.get('/taskmanagers/:tmid', async (req) => {
    const id = (req.params as { tmid: string }).tmid;
    const info = taskManagerInfo(jm, id);
    if (!info) throw new SluiceError('REST_NOT_FOUND', `Task manager ${id} not found`);
    return { ...info, metrics: {}, allocatedSlots: jm.registry.workers.get(id)!.slots.filter(Boolean).map((a) => ({ jobId: a!.jobId, resource: {} })) };
  });

  app.post('/jars/upload', async (req) => {
    const ct = String(req.headers['content-type'] ?? '');
    if (!ct.startsWith('multipart/form-data')) throw new SluiceError('REST_BAD_REQUEST', 'expected multipart/form-data with a "jarfile" field');
    const form = await new Response(new Uint8Array(req.body as Buffer), { headers: { 'content-type': ct } }).formData();
    const file = form.get('jarfile');
    if (!file || typeof file === 'string') throw new SluiceError('REST_BAD_REQUEST', 'multipart field "jarfile" with the job bundle is missing');
    const jar = jm.storeJar(file.name || 'job.mjs', await file.text());
    return { filename: `/tmp/sluice-web-upload/${jar.id}`, status: 'success' };
  });
  app.get('/jars', async () => ({
    address: `http://${s.restAddress}:${s.restPort}`,
    files: [...jm.jars.values()].map((j) => ({ id: j.id, name: j.name, uploaded: j.uploaded, entry: [{ name: 'main', description: null }] })),
  }));
  app.delete('/jars/:jarid', async (req) => {
    const id = (req.params as { jarid: string }).jarid;
    if (!jm.jars.delete(id)) throw new SluiceError('REST_NOT_FOUND', `Jar file ${id} does not exist`);
    return {};
  });
  app.post('/jars/:jarid/run', async (req) => {
    const id = (req.params as { jarid: string }).jarid;
    const b = ((req.body as Record<string, unknown>) ?? {}) as { programArgsList?: string[]; programArgs?: string; parallelism?: number; jobId?: string; savepointPath?: string; allowNonRestoredState?: boolean };
    const q = req.query as Record<string, string | undefined>;
    const parallelism = b.parallelism ?? (q.parallelism ? Number(q.parallelism) : undefined);
    if (parallelism !== undefined && (!Number.isInteger(parallelism) || parallelism < 1)) throw new SluiceError('REST_BAD_REQUEST', `parallelism must be a positive integer, got ${parallelism}`);
    if (b.jobId !== undefined && !ID32.test(b.jobId)) throw new SluiceError('REST_BAD_REQUEST', `Invalid jobId "${b.jobId}"`);
    const args = b.programArgsList ?? (b.programArgs ? b.programArgs.split(/\s+/).filter(Boolean) : q.programArg ? q.programArg.split(',') : []);
    const jobid = await jm.runJar(id, {
      args,
      parallelism,
      jobId: b.jobId,
      savepointPath: b.savepointPath ?? q.savepointPath,
      allowNonRestoredState: b.allowNonRestoredState ?? q.allowNonRestoredState === 'true',
    });
    return { jobid };
  });
  registerCheckpointRoutes(app, jm);
  app.delete('/cluster', async (_req, reply) => {
    reply.code(200).send({});
    setImmediate(() => void shutdown());
  });

  const addr = await app.listen({ host: s.restAddress, port: s.restPort });
  const url = addr.replace('[::1]', '127.0.0.1');
  return { url, close: () => app.close() };
}
