/**
 * Every operation of Flink's REST spec (test/fixtures/flink/rest_v1_dispatcher.yml) as a concrete request
 * against a live cluster, plus the log endpoints Flink's 2.x dashboard calls beyond the spec. `walk` sends
 * each, checks the status, validates JSON replies against the spec's response schema (errors must be
 * `{"errors":[…]}`) and returns what it saw, so a test can assert on the figures too.
 */
import { SpecValidator } from '../unit/rest/spec-validator.js';

export interface Op {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** The spec's path (`{param}` form), or a path Flink's dashboard calls that the 1.19 spec lacks. */
  specPath: string;
  url: string;
  body?: unknown;
  /** Expected status; a 4xx means Flink's error shape is expected. */
  status: number;
  /** The reply is text (log files), not JSON. */
  text?: boolean;
}

export interface Seen {
  op: Op;
  status: number;
  json?: unknown;
  text?: string;
  errors: string[];
  extras: string[];
}

/** Fields real Flink 1.19/1.20 servers send beyond the spec. */
const ALLOWED_EXTRAS = new Set(['$.job-type', '$.pending-operators']);

export function specOperations(spec: SpecValidator): string[] {
  const out: string[] = [];
  for (const [path, ops] of Object.entries(spec.spec.paths as Record<string, Record<string, unknown>>))
    for (const m of Object.keys(ops))
      if (['get', 'post', 'put', 'patch', 'delete'].includes(m)) out.push(`${m.toUpperCase()} ${path}`);
  return out.sort();
}

export async function walk(base: string, ops: Op[], spec: SpecValidator): Promise<Seen[]> {
  const seen: Seen[] = [];
  for (const op of ops) {
    const init: RequestInit = { method: op.method };
    if (op.body instanceof FormData) init.body = op.body;
    else if (op.body !== undefined) {
      init.body = JSON.stringify(op.body);
      init.headers = { 'content-type': 'application/json' };
    }
    const res = await fetch(base + op.url, init);
    const raw = await res.text();
    const s: Seen = { op, status: res.status, errors: [], extras: [] };
    if (op.text && res.status === 200) {
      s.text = raw;
      if (!/^text\/plain/.test(res.headers.get('content-type') ?? '')) s.errors.push('not text/plain');
    } else if (raw !== '') {
      try {
        s.json = JSON.parse(raw);
      } catch {
        s.errors.push(`not JSON: ${raw.slice(0, 80)}`);
      }
    }
    if (res.status >= 400) {
      const e = s.json as { errors?: unknown[] } | undefined;
      if (!Array.isArray(e?.errors) || !e.errors.every((x) => typeof x === 'string'))
        s.errors.push(`error reply is not {"errors":[…]}: ${raw.slice(0, 120)}`);
    } else if (s.json !== undefined) {
      const schema = spec.responseSchema(op.method, op.specPath);
      if (schema) {
        const rep = spec.validate(s.json, schema);
        s.errors.push(...rep.errors);
        s.extras.push(...rep.extras.filter((x) => !ALLOWED_EXTRAS.has(x)));
      }
    }
    seen.push(s);
  }
  return seen;
}

/** The requests about one running (or ended) job; `ids` are live ids from the cluster. */
export function jobOperations(ids: {
  jobId: string;
  vertexId: string;
  tm: string;
  checkpointId: number;
  attempt: number;
}): Op[] {
  const { jobId: J, vertexId: V, checkpointId: C, attempt: A } = ids;
  const TM = encodeURIComponent(ids.tm);
  const get = (specPath: string, url: string, status = 200): Op => ({ method: 'GET', specPath, url, status });
  const jv = `/jobs/${J}/vertices/${V}`;
  return [
    get('/jobs/{jobid}', `/jobs/${J}`),
    get('/jobs/{jobid}/accumulators', `/jobs/${J}/accumulators`),
    get('/jobs/{jobid}/checkpoints', `/jobs/${J}/checkpoints`),
    get('/jobs/{jobid}/checkpoints/config', `/jobs/${J}/checkpoints/config`),
    get('/jobs/{jobid}/checkpoints/details/{checkpointid}', `/jobs/${J}/checkpoints/details/${C}`),
    get(
      '/jobs/{jobid}/checkpoints/details/{checkpointid}/subtasks/{vertexid}',
      `/jobs/${J}/checkpoints/details/${C}/subtasks/${V}`,
    ),
    get('/jobs/{jobid}/config', `/jobs/${J}/config`),
    get('/jobs/{jobid}/exceptions', `/jobs/${J}/exceptions?maxExceptions=10`),
    get('/jobs/{jobid}/execution-result', `/jobs/${J}/execution-result`),
    get('/jobs/{jobid}/jobmanager/config', `/jobs/${J}/jobmanager/config`),
    get('/jobs/{jobid}/jobmanager/environment', `/jobs/${J}/jobmanager/environment`),
    get('/jobs/{jobid}/jobmanager/log-url', `/jobs/${J}/jobmanager/log-url`),
    get('/jobs/{jobid}/metrics', `/jobs/${J}/metrics?get=uptime,numRestarts`),
    get('/jobs/{jobid}/plan', `/jobs/${J}/plan`),
    get('/jobs/{jobid}/resource-requirements', `/jobs/${J}/resource-requirements`),
    get('/jobs/{jobid}/status', `/jobs/${J}/status`),
    get('/jobs/{jobid}/taskmanagers/{taskmanagerid}/log-url', `/jobs/${J}/taskmanagers/${TM}/log-url`),
    get('/jobs/{jobid}/vertices/{vertexid}', jv),
    get('/jobs/{jobid}/vertices/{vertexid}/accumulators', `${jv}/accumulators`),
    get('/jobs/{jobid}/vertices/{vertexid}/backpressure', `${jv}/backpressure`),
    get('/jobs/{jobid}/vertices/{vertexid}/flamegraph', `${jv}/flamegraph?type=FULL`),
    get('/jobs/{jobid}/vertices/{vertexid}/metrics', `${jv}/metrics?get=0.numBytesIn`),
    get('/jobs/{jobid}/vertices/{vertexid}/subtasks/accumulators', `${jv}/subtasks/accumulators`),
    get('/jobs/{jobid}/vertices/{vertexid}/subtasks/metrics', `${jv}/subtasks/metrics?get=numBytesIn&agg=sum`),
    get('/jobs/{jobid}/vertices/{vertexid}/subtasks/{subtaskindex}', `${jv}/subtasks/0`),
    get(
      '/jobs/{jobid}/vertices/{vertexid}/subtasks/{subtaskindex}/attempts/{attempt}',
      `${jv}/subtasks/0/attempts/${A}`,
    ),
    get(
      '/jobs/{jobid}/vertices/{vertexid}/subtasks/{subtaskindex}/attempts/{attempt}/accumulators',
      `${jv}/subtasks/0/attempts/${A}/accumulators`,
    ),
    get(
      '/jobs/{jobid}/vertices/{vertexid}/subtasks/{subtaskindex}/metrics',
      `${jv}/subtasks/0/metrics?get=numRecordsIn`,
    ),
    get('/jobs/{jobid}/vertices/{vertexid}/subtasktimes', `${jv}/subtasktimes`),
    get('/jobs/{jobid}/vertices/{vertexid}/taskmanagers', `${jv}/taskmanagers`),
    get('/jobs/{jobid}/vertices/{vertexid}/watermarks', `${jv}/watermarks`),
  ];
}

/** Cluster-level and process requests (job manager and task manager `tm`). */
export function clusterOperations(tm: string): Op[] {
  const TM = encodeURIComponent(tm);
  const get = (specPath: string, url: string, text = false): Op => ({
    method: 'GET',
    specPath,
    url,
    status: 200,
    text,
  });
  return [
    get('/config', '/config'),
    get('/overview', '/overview'),
    get('/datasets', '/datasets'),
    get('/jars', '/jars'),
    get('/jobmanager/config', '/jobmanager/config'),
    get('/jobmanager/environment', '/jobmanager/environment'),
    get('/jobmanager/logs', '/jobmanager/logs'),
    get('/jobmanager/metrics', '/jobmanager/metrics?get=Status.JVM.Memory.Heap.Used,Status.JVM.CPU.Load'),
    get('/jobmanager/thread-dump', '/jobmanager/thread-dump'),
    get('/jobmanager/log', '/jobmanager/log', true),
    get('/jobmanager/stdout', '/jobmanager/stdout', true),
    get('/jobs', '/jobs'),
    get('/jobs/metrics', '/jobs/metrics?get=uptime'),
    get('/jobs/overview', '/jobs/overview'),
    get('/taskmanagers', '/taskmanagers'),
    get('/taskmanagers/metrics', '/taskmanagers/metrics?get=Status.JVM.Memory.Heap.Used'),
    get('/taskmanagers/{taskmanagerid}', `/taskmanagers/${TM}`),
    get('/taskmanagers/{taskmanagerid}/logs', `/taskmanagers/${TM}/logs`),
    get('/taskmanagers/{taskmanagerid}/metrics', `/taskmanagers/${TM}/metrics?get=Status.JVM.Memory.Heap.Used`),
    get('/taskmanagers/{taskmanagerid}/thread-dump', `/taskmanagers/${TM}/thread-dump`),
    get('/taskmanagers/{taskmanagerid}/log', `/taskmanagers/${TM}/log`, true),
    get('/taskmanagers/{taskmanagerid}/stdout', `/taskmanagers/${TM}/stdout`, true),
  ];
}
