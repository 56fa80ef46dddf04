/**
 * `POST /jobs/:jobid/coordinators/:operatorid`: Flink's path for client coordination requests, which
 * Flink's `executeAndCollect()` uses to fetch a collect sink's results. sluice's body is JSON, not a
 * Java-serialized request: `{"version": V, "offset": N}` (Flink's CollectCoordinationRequest) asks for the
 * results from offset N of sink version V and acknowledges every result below it; the first request sends
 * version "". The reply (Flink's CollectCoordinationResponse, plus the job's status read with it) carries
 * the sink's version, its lastCheckpointedOffset and the results msgpack-encoded back to back in base64.
 */
import { body, hexId, params } from './params.js';
import { badRequest } from './rest-errors.js';
import { found, jobWhat, type RouteContext } from './route-context.js';

export function registerCollectRoutes(c: RouteContext): void {
  const { app, facade } = c;
  app.post('/jobs/:jobid/coordinators/:operatorid', async (req) => {
    const id = hexId(req, 'jobid');
    const operatorId = params(req).operatorid ?? '';
    const { offset, version = '' } = body(req);
    if (!Number.isSafeInteger(offset) || (offset as number) < 0)
      throw badRequest('Bad request: field "offset" must be a non-negative integer (the first result to fetch).');
    if (typeof version !== 'string')
      throw badRequest(
        'Bad request: field "version" must be a string (the sink version of the last reply; "" at first).',
      );
    if (!facade.collectResults)
      throw badRequest('Bad request: this cluster keeps no collect results (no coordinator for client requests).');
    return found(facade.collectResults(id, operatorId, { version, offset: offset as number }), jobWhat(id));
  });
}
