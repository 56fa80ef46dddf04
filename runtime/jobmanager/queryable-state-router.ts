/**
 * Routes a queryable-state read (`GET /jobs/:jobid/state/:name?key=…`) to the subtask that owns the key:
 * for each vertex of the job, the key's key group picks the subtask (Flink's KeyGroupRangeAssignment), and
 * the worker running it answers from live state. The vertex that declared the name is remembered per job
 * attempt, so later reads go straight to it.
 *
 * Invariants: reads go only to subtasks of the current attempt that are RUNNING; a key whose subtask is not
 * running, or that the subtask does not own (a stale route during a rescale), is unavailable (503), never
 * read from elsewhere; a name no running operator declares is 404 and so is a key without a value.
 */
import type { QueryableStateAnswer } from '../api/queryable-state.js';
import { taskKey } from '../api/task-key.js';
import { SluiceError } from '../errors/catalogue.js';
import type { JobVertex } from '../graph/job-graph.js';
import { assignKeyToParallelOperator } from '../keygroups/index.js';
import type { JobMaster } from './job-master.js';
import type { WorkerRegistry } from './worker-registry.js';

export interface QueriedState {
  name: string;
  key: unknown;
  kind: string;
  value: unknown;
  operatorName: string;
  vertexId: string;
  subtaskIndex: number;
  keyGroup: number;
}

/** name → vertex id that declared it, per (job, attempt). */
const routes = new WeakMap<JobMaster, { attempt: number; byName: Map<string, string> }>();

export async function queryState(
  job: JobMaster,
  registry: WorkerRegistry,
  name: string,
  key: unknown,
): Promise<QueriedState> {
  if (job.status.status !== 'RUNNING')
    throw new SluiceError(
      'STATE_QUERYABLE_UNAVAILABLE',
      `job ${job.jobId} is ${job.status.status}; queryable state is readable while the job is RUNNING`,
    );
  let cache = routes.get(job);
  if (!cache || cache.attempt !== job.attempt) {
    cache = { attempt: job.attempt, byName: new Map() };
    routes.set(job, cache);
  }
  const known = cache.byName.get(name);
  const vertices = job.sub.jobGraph.vertices;
  const ordered = known
    ? [...vertices.filter((v) => v.id === known), ...vertices.filter((v) => v.id !== known)]
    : vertices;
  let notRunning: string | undefined;
  for (const v of ordered) {
    const { subtaskIndex, answer } = await ask(job, registry, v, name, key);
    if (answer.status === 'no-task') {
      notRunning ??= `subtask ${subtaskIndex} of "${v.name}" is not running; retry once the job runs`;
      continue;
    }
    if (answer.status === 'unknown') {
      if (known === v.id) cache.byName.delete(name);
      continue;
    }
    cache.byName.set(name, v.id);
    if (answer.status === 'ok')
      return {
        name,
        key,
        kind: answer.kind,
        value: answer.value,
        operatorName: answer.operatorName,
        vertexId: v.id,
        subtaskIndex,
        keyGroup: answer.keyGroup,
      };
    if (answer.status === 'empty')
      throw new SluiceError(
        'STATE_QUERYABLE_NO_VALUE',
        `queryable state "${name}" of "${answer.operatorName}" holds no value for key ${JSON.stringify(key)} (key group ${answer.keyGroup}, subtask ${subtaskIndex})`,
      );
    throw new SluiceError(
      'STATE_QUERYABLE_UNAVAILABLE',
      `subtask ${subtaskIndex} of "${v.name}" does not own key group ${answer.keyGroup} (it owns ${answer.keyGroupRange.start}..${answer.keyGroupRange.end}); the job is being rescaled, retry`,
    );
  }
  // A vertex whose owning subtask is not running may be the one that declares the name: unavailable, not unknown.
  if (notRunning) throw new SluiceError('STATE_QUERYABLE_UNAVAILABLE', notRunning);
  throw new SluiceError(
    'STATE_QUERYABLE_UNKNOWN',
    `no running operator of job ${job.jobId} declares queryable state "${name}" (declare it with descriptor.setQueryable("${name}") and read the state in open())`,
  );
}

async function ask(
  job: JobMaster,
  registry: WorkerRegistry,
  v: JobVertex,
  name: string,
  key: unknown,
): Promise<{ subtaskIndex: number; answer: QueryableStateAnswer | { status: 'no-task' } }> {
  const subtaskIndex = assignKeyToParallelOperator(key, v.maxParallelism, v.parallelism);
  const st = job.subtasks.get(taskKey(v.id, subtaskIndex));
  const worker = st && st.state === 'RUNNING' ? registry.workers.get(st.workerId) : undefined;
  if (!st || !worker) return { subtaskIndex, answer: { status: 'no-task' } };
  const answer = await worker.conn.call({
    kind: 'queryState',
    body: { jobId: job.jobId, attempt: job.attempt, vertexId: v.id, subtaskIndex, name, key },
  });
  return { subtaskIndex, answer };
}
