/**
 * Speculative wine on real processes: the job serves three ONNX models (linear, mlp,
 * big) speculatively at parallelism 2 on 2 workers; every record gets exactly one prediction, the win
 * counts in the output add up (one winner per record under deadline + quality; a 2- or 3-model majority
 * per record under consensus), and the operators' win counts over REST (their `modelStats` gauge, final values after the job finished)
 * match them.
 */
import t from 'tap';
import { runCli, sharedCluster, type startCluster, tempDirs } from '../support/cluster-harness.js';
import { readOutputLines, winCounts } from '../../jobs/speculative-wine/win-counts.js';

const JOB = 'jobs/speculative-wine/job.ts';
const MODELS = ['linear@1', 'mlp@1', 'big@1'];
type Row = { name: string; version: string; usage: number; wins: number };
/** Both tests run their job on one 2-worker cluster (each job ends before its test does). */
const cluster = sharedCluster(t, { workers: 2 });

/**
 * Per-model wins the serving operators published in their `modelStats` gauge, summed over subtasks, read after
 * the job finished from the subtasks' final metrics (`/jobs/:id/vertices/:vid/metrics`).
 */
async function restWins(
  c: Awaited<ReturnType<typeof startCluster>>,
  stdout: string,
): Promise<{ wins: Record<string, number>; subtasks: number }> {
  const jobId = /JobID ([0-9a-f]{32})/.exec(stdout)![1]!;
  const job = await c.rest.call<{ vertices: Array<{ id: string }> }>('GET', `/jobs/${jobId}`);
  const wins: Record<string, number> = {};
  const subtasks = new Set<string>();
  for (const v of job.vertices) {
    const ids = (await c.rest.call<Array<{ id: string }>>('GET', `/jobs/${jobId}/vertices/${v.id}/metrics`))
      .map((m) => m.id)
      .filter((id) => id.endsWith('modelStats'));
    if (ids.length === 0) continue;
    for (const m of await c.rest.call<Array<{ id: string; value: string }>>(
      'GET',
      `/jobs/${jobId}/vertices/${v.id}/metrics?get=${ids.join(',')}`,
    )) {
      subtasks.add(`${v.id}.${m.id.split('.')[0]}`);
      for (const model of (JSON.parse(m.value) as { models: Row[] }).models)
        wins[`${model.name}@${model.version}`] = (wins[`${model.name}@${model.version}`] ?? 0) + model.wins;
    }
  }
  return { wins, subtasks: subtasks.size };
}

t.test('deadline + quality on 2 workers: one prediction per record, wins add up, REST agrees', async (t) => {
  const [out] = tempDirs(t, 'spec-wine') as [string];
  const c = await cluster();
  const N = 6000;
  const r = await runCli(t, ['run', '-m', c.restUrl, '-p', '2', JOB, out, String(N), '3000', 'deadline:5+quality']);
  t.equal(r.code, 0, r.stderr);
  t.comment(r.stdout.trim());
  const lines = readOutputLines(out);
  const s = winCounts(lines, MODELS);
  t.equal(s.records, N, 'one output line per record');
  t.equal(s.distinctIds, N, 'every record id exactly once');
  t.equal(s.credits, N, 'exactly one winner per record');
  t.same(Object.keys(s.wins).sort(), [...MODELS].sort(), 'only the three models win');
  t.comment(`wins ${JSON.stringify(s.wins)}`);
  t.ok(
    lines.every((l) => /^\d+,[01]\.\d{6},(linear|mlp|big)@1$/.test(l)),
    'lines are id,prediction,winner',
  );
  const rest = await restWins(c, r.stdout);
  t.same(rest.wins, s.wins, 'per-model wins over REST (summed over both subtasks) equal the output');
  t.equal(rest.subtasks, 2, 'both serving subtasks report');
  t.same(
    c.lines.filter((l) => /terminate called|Napi::Error|SIGABRT/.test(l)),
    [],
    'no worker crashed (worker pools closed cleanly)',
  );
});

t.test('consensus on 2 workers: every record answered by a majority of the three models', async (t) => {
  const [out] = tempDirs(t, 'spec-wine-consensus') as [string];
  const c = await cluster();
  const N = 4000;
  const r = await runCli(t, ['run', '-m', c.restUrl, '-p', '2', JOB, out, String(N), '4000', 'consensus']);
  t.equal(r.code, 0, r.stderr);
  t.comment(r.stdout.trim());
  const lines = readOutputLines(out);
  const s = winCounts(lines, MODELS);
  t.equal(s.records, N, 'one output line per record');
  t.equal(s.distinctIds, N, 'every record id exactly once');
  const sizes = lines.map((l) => l.split(',')[2]!.split('+').length);
  t.ok(
    sizes.every((n) => n === 2 || n === 3),
    'each winner set is a majority of 3',
  );
  t.equal(
    s.credits,
    sizes.reduce((a, b) => a + b, 0),
    'credits = agreeing models per record',
  );
  t.comment(`wins ${JSON.stringify(s.wins)}`);
  t.same((await restWins(c, r.stdout)).wins, s.wins, 'per-model wins over REST equal the output');
});
