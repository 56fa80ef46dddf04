/**
 * Job bundle ("jar") routes: `POST /jars/upload` (multipart field `jarfile` streamed to disk, size capped by
 * rest.server.max-content-length, server-generated ids `<uuid>_<sanitized name>`), `GET /jars`,
 * `DELETE /jars/:jarid`, `POST /jars/:jarid/run` and `/plan` (JSON body and/or query parameters).
 *
 * Invariant: a client-supplied file name never becomes a path; it is reduced to `[A-Za-z0-9._-]`.
 */
import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { platform } from '../platform/index.js';
import type { JarRunRequest } from './cluster-facade.js';
import { receiveJarUpload } from './jar-upload.js';
import { HEX32, body, optionalBool, optionalEnum, optionalInt, optionalString, params, query } from './params.js';
import { badRequest, notFound } from './rest-errors.js';
import type { RouteContext } from './route-context.js';

const JAR_ID = /^[0-9a-f]{32}_[A-Za-z0-9._-]{1,128}$/;

export function sanitizeJarName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 100);
  return clean || 'job.mjs';
}

function jarIdParam(req: FastifyRequest): string {
  const id = params(req).jarid ?? '';
  if (!JAR_ID.test(id)) throw notFound(`Jar file ${id} does not exist.`);
  return id;
}

export function registerJarRoutes(c: RouteContext): void {
  const { app, facade } = c;
  app.post('/jars/upload', async (req) => {
    const ct = String(req.headers['content-type'] ?? '');
    if (!ct.toLowerCase().startsWith('multipart/form-data'))
      throw badRequest('Bad request: upload the job bundle as multipart/form-data in a field named "jarfile".');
    const upload = await receiveJarUpload(req.body as Readable, ct, {
      dir: c.config.getString('sluice.rest.upload-dir'),
      maxBytes: c.config.getMemoryBytes('rest.server.max-content-length'),
    });
    const id = `${platform.random.id32()}_${sanitizeJarName(upload.name)}`;
    try {
      const { path } = await facade.storeJar({
        id,
        name: upload.name || 'job.mjs',
        file: upload.file,
        sizeBytes: upload.sizeBytes,
      });
      return { filename: path, status: 'success' };
    } finally {
      platform.files.remove(upload.file); // the facade moved or copied it
    }
  });
  app.get('/jars', async () => ({
    address: c.address(),
    files: (await facade.jars()).map((j) => ({
      id: j.id,
      name: j.name,
      uploaded: j.uploaded,
      entry: j.entry ?? [{ name: 'main', description: null }],
    })),
  }));
  app.delete('/jars/:jarid', async (req) => {
    const id = jarIdParam(req);
    if (!(await facade.deleteJar(id))) throw notFound(`Jar file ${id} does not exist.`);
    return {};
  });
  app.post('/jars/:jarid/run', async (req) => {
    const id = jarIdParam(req);
    return { jobid: await facade.runJar(id, runRequest(req)) };
  });
  app.post('/jars/:jarid/plan', async (req) => {
    const id = jarIdParam(req);
    if (!facade.planJar) throw notFound('Plan generation from a jar is not supported by this cluster.');
    return { plan: await facade.planJar(id, runRequest(req)) };
  });
}

/** Body fields win over query parameters (Flink logs a warning when both are given). */
export function runRequest(req: FastifyRequest): JarRunRequest {
  const b = body(req);
  const q = query(req);
  const argsList = b.programArgsList;
  if (
    argsList !== undefined &&
    argsList !== null &&
    (!Array.isArray(argsList) || argsList.some((a) => typeof a !== 'string'))
  ) {
    throw badRequest('Bad request: programArgsList must be an array of strings.');
  }
  const argsString = optionalString(b, 'programArgs') ?? q['program-args'];
  const programArgs = Array.isArray(argsList)
    ? (argsList as string[])
    : argsString !== undefined
      ? argsString.split(/\s+/).filter(Boolean)
      : q.programArg !== undefined
        ? q.programArg.split(',').filter(Boolean)
        : [];
  const pBody = b.parallelism;
  if (pBody !== undefined && pBody !== null && (!Number.isSafeInteger(pBody) || (pBody as number) < 1))
    throw badRequest(`Bad request: parallelism must be a positive integer, got ${JSON.stringify(pBody)}.`);
  const parallelism = (pBody as number | undefined | null) ?? optionalInt(q.parallelism, 'parallelism', 1);
  const jobId = optionalString(b, 'jobId');
  if (jobId !== undefined && !HEX32.test(jobId))
    throw badRequest(`Bad request: jobId must be 32 lower-case hexadecimal characters, got "${jobId}".`);
  const fc = b.flinkConfiguration;
  if (fc !== undefined && fc !== null && (typeof fc !== 'object' || Array.isArray(fc)))
    throw badRequest('Bad request: flinkConfiguration must be an object of string values.');
  const flinkConfiguration = Object.fromEntries(
    Object.entries((fc as Record<string, unknown>) ?? {}).map(([k, v]) => [k, String(v)]),
  );
  const claim = b.claimMode ?? b.restoreMode;
  return {
    programArgs,
    parallelism: parallelism ?? undefined,
    jobId,
    savepointPath: optionalString(b, 'savepointPath') ?? q.savepointPath,
    allowNonRestoredState:
      optionalBool(b.allowNonRestoredState, 'allowNonRestoredState') ??
      optionalBool(q.allowNonRestoredState, 'allowNonRestoredState') ??
      false,
    claimMode:
      claim === undefined || claim === null
        ? undefined
        : optionalEnum(claim, 'claimMode', ['CLAIM', 'NO_CLAIM', 'LEGACY'] as const, 'NO_CLAIM'),
    entryClass: optionalString(b, 'entryClass') ?? q['entry-class'],
    flinkConfiguration,
  };
}
