/**
 * Bounded collect on a 2-worker cluster, from programs run with `sluice run`: a client reading far more
 * results than the collect sink may buffer (collect-sink.batch-size.max 16 kb, so at most 32 kb in the sink;
 * the job sends about 70 times that) more slowly than the job produces them gets every result exactly once
 * (with checkpointing), while the sink's buffered bytes (its collectBufferedBytesPeak gauge) and the bytes
 * the job manager holds for the client (the job's collectHeldBytesPeak) stay within their bounds; and a
 * client that dies without closing anything gets its unbounded job cancelled once client.heartbeat.timeout
 * has passed, and a worker killed while a client collects with checkpointing loses and repeats nothing.
 */
import t from 'tap';
import {
  completedCheckpoints,
  runCli,
  sharedCluster,
  startCluster,
  tempDirs,
  waitFor,
} from '../support/cluster-harness.js';
import type { RestClient } from '../../runtime/cli/rest-client.js';

const cluster = sharedCluster(t, { workers: 2, slots: 2 });
const BATCH_BYTES = 16 * 1024;
const JOB_NAME = 'collect slow reader';

const line = (stdout: string, key: string): string[] =>
  [...stdout.matchAll(new RegExp(`^${key} (.*)$`, 'gm'))].map((m) => m[1]!);

type Metric = { id: string; value: string };

/** The id of the running job named JOB_NAME that is not one of `known`, once there is one. */
async function newJob(rest: RestClient, known: Set<string>): Promise<string> {
  return waitFor(
    'the program submitted its job',
    async () => {
      const r = await rest.call<{ jobs: Array<{ jid: string; name: string }> }>('GET', '/jobs/overview');
      return r.jobs.find((j) => j.name === JOB_NAME && !known.has(j.jid))?.jid;
    },
    60_000,
  );
}

/** `sluice run` of the slow-reader job: records of ~100 padded bytes, a pause every 200 read, checkpoints every 300 ms. */
function slowReaderArgs(restUrl: string, records: number, pauseMs: number): string[] {
  return [
    'run',
    '-m',
    restUrl,
    '-D',
    `collect-sink.batch-size.max=${BATCH_BYTES}`,
    'test/fixtures/client/collect-slow-reader-job.ts',
    '--records',
    `${records}`,
    '--pad',
    '100',
    '--pause-every',
    '200',
    '--pause-ms',
    `${pauseMs}`,
    '--checkpoint-ms',
    '300',
  ];
}

async function jobIds(rest: RestClient): Promise<Set<string>> {
  const r = await rest.call<{ jobs: Array<{ jid: string }> }>('GET', '/jobs/overview');
  return new Set(r.jobs.map((j) => j.jid));
}

/** The collect sink's buffered-bytes peak, read from its vertex's metrics (undefined until reported). */
async function sinkPeak(rest: RestClient, jobId: string): Promise<number | undefined> {
  const job = await rest.call<{ vertices: Array<{ id: string; name: string }> }>('GET', `/jobs/${jobId}`);
  const sink = job.vertices.find((v) => v.name.includes('Collect Sink'));
  if (!sink) return undefined;
  const all = await rest.call<Metric[]>('GET', `/jobs/${jobId}/vertices/${sink.id}/metrics`);
  const id = all.find((m) => m.id.endsWith('collectBufferedBytesPeak'))?.id;
  if (!id) return undefined;
  const [m] = await rest.call<Metric[]>('GET', `/jobs/${jobId}/vertices/${sink.id}/metrics?get=${id}`);
  return m ? Number(m.value) : undefined;
}

async function jobManagerPeak(rest: RestClient, jobId: string): Promise<number | undefined> {
  const [m] = await rest.call<Metric[]>('GET', `/jobs/${jobId}/metrics?get=collectHeldBytesPeak`);
  return m ? Number(m.value) : undefined;
}

t.test(
  'a slow reader of ~70 buffers of results: each once, memory bounded in the sink and the job manager',
  async (t) => {
    const c = await cluster();
    const before = await jobIds(c.rest);
    const records = 20_000; // ~110 bytes each encoded: ~2.2 MB through a 32 kb sink buffer
    const run = runCli(t, slowReaderArgs(c.restUrl, records, 10), 240_000);
    const jobId = await newJob(c.rest, before);
    const sinkSamples: number[] = [];
    const jmSamples: number[] = [];
    let ended = false;
    void run.finally(() => (ended = true));
    await waitFor(
      'the program ended',
      async () => {
        const s = await sinkPeak(c.rest, jobId).catch(() => undefined);
        if (s !== undefined) sinkSamples.push(s);
        const j = await jobManagerPeak(c.rest, jobId).catch(() => undefined);
        if (j !== undefined) jmSamples.push(j);
        return ended;
      },
      240_000,
      200,
    );
    const r = await run;
    t.equal(r.code, 0, r.code === 0 ? 'the program ran' : r.stderr.slice(-2000));
    t.same(line(r.stdout, 'COLLECTED'), [`${records} DISTINCT ${records} MIN 0 MAX ${records - 1}`], 'each once');
    t.same(line(r.stdout, 'OUTCOME'), ['FINISHED']);
    const finalJm = await jobManagerPeak(c.rest, jobId);
    if (finalJm !== undefined) jmSamples.push(finalJm);
    t.ok(sinkSamples.length > 0, `the sink reported its buffer (${sinkSamples.length} samples)`);
    const sinkMax = Math.max(...sinkSamples);
    t.ok(sinkMax > BATCH_BYTES / 2, `the slow reader filled the sink's buffer (peak ${sinkMax} bytes)`);
    t.ok(sinkMax <= 2 * BATCH_BYTES, `the sink never buffered more than two batches (peak ${sinkMax} bytes)`);
    t.ok(jmSamples.length > 0, 'the job manager reported what it held');
    const jmMax = Math.max(...jmSamples);
    // a batch in flight, plus the sink's remainder (at most two batches) when its input ended
    t.ok(jmMax <= 3 * BATCH_BYTES, `the job manager held at most ${jmMax} bytes (bound ${3 * BATCH_BYTES})`);
    t.ok(records * 100 > 10 * 2 * BATCH_BYTES, 'the job sent more than ten sink buffers of results');
  },
);

t.test('a client that died: its unbounded collect job is cancelled after client.heartbeat.timeout', async (t) => {
  const c = await cluster();
  const before = await jobIds(c.rest);
  const timeoutMs = 3000;
  const r = await runCli(t, [
    'run',
    '-m',
    c.restUrl,
    '-D',
    `client.heartbeat.timeout=${timeoutMs} ms`,
    '-D',
    'client.heartbeat.interval=1 s',
    '-D',
    `collect-sink.batch-size.max=${BATCH_BYTES}`,
    'test/fixtures/client/collect-slow-reader-job.ts',
    '--records',
    '0',
    '--checkpoint-ms',
    '300',
    '--die-after',
    '500',
  ]);
  t.equal(r.code, null, 'the client process died abruptly (killed: no exit code)');
  t.match(r.stdout, /DYING after 500/);
  const jobId = line(r.stdout, 'JOBID')[0] ?? (await newJob(c.rest, before));
  const diedAtMs = Date.now();
  const status = await c.rest.waitForTerminal(jobId, 60_000);
  const endedAfterMs = Date.now() - diedAtMs;
  t.equal(status, 'CANCELED', 'the job did not run on, blocked, for a reader that is gone');
  t.ok(endedAfterMs < timeoutMs + 15_000, `it ended ${endedAfterMs} ms after the client died`);
  t.ok(
    c.lines.some((l) => l.includes(`Warning: job ${jobId}: its collect client`) && l.includes('cancelling the job')),
    'the job manager logged why it cancelled the job',
  );
});

t.test('a worker killed while a client collects with checkpointing: every result exactly once', async (t) => {
  const [ckpt] = tempDirs(t, 'collect-failover');
  const c = await startCluster(t, {
    workers: 2,
    slots: 2,
    conf: {
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': '5',
      'restart-strategy.fixed-delay.delay': '100 ms',
      'execution.checkpointing.dir': ckpt!,
    },
  });
  const records = 40_000;
  // The client fetches ahead of its reader, so the reader's pauses do not slow the job: a rate-limited
  // input (4 000 records/s, ~10 s) keeps the job running long enough to kill a worker on a quiet machine.
  const run = runCli(t, [...slowReaderArgs(c.restUrl, records, 20), '--rate', '4000'], 240_000);
  const jobId = await newJob(c.rest, new Set());
  const victim = await waitFor(
    'a completed checkpoint and a worker running tasks of the job',
    async () => {
      if ((await completedCheckpoints(c, jobId)) === 0) return undefined;
      const { status } = await c.rest.call<{ status: string }>('GET', `/jobs/${jobId}/status`);
      if (status !== 'RUNNING') throw new Error(`the job is ${status} before the kill`);
      const tms = await c.rest.call<{ taskmanagers: Array<{ id: string; slotsNumber: number; freeSlots: number }> }>(
        'GET',
        '/taskmanagers',
      );
      const busy = new Set(tms.taskmanagers.filter((tm) => tm.freeSlots < tm.slotsNumber).map((tm) => tm.id));
      return c.mini.workers.find((w) => busy.has(String(w.ready.workerId)));
    },
    60_000,
  );
  victim.kill('SIGKILL');
  await c.mini.addWorker();
  const r = await run;
  t.equal(r.code, 0, r.code === 0 ? 'the program ran' : r.stderr.slice(-2000));
  t.same(line(r.stdout, 'COLLECTED'), [`${records} DISTINCT ${records} MIN 0 MAX ${records - 1}`], 'each once');
  t.same(line(r.stdout, 'OUTCOME'), ['FINISHED']);
  const ex = await c.rest.call<{ exceptionHistory: { entries: unknown[] } }>('GET', `/jobs/${jobId}/exceptions`);
  t.ok(ex.exceptionHistory.entries.length >= 1, 'the job failed over while the client was reading');
});
