/**
 * The taxi use case in one go on a 2-worker cluster: trips before the first model go to
 * the no-model output (counted); the retrainer publishes v1, the injected traffic drift makes v1's MAE
 * rise, the retrained v2 is served without a restart and its MAE is lower; every prediction names the
 * model version that produced it.
 */
import { join } from 'node:path';
import t from 'tap';
import { DEFAULT_START_MS } from '../../jobs/taxi/trips.js';
import { readPartLines, runCli, startCluster, tempDirs } from '../support/cluster-harness.js';

const rows = (dir: string): string[][] => readPartLines(dir).map((l) => l.split(','));

t.test('MAE rises after drift and falls once the retrained model serves', async (t) => {
  const [out] = tempDirs(t, 'taxi') as [string];
  const N = 12_000;
  const DRIFT_DAY = 3;
  const driftMs = DEFAULT_START_MS + DRIFT_DAY * 86_400_000;
  const c = await startCluster(t, { workers: 2 });
  const r = await runCli(
    t,
    ['run', '-m', c.restUrl, '-p', '2', 'jobs/taxi/job.ts', out, String(N), '1500', String(DRIFT_DAY), '1000'],
    300_000,
  );
  t.equal(r.code, 0, r.stderr);

  const published = rows(join(out, 'models-published')).sort((a, b) => Number(a[0]!.slice(1)) - Number(b[0]!.slice(1)));
  t.ok(published.length >= 2, `models published: ${published.map((p) => p[0]).join(', ')}`);
  t.same(
    published.slice(0, 2).map((p) => p[0]),
    ['v1', 'v2'],
    'the first model, then one retrained after the drift',
  );
  t.match(published[0]![4], /initial model/);
  t.ok(
    published.slice(1).every((p) => /traffic drifted/.test(p[4]!) && Number(p[3]) > driftMs),
    'every later version was trained after the drift was seen, on trips after it',
  );
  const noModel = rows(join(out, 'no-model'));
  const predictions = rows(join(out, 'predictions'));
  t.ok(noModel.length > 0, `${noModel.length} trips arrived before any model (no-model policy: side output)`);
  t.equal(
    predictions.length + noModel.length,
    N,
    'every trip is either predicted (and judged) or counted without a model',
  );
  const versions = new Set(published.map((p) => p[0]));
  t.ok(
    predictions.every((p) => versions.has(p[2]!)),
    'every prediction names the published model version that produced it',
  );

  // weighted MAE per (version, before/after drift) from the window results
  const mae = rows(join(out, 'mae')).map(([start, version, count, m]) => ({
    startMs: Date.parse(start!),
    version: version!,
    count: Number(count),
    mae: Number(m),
  }));
  const weighted = (pred: (w: (typeof mae)[number]) => boolean) => {
    const ws = mae.filter(pred);
    const n = ws.reduce((s, w) => s + w.count, 0);
    return n === 0 ? NaN : ws.reduce((s, w) => s + w.mae * w.count, 0) / n;
  };
  const v1Before = weighted((w) => w.version === 'v1' && w.startMs + 6 * 3_600_000 <= driftMs);
  const v1After = weighted((w) => w.version === 'v1' && w.startMs >= driftMs);
  const retrained = weighted((w) => w.version !== 'v1');
  t.ok(v1After > 1.3 * v1Before, `MAE rises after the drift: v1 ${v1Before.toFixed(0)} s → ${v1After.toFixed(0)} s`);
  t.ok(
    retrained < v1After,
    `MAE falls once retrained models serve: ${retrained.toFixed(0)} s < v1 after the drift ${v1After.toFixed(0)} s`,
  );

  // The MAE as operator gauges (`<version>.maeSec`, what the dashboard's Quality panel draws): each reads the
  // last window of its version, as the window results in the output say.
  const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
  const details = await c.rest.call<{ vertices: Array<{ id: string }> }>('GET', `/jobs/${jobId}`);
  const gauges = new Map<string, number>();
  for (const v of details.vertices) {
    const ids = await c.rest.call<Array<{ id: string }>>('GET', `/jobs/${jobId}/vertices/${v.id}/metrics`);
    const wanted = ids.map((m) => m.id).filter((id) => id.endsWith('.maeSec'));
    if (!wanted.length) continue;
    const values = await c.rest.call<Array<{ id: string; value: string }>>(
      'GET',
      `/jobs/${jobId}/vertices/${v.id}/metrics?get=${wanted.join(',')}`,
    );
    for (const m of values) gauges.set(/([^.]+)\.maeSec$/.exec(m.id)![1]!, Number(m.value));
  }
  const lastWindow = new Map<string, { startMs: number; mae: number }>();
  for (const w of mae) if ((lastWindow.get(w.version)?.startMs ?? -Infinity) < w.startMs) lastWindow.set(w.version, w);
  t.same([...gauges.keys()].sort(), [...lastWindow.keys()].sort(), 'one maeSec gauge per model version');
  for (const [version, w] of lastWindow)
    t.ok(
      Math.abs(gauges.get(version)! - w.mae) <= 0.11,
      `${version}.maeSec ${gauges.get(version)} = last window's ${w.mae}`,
    );
});
