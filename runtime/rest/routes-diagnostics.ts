/**
 * Process diagnostics in Flink's paths and shapes, for the job manager and every task manager:
 * `…/environment` (`EnvironmentInfo`), `…/logs` (`LogListInfo`), `…/log`, `…/stdout` and `…/logs/:filename`
 * (the file as text/plain), `…/thread-dump` (`ThreadDumpInfo`), plus `/jobs/:id/jobmanager/environment`,
 * `/jobs/:id/jobmanager/log-url` and `/jobs/:id/taskmanagers/:tmid/log-url` (`historyserver.log.*.url-pattern`
 * with `<jobid>` / `<tmid>` when configured, else this server's own log endpoint) and the cluster data sets
 * (sluice keeps none: an empty list; deleting one is a 404).
 *
 * Invariants: a file name that is not a plain name is a 400 and nothing outside the process's log directory
 * is ever read (runtime/diagnostics/log-files.ts); an unknown or lost task manager is a 404.
 */
import type { FastifyReply } from 'fastify';
import type { LogFileRef, ProcessTarget } from './cluster-facade.js';
import { hexId, params } from './params.js';
import { notFound } from './rest-errors.js';
import { found, jobWhat, type RouteContext } from './route-context.js';

export function registerDiagnosticsRoutes(c: RouteContext): void {
  const { app, facade } = c;
  const tmTarget = (raw: string | undefined): ProcessTarget => ({ kind: 'taskmanager', taskManagerId: raw ?? '' });
  const whatOf = (t: ProcessTarget) => (t.kind === 'jobmanager' ? 'Job manager' : `Task manager ${t.taskManagerId}`);
  const sendFile = async (reply: FastifyReply, t: ProcessTarget, file: LogFileRef) => {
    const list = await found(facade.processLogs(t), whatOf(t)); // 404 for an unknown task manager first
    const what = 'name' in file ? `Log file "${file.name}"` : `The ${file.main === 'log' ? 'log' : 'stdout'} file`;
    const bytes = await facade.processLogFile(t, file);
    if (!bytes) throw notFound(`${what} of ${whatOf(t).toLowerCase()} not found (${list.length} log files exist).`);
    return reply.type('text/plain; charset=utf-8').send(Buffer.from(bytes));
  };

  const register = (base: string, target: (p: Record<string, string>) => ProcessTarget) => {
    app.get(`${base}/environment`, async (req) => {
      const t = target(params(req));
      return found(facade.processEnvironment(t), whatOf(t));
    });
    app.get(`${base}/logs`, async (req) => {
      const t = target(params(req));
      return { logs: await found(facade.processLogs(t), whatOf(t)) };
    });
    app.get(`${base}/log`, async (req, reply) => sendFile(reply, target(params(req)), { main: 'log' }));
    app.get(`${base}/stdout`, async (req, reply) => sendFile(reply, target(params(req)), { main: 'stdout' }));
    app.get(`${base}/logs/:filename`, async (req, reply) =>
      sendFile(reply, target(params(req)), { name: params(req).filename ?? '' }),
    );
    app.get(`${base}/thread-dump`, async (req) => {
      const t = target(params(req));
      return found(facade.processThreadDump(t), whatOf(t));
    });
  };
  register('/jobmanager', () => ({ kind: 'jobmanager' }));
  register('/taskmanagers/:tmid', (p) => tmTarget(p.tmid));

  app.get('/jobs/:jobid/jobmanager/environment', async (req) => {
    const id = hexId(req, 'jobid');
    await found(facade.jobStatus(id), jobWhat(id));
    return found(facade.processEnvironment({ kind: 'jobmanager' }), 'Job manager');
  });
  app.get('/jobs/:jobid/jobmanager/log-url', async (req) => {
    const id = hexId(req, 'jobid');
    await found(facade.jobStatus(id), jobWhat(id));
    const pattern = c.config.get('historyserver.log.jobmanager.url-pattern');
    return { url: pattern ? pattern.replaceAll('<jobid>', id) : `${c.address()}/jobmanager/log` };
  });
  app.get('/jobs/:jobid/taskmanagers/:tmid/log-url', async (req) => {
    const id = hexId(req, 'jobid');
    const tmid = params(req).tmid ?? '';
    await found(facade.jobStatus(id), jobWhat(id));
    const pattern = c.config.get('historyserver.log.taskmanager.url-pattern');
    if (pattern) return { url: pattern.replaceAll('<jobid>', id).replaceAll('<tmid>', tmid) };
    await found(facade.taskManager(tmid), `Task manager ${tmid}`);
    return { url: `${c.address()}/taskmanagers/${encodeURIComponent(tmid)}/log` };
  });

  app.get('/datasets', async () => ({ dataSets: [] }));
  app.delete('/datasets/:datasetid', async (req) => {
    throw notFound(`Cluster data set ${params(req).datasetid} not found; sluice keeps no cluster data sets.`);
  });
  app.get('/datasets/delete/:triggerid', async (req) => {
    const tid = hexId(req, 'triggerid');
    throw notFound(`Data set deletion trigger ${tid} not found.`);
  });
}
