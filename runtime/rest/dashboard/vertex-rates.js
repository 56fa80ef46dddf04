/**
 * Per-vertex record counts and rates for the job graph. Counts are the `read-records` / `write-records`
 * of each vertex in `GET /jobs/:id`. Rates come from the subtask metrics `numRecordsInPerSecond` /
 * `numRecordsOutPerSecond` (summed over subtasks, `GET /jobs/:id/vertices/:vid/subtasks/metrics`) when
 * the cluster reports them, else from the change of the counts between two refreshes over the change of
 * the response's `now`. Backpressure is the max `backPressuredTimeMsPerSecond` over subtasks, when reported.
 *
 * Invariants: nothing is invented — a count of 0 shows as 0 and a rate of an unchanged count is 0; a rate
 * that cannot be known yet (first sample of a non-zero count) is null ("–"); a vertex without the
 * backpressure metric has backpressure null ("n/a"); a job in a terminal state (FINISHED, CANCELED,
 * FAILED) moves no records, so its rates are 0 (late heartbeats may still change its counts).
 */
import { getJson } from './api.js';

const METRICS = ['numRecordsInPerSecond', 'numRecordsOutPerSecond', 'backPressuredTimeMsPerSecond'];

export function createVertexRates(jobId) {
  const previous = new Map(); // vertex id → { now, read, write }
  return {
    /** Fetches the subtask metrics of every vertex (only while `running`) and combines them with the counts. */
    async compute(details, running) {
      const ended = ['FINISHED', 'CANCELED', 'FAILED'].includes(details.state);
      const out = new Map();
      const reported = running
        ? await Promise.all(
            details.vertices.map((v) =>
              getJson(`/jobs/${jobId}/vertices/${v.id}/subtasks/metrics?get=${METRICS.join(',')}&agg=sum,max`).catch(
                () => [],
              ),
            ),
          )
        : details.vertices.map(() => []);
      details.vertices.forEach((v, i) => {
        const m = v.metrics || {};
        const read = Number(m['read-records'] ?? 0);
        const write = Number(m['write-records'] ?? 0);
        const byId = new Map((reported[i] || []).map((x) => [x.id, x]));
        const prev = previous.get(v.id);
        const dt = prev ? (details.now - prev.now) / 1000 : 0;
        const delta = (cur, old) => (cur === 0 ? 0 : prev && dt > 0 ? Math.max(0, (cur - old) / dt) : null);
        const inRate = byId.has('numRecordsInPerSecond')
          ? Number(byId.get('numRecordsInPerSecond').sum)
          : delta(read, prev?.read);
        const outRate = byId.has('numRecordsOutPerSecond')
          ? Number(byId.get('numRecordsOutPerSecond').sum)
          : delta(write, prev?.write);
        const bp = byId.has('backPressuredTimeMsPerSecond')
          ? Number(byId.get('backPressuredTimeMsPerSecond').max)
          : null;
        out.set(
          v.id,
          ended
            ? { read, write, inRate: 0, outRate: 0, backpressureMsPerSecond: null }
            : { read, write, inRate, outRate, backpressureMsPerSecond: bp },
        );
        previous.set(v.id, { now: details.now, read, write });
      });
      return out;
    },
  };
}
