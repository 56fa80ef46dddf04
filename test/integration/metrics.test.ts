/**
 * Metrics on a running 2-worker cluster: Flink's task metric names per subtask (numRecordsIn/Out, rates,
 * busy/back-pressured time, currentInputWatermark), vertex read/write records in /jobs/:id, job checkpoint
 * metrics, and the Prometheus endpoint; after the job finishes, the records counted equal the records sent.
 */
import t from 'tap';
import { runCli, startCluster, tempDirs, waitFor } from '../support/cluster-harness.js';

type Vertex = { id: string; name: string; parallelism: number; metrics: Record<string, number | boolean> };

t.test('task, vertex, job and Prometheus metrics', async (t) => {
  const [out] = tempDirs(t, 'metrics') as [string];
  const c = await startCluster(t, { workers: 2 });
  const N = 12_000;
  const r = await runCli(t, [
    'run',
    '-d',
    '-m',
    c.restUrl,
    '-p',
    '2',
    'jobs/keyed-sequence-check.ts',
    out,
    String(N),
    '3000',
    '20',
    '300',
  ]);
  const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
  const details = () => c.rest.call<{ state: string; vertices: Vertex[] }>('GET', `/jobs/${jobId}`);

  const running = await waitFor(
    'records counted while running',
    async () => {
      const d = await details();
      const v = d.vertices.find((x) => Number(x.metrics['read-records']) > 0);
      return (
        d.state === 'RUNNING' &&
        v &&
        Number(v.metrics['read-records']) > 0 &&
        v.metrics['read-records-complete'] === true &&
        d
      );
    },
    30_000,
  );
  const keyed = running.vertices.find((v) => (v.metrics['read-records'] as number) > 0)!;
  const subtaskMetrics = await c.rest.call<Array<{ id: string; value: string }>>(
    'GET',
    `/jobs/${jobId}/vertices/${keyed.id}/metrics?get=0.numRecordsIn,0.numRecordsInPerSecond,0.busyTimeMsPerSecond,0.backPressuredTimeMsPerSecond,0.currentInputWatermark`,
  );
  t.same(
    subtaskMetrics.map((m) => m.id).sort(),
    [
      '0.backPressuredTimeMsPerSecond',
      '0.busyTimeMsPerSecond',
      '0.currentInputWatermark',
      '0.numRecordsIn',
      '0.numRecordsInPerSecond',
    ],
    "Flink's names, per subtask",
  );
  t.ok(
    subtaskMetrics.every((m) => typeof m.value === 'string' && m.value !== ''),
    'values as strings, as Flink',
  );
  const busy = Number(subtaskMetrics.find((m) => m.id === '0.busyTimeMsPerSecond')!.value);
  t.ok(busy >= 0 && busy <= 1000, `busyTimeMsPerSecond in [0, 1000]: ${busy}`);

  const checkpoints = await waitFor(
    'a completed checkpoint in the job metrics',
    async () => {
      const m = await c.rest.call<Array<{ id: string; value: string }>>(
        'GET',
        `/jobs/${jobId}/metrics?get=numberOfCompletedCheckpoints,lastCheckpointDuration,lastCheckpointSize`,
      );
      const done = Number(m.find((x) => x.id === 'numberOfCompletedCheckpoints')?.value);
      return done > 0 && m;
    },
    30_000,
  );
  t.ok(Number(checkpoints.find((x) => x.id === 'lastCheckpointSize')!.value) > 0, 'lastCheckpointSize in bytes');

  const prom = await fetch(`${c.restUrl}/metrics`).then((res) => res.text());
  t.match(
    prom,
    new RegExp(
      `flink_taskmanager_job_task_numRecordsIn\\{job_id="${jobId}",task_id="${keyed.id}",subtask_index="[01]"\\} \\d+`,
    ),
    'task metrics in Prometheus format',
  );
  t.match(prom, /flink_jobmanager_numRegisteredTaskManagers 2/);
  t.match(prom, new RegExp(`flink_jobmanager_job_numberOfCompletedCheckpoints\\{job_id="${jobId}"`));

  const done = await waitFor(
    'job FINISHED',
    async () => {
      const d = await details();
      return d.state === 'FINISHED' && d;
    },
    60_000,
  );
  const source = done.vertices.find((v) => v.name.startsWith('Source'))!;
  const sink = done.vertices.find((v) => v.name.includes('Sink'))!;
  t.equal(source.metrics['write-records'], N, 'the source sent every record');
  t.equal(sink.metrics['read-records'], N, 'the sink received every record (final counts kept after the tasks ended)');
});
