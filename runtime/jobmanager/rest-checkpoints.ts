/**
 * REST routes for checkpoints and savepoints, with Flink's asynchronous-operation shapes: a trigger
 * answers 202 `{"request-id"}`; `GET …/:triggerid` answers `{"status":{"id":"IN_PROGRESS"|"COMPLETED"},
 * "operation":…}`, failures inside `operation.failure-cause`. Also checkpoint statistics and config.
 */
import type { FastifyInstance } from 'fastify';
import { SluiceError } from '../errors/catalogue.js';
import { platform } from '../platform/index.js';
import type { JobManager } from './job-manager.js';
import { jobIdParam } from './rest-server.js';
import { checkpointConfigView, checkpointStatsView } from './checkpoint-views.js';

interface AsyncOp {
  done: boolean;
  operation: Record<string, unknown> | null;
}

export function registerCheckpointRoutes(app: FastifyInstance, jm: JobManager): void {
  const ops = new Map<string, AsyncOp>();
  const track = (p: Promise<Record<string, unknown>>, triggerId?: string): string => {
    const id = triggerId && /^[0-9a-f]{32}$/.test(triggerId) ? triggerId : platform.random.id32();
    const op: AsyncOp = { done: false, operation: null };
    ops.set(id, op);
    p.then(
      (operation) => Object.assign(op, { done: true, operation }),
      (e: Error) => Object.assign(op, { done: true, operation: { 'failure-cause': { class: `sluice.${(e as SluiceError).code ?? e.name}`, 'stack-trace': e.message, 'serialized-throwable': '' } } }),
    );
    return id;
  };
  const poll = (id: string) => {
    const op = ops.get(id);
    if (!op) throw new SluiceError('REST_NOT_FOUND', `There is no operation with trigger id ${id}`);
    return op.done ? { status: { id: 'COMPLETED' }, operation: op.operation } : { status: { id: 'IN_PROGRESS' }, operation: null };
  };
  const target = (dir: unknown): string => {
    const d = (typeof dir === 'string' && dir) || jm.o.config['execution.checkpointing.savepoint-dir'] || jm.o.config['state.savepoints.dir'];
    if (!d) throw new SluiceError('SAVEPOINT_NO_TARGET', 'No savepoint directory given (target-directory) and none configured (execution.checkpointing.savepoint-dir)');
    return d;
  };

  app.post('/jobs/:jobid/savepoints', async (req, reply) => {
    const jobId = jobIdParam(req);
    const b = (req.body ?? {}) as { 'target-directory'?: string; 'cancel-job'?: boolean; triggerId?: string };
    const cp = jm.checkpointingOf(jobId);
    const dir = target(b['target-directory']);
    const p = cp.savepoint(dir).then(async (info) => {
      if (b['cancel-job']) jm.job(jobId).cancel();
      return { location: info.externalPath };
    });
    return reply.code(202).send({ 'request-id': track(p, b.triggerId) });
  });
  app.get('/jobs/:jobid/savepoints/:triggerid', async (req) => {
    jm.job(jobIdParam(req));
    return poll((req.params as { triggerid: string }).triggerid);
  });
  app.post('/jobs/:jobid/stop', async (req, reply) => {
    const jobId = jobIdParam(req);
    const b = (req.body ?? {}) as { targetDirectory?: string; drain?: boolean; triggerId?: string };
    const dir = target(b.targetDirectory);
    const p = jm.stopWithSavepoint(jobId, dir, Boolean(b.drain)).then((info) => ({ location: info.externalPath }));
    return reply.code(202).send({ 'request-id': track(p, b.triggerId) });
  });
  app.post('/jobs/:jobid/checkpoints', async (req, reply) => {
    const jobId = jobIdParam(req);
    const b = (req.body ?? {}) as { triggerId?: string };
    const p = jm.checkpointingOf(jobId).checkpointNow().then((info) => ({ checkpointId: info.id }));
    return reply.code(202).send({ 'request-id': track(p, b.triggerId) });
  });
  app.get('/jobs/:jobid/checkpoints/:triggerid', async (req, reply) => {
    const jobId = jobIdParam(req);
    const tid = (req.params as { triggerid: string }).triggerid;
    if (tid === 'config') return reply.send(checkpointConfigView(jm.checkpointingOf(jobId)));
    return poll(tid);
  });
  app.get('/jobs/:jobid/checkpoints', async (req) => checkpointStatsView(jm.checkpointingOf(jobIdParam(req))));
}
