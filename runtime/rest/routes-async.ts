/**
 * Savepoint, stop-with-savepoint and checkpoint routes. Triggers answer 202 `{"request-id"}`; polls answer
 * `{"status":{"id"},"operation"}` (404 for unknown triggers). `/savepoints` takes a kebab-case body,
 * `/stop` a camelCase one (with `drain`), as Flink. Also the checkpoint statistics views.
 */
import { body, hexId, optionalBool, optionalEnum, optionalString, optionalTriggerId, params } from './params.js';
import { badRequest, notFound } from './rest-errors.js';
import { found, jobWhat, type RouteContext } from './route-context.js';
import { checkpointResultJson, savepointResultJson } from './views.js';

const FORMATS = ['CANONICAL', 'NATIVE'] as const;
const CHECKPOINT_TYPES = ['CONFIGURED', 'FULL', 'INCREMENTAL'] as const;

export function registerAsyncRoutes(c: RouteContext): void {
  const { app, facade } = c;
  const requireJob = async (id: string) => found(facade.jobStatus(id), jobWhat(id));

  app.post('/jobs/:jobid/savepoints', async (req, reply) => {
    const id = hexId(req, 'jobid');
    const b = body(req);
    const request = {
      targetDirectory: optionalString(b, 'target-directory'),
      cancelJob: optionalBool(b['cancel-job'], 'cancel-job') ?? false,
      formatType: optionalEnum(b.formatType, 'formatType', FORMATS, 'CANONICAL'),
      triggerId: optionalTriggerId(b),
    };
    await requireJob(id);
    return reply.code(202).send({ 'request-id': await facade.triggerSavepoint(id, request) });
  });
  app.get('/jobs/:jobid/savepoints/:triggerid', async (req) => {
    const id = hexId(req, 'jobid');
    const tid = hexId(req, 'triggerid');
    await requireJob(id);
    return savepointResultJson(await found(facade.savepointStatus(id, tid), `Savepoint trigger ${tid} of job ${id}`));
  });
  app.post('/jobs/:jobid/stop', async (req, reply) => {
    const id = hexId(req, 'jobid');
    const b = body(req);
    const request = {
      targetDirectory: optionalString(b, 'targetDirectory'),
      drain: optionalBool(b.drain, 'drain') ?? false,
      formatType: optionalEnum(b.formatType, 'formatType', FORMATS, 'CANONICAL'),
      triggerId: optionalTriggerId(b),
    };
    await requireJob(id);
    return reply.code(202).send({ 'request-id': await facade.triggerStop(id, request) });
  });

  app.post('/jobs/:jobid/checkpoints', async (req, reply) => {
    const id = hexId(req, 'jobid');
    const b = body(req);
    const request = {
      checkpointType: optionalEnum(b.checkpointType, 'checkpointType', CHECKPOINT_TYPES, 'CONFIGURED'),
      triggerId: optionalTriggerId(b),
    };
    await requireJob(id);
    return reply.code(202).send({ 'request-id': await facade.triggerCheckpoint(id, request) });
  });
  app.get('/jobs/:jobid/checkpoints', async (req) => {
    const id = hexId(req, 'jobid');
    return found(facade.checkpointStats(id), jobWhat(id));
  });
  app.get('/jobs/:jobid/checkpoints/config', async (req) => {
    const id = hexId(req, 'jobid');
    const cfg = await found(facade.checkpointConfig(id), jobWhat(id));
    // Flink's ProcessingModeSerializer writes the mode in lower case (docs/flink-notes.md §1.4).
    return typeof cfg.mode === 'string' ? { ...cfg, mode: cfg.mode.toLowerCase() } : cfg;
  });
  app.get('/jobs/:jobid/checkpoints/details/:checkpointid', async (req) => {
    const id = hexId(req, 'jobid');
    const raw = params(req).checkpointid ?? '';
    if (!/^\d+$/.test(raw))
      throw badRequest(
        `Bad request, could not parse parameters: checkpointid must be a non-negative integer, got "${raw}".`,
      );
    await requireJob(id);
    return found(facade.checkpointDetails(id, Number(raw)), `Checkpoint ${raw} of job ${id}`);
  });
  app.get('/jobs/:jobid/checkpoints/details/:checkpointid/subtasks/:vertexid', async (req) => {
    const id = hexId(req, 'jobid');
    const vid = hexId(req, 'vertexid');
    const raw = params(req).checkpointid ?? '';
    if (!/^\d+$/.test(raw))
      throw badRequest(
        `Bad request, could not parse parameters: checkpointid must be a non-negative integer, got "${raw}".`,
      );
    await requireJob(id);
    if (!facade.checkpointSubtaskDetails) throw notFound(`Checkpoint ${raw} of vertex ${vid} not found.`);
    return found(facade.checkpointSubtaskDetails(id, Number(raw), vid), `Checkpoint ${raw} of vertex ${vid}`);
  });

  app.post('/savepoint-disposal', async (req) => {
    const b = body(req);
    const path = optionalString(b, 'savepoint-path');
    if (!path) throw badRequest('Bad request: field "savepoint-path" is required.');
    if (!facade.triggerSavepointDisposal) throw notFound('Savepoint disposal is not supported by this cluster.');
    return { 'request-id': await facade.triggerSavepointDisposal(path, optionalTriggerId(b)) };
  });
  app.get('/savepoint-disposal/:triggerid', async (req) => {
    const tid = hexId(req, 'triggerid');
    const op = facade.savepointDisposalStatus ? await facade.savepointDisposalStatus(tid) : undefined;
    const result = await found(op, `Savepoint disposal trigger ${tid}`);
    return result.status === 'IN_PROGRESS'
      ? savepointResultJson(result)
      : { status: { id: 'COMPLETED' }, operation: result.failure ? savepointResultJson(result).operation : {} };
  });

  // Registered after /config and /details: a 32-hex trigger id never collides with those literals.
  app.get('/jobs/:jobid/checkpoints/:triggerid', async (req) => {
    const id = hexId(req, 'jobid');
    const tid = hexId(req, 'triggerid');
    await requireJob(id);
    return checkpointResultJson(
      await found(facade.checkpointStatus(id, tid), `Checkpoint trigger ${tid} of job ${id}`),
    );
  });
}
