/**
 * `POST /jobs/:jobid/coordinators/:operatorid`: Flink's path for client coordination requests, which
 * Flink's `executeAndCollect()` uses to fetch a collect sink's results. sluice's body is JSON, not a
 * Java-serialized request: `{"offset": N}` asks for the results from offset N and acknowledges every
 * result below it. The reply carries the results msgpack-encoded (tuples keep their class) in base64, how
 * many there are, and the job's status, read together with them: a terminal status with no results means
 * the client has everything.
 */
import { pack } from 'msgpackr';
import { body, hexId, params } from './params.js';
import { badRequest } from './rest-errors.js';
import { found, jobWhat, type RouteContext } from './route-context.js';

export function registerCollectRoutes(c: RouteContext): void {
  const { app, facade } = c;
  app.post('/jobs/:jobid/coordinators/:operatorid', async (req) => {
    const id = hexId(req, 'jobid');
    const operatorId = params(req).operatorid ?? '';
    const offset = body(req).offset;
    if (!Number.isSafeInteger(offset) || (offset as number) < 0)
      throw badRequest('Bad request: field "offset" must be a non-negative integer (the first result to fetch).');
    if (!facade.collectResults)
      throw badRequest('Bad request: this cluster keeps no collect results (no coordinator for client requests).');
    const r = await found(facade.collectResults(id, operatorId, offset as number), jobWhat(id));
    return {
      offset: r.offset,
      count: r.records.length,
      jobStatus: r.jobStatus,
      serializedResults: Buffer.from(pack(r.records)).toString('base64'),
    };
  });
}
