/**
 * Queryable state on real processes: a job manager and 2 task workers run a keyed job whose per-key count
 * (ValueState) and last sequence numbers (ListState) are declared queryable. Every key is read over REST
 * (`GET /jobs/:jobid/state/:name?key=…`) and checked against counts computed here from the source's
 * definition; each read comes from the subtask Flink's key routing assigns. Then the errors: unknown
 * name, key without value, missing or malformed key, and a job that no longer runs.
 */
import t from 'tap';
import { assignKeyToParallelOperator } from '../../runtime/keygroups/index.js';
import { runCli, startCluster, submitDetached, waitFor } from '../support/cluster-harness.js';

const JOB = 'test/fixtures/job-queryable-counts.ts';
const EVENTS = 600;
const KEYS = 12;

/** The oracle: key user-k receives the sequence numbers k, k+12, … (all from one source subtask, in order). */
function expected(k: number): { count: number; recent: number[] } {
  const seqs = [];
  for (let s = k; s < EVENTS; s += KEYS) seqs.push(s);
  return { count: seqs.length, recent: seqs.slice(-3) };
}

async function get(base: string, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: await res.json() };
}

t.test('keyed state read by key over REST, routed to the owning subtask', async (t) => {
  const c = await startCluster(t, { workers: 2 });
  const jobId = await submitDetached(t, c.restUrl, [JOB, String(EVENTS), String(KEYS)]);
  await waitFor(
    'every key reached its final count',
    () => c.lines.filter((l) => / reached \d+$/.test(l)).length >= KEYS,
  );

  const subtasks = new Set<number>();
  for (let k = 0; k < KEYS; k++) {
    const key = `user-${k}`;
    const want = expected(k);
    const count = await get(c.restUrl, `/jobs/${jobId}/state/counts?key=${key}`);
    t.equal(count.status, 200, JSON.stringify(count.body));
    t.match(count.body, { name: 'counts', key, kind: 'value', value: want.count, operatorName: 'count per user' });
    t.equal(count.body.subtaskIndex, assignKeyToParallelOperator(key, 128, 2), `${key} read where Flink routes it`);
    subtasks.add(count.body.subtaskIndex);
    const recent = await get(c.restUrl, `/jobs/${jobId}/state/recent?key=${key}`);
    t.equal(recent.status, 200);
    t.same(recent.body.value, want.recent, `${key}: last three sequence numbers`);
    t.equal(recent.body.kind, 'list');
  }
  t.same([...subtasks].sort(), [0, 1], 'reads reached both subtasks (both workers)');

  const noValue = await get(c.restUrl, `/jobs/${jobId}/state/counts?key=nobody`);
  t.equal(noValue.status, 404);
  t.match(noValue.body.errors[0], /holds no value for key "nobody"/);
  const otherType = await get(c.restUrl, `/jobs/${jobId}/state/counts?key=3&keyType=number`);
  t.equal(otherType.status, 404, 'the number 3 is another key than the string "user-3"');
  const unknown = await get(c.restUrl, `/jobs/${jobId}/state/totals?key=user-1`);
  t.equal(unknown.status, 404);
  t.match(unknown.body.errors[0], /declares queryable state "totals"/);
  const missing = await get(c.restUrl, `/jobs/${jobId}/state/counts`);
  t.equal(missing.status, 400);
  t.match(missing.body.errors[0], /"key" is required/);
  const badJson = await get(c.restUrl, `/jobs/${jobId}/state/counts?key=%7Bx&keyType=json`);
  t.equal(badJson.status, 400);
  t.match(badJson.body.errors[0], /not valid JSON/);
  const badType = await get(c.restUrl, `/jobs/${jobId}/state/counts?key=a&keyType=long`);
  t.equal(badType.status, 400);
  const noJob = await get(c.restUrl, `/jobs/${'0'.repeat(32)}/state/counts?key=user-1`);
  t.equal(noJob.status, 404);

  const cancel = await runCli(t, ['cancel', '-m', c.restUrl, jobId]);
  t.equal(cancel.code, 0, cancel.stderr);
  await waitFor(
    'job CANCELED',
    async () => (await c.rest.call<{ status: string }>('GET', `/jobs/${jobId}/status`)).status === 'CANCELED',
  );
  const ended = await get(c.restUrl, `/jobs/${jobId}/state/counts?key=user-1`);
  t.equal(ended.status, 503);
  t.match(ended.body.errors[0], /is CANCELED; queryable state is readable while the job is RUNNING/);
});
