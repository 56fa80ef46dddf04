/**
 * Model serving on real processes: key-based serving routes per-key models across 2
 * workers and its statistics change over REST while the job runs; under the event-time policy a
 * mid-stream model update switches exactly at validFrom, and a run interrupted by stop-with-savepoint and
 * resumed from it scores every record exactly as an uninterrupted run.
 */
import t from 'tap';
import { assignKeyToParallelOperator } from '../../runtime/keygroups/index.js';
import {
  jobIdOf,
  readPartLines,
  runCli,
  startCluster,
  submitDetached,
  tempDirs,
  waitFor,
} from '../support/cluster-harness.js';

const JOB = 'test/fixtures/job-model-serving.ts';
type Row = {
  vertexId: string;
  subtask: number;
  taskManagerId: string;
  name: string;
  version: string;
  usage: number;
  batchSize: { avg: number };
};

const outputLines = readPartLines;

t.test('keyed serving on 2 workers: per-key models, batches, stats over REST while running', async (t) => {
  const [out] = tempDirs(t, 'serve-keyed') as [string];
  const c = await startCluster(t, { workers: 2, slots: 1 }); // one slot each: the 2 subtasks run on 2 workers
  const N = 20_000;
  const jobId = await submitDetached(t, c.restUrl, [JOB, out, String(N), '4000', 'keyed']);
  const models = async () => (await c.rest.call<{ models: Row[] }>('GET', `/jobs/${jobId}/models`)).models;
  const total = (rows: Row[]) => rows.reduce((n, m) => n + m.usage, 0);
  const first = await waitFor(
    'model stats over REST',
    async () => {
      const rows = await models();
      return total(rows) > 0 && rows;
    },
    30_000,
  );
  // Per-key model statistics as queryable state, from the subtask that owns the key.
  const byKey = await waitFor('k3 model statistics by key', async () => {
    const res = await fetch(`${c.restUrl}/jobs/${jobId}/state/model-stats?key=k3`);
    const body = (await res.json()) as {
      kind: string;
      subtaskIndex: number;
      value: Array<{ name: string; version: string; stats?: { usage: number } }>;
    };
    return res.status === 200 && body; // 404 until k3's model is installed
  });
  t.equal(byKey.kind, 'view');
  t.equal(byKey.subtaskIndex, assignKeyToParallelOperator('k3', 128, 2), 'read where the key is served');
  t.match(byKey.value, [{ name: 'k3', version: 'k3-v1' }], "the key's own model");
  const later = await waitFor(
    'usage grows while the job runs',
    async () => {
      const rows = await models();
      return total(rows) > total(first) && rows;
    },
    30_000,
  );
  t.ok(total(later) > total(first), `usage ${total(first)} → ${total(later)}`);
  await waitFor(
    'job FINISHED',
    async () => (await c.rest.call<{ status: string }>('GET', `/jobs/${jobId}/status`)).status === 'FINISHED',
    60_000,
  );
  const rows = await waitFor(
    'final stats, kept after the tasks ended',
    async () => {
      const rs = await models();
      return total(rs) === N && rs;
    },
    10_000,
  );
  t.same(new Set(rows.map((m) => m.subtask)).size, 2, 'both serving subtasks report');

  t.same(new Set(rows.map((m) => m.taskManagerId)).size, 2, 'on both workers');
  t.equal(new Set(rows.map((m) => m.name)).size, 8, 'one model per key');
  t.ok(
    rows.every((m) => m.batchSize.avg >= 1),
    'batch sizes reported',
  );

  const lines = outputLines(out);
  t.equal(lines.length, N, 'every record scored once');
  const wrong = lines.filter((l) => {
    const [key, , version] = l.split(',');
    return version !== `${key}-v1`;
  });
  t.same(wrong, [], 'each key scored by its own model');
});

t.test('event-time switch at validFrom, identical after stop-with-savepoint and resume', async (t) => {
  const [whole, parts, sp] = tempDirs(t, 'serve-whole', 'serve-parts', 'serve-sp') as [string, string, string];
  const c = await startCluster(t, { workers: 2 });
  const N = 8000;
  const a = await runCli(t, ['run', '-m', c.restUrl, '-p', '2', JOB, whole, String(N), '8000', 'event']);
  t.equal(a.code, 0, a.stderr);
  const reference = outputLines(whole).sort();
  t.equal(reference.length, N);
  const misSwitched = reference.filter((l) => {
    const [, id, version] = l.split(',');
    return version !== (Number(id) < N / 2 ? 'v1' : 'v2');
  });
  t.same(misSwitched, [], 'records before validFrom = 40000 ms scored by v1, from it on by v2');

  // 500 records/s: the job runs for 16 s, so the stop below (a CLI process) reaches it while it runs on a loaded machine.
  const r1 = await runCli(t, ['run', '-d', '-m', c.restUrl, '-p', '2', JOB, parts, String(N), '500', 'event']);
  const j1 = jobIdOf(r1.stdout);
  await waitFor(
    'some records scored',
    async () => {
      const rows = (await c.rest.call<{ models: Row[] }>('GET', `/jobs/${j1}/models`)).models;
      return rows.reduce((n, m) => n + m.usage, 0) > 500;
    },
    30_000,
  );
  const stop = await runCli(t, ['stop', '-m', c.restUrl, '--savepointPath', sp, j1]);
  t.equal(stop.code, 0, stop.stderr);
  if (stop.code !== 0) t.comment(c.lines.slice(-60).join('\n'));
  const path = /Path: file:(\S+)/.exec(stop.stdout)![1]!;
  const before = outputLines(parts).length;
  t.ok(before > 0 && before < N, `first run committed ${before} of ${N} before the savepoint`);
  const r2 = await runCli(t, ['run', '-m', c.restUrl, '-p', '2', '-s', path, JOB, parts, String(N), '8000', 'event']);
  t.equal(r2.code, 0, r2.stderr);
  t.same(
    outputLines(parts).sort(),
    reference,
    'the interrupted run scored every record exactly as the uninterrupted one',
  );
});
