/**
 * Kafka source restore at other parallelisms: jobs/keyed-sequence-check.ts in Kafka
 * mode (unbounded, `--no-feed`, EXACTLY_ONCE sink) reads a 4-partition input topic that is filled before
 * each run and while each run is being stopped. Run 1 at parallelism 2 (reading rate-limited) is stopped
 * with a savepoint once some output is committed; run 2 restores it at parallelism 3 (the partition
 * splits and keyed counts are re-distributed), is stopped with a savepoint again, and run 3 restores that
 * at parallelism 1 (a scale-in: the transactions of the removed sink subtasks are aborted) and reads the
 * rest. Runs 1 and 2 are checked to have stopped with unread input left. The read_committed output then
 * holds every record exactly once, per key in order, with counts continuing from state.
 */
import t from 'tap';
import { runCli, startCluster, tempDirs, waitFor, type TestCluster } from '../support/cluster-harness.js';
import * as kit from '../support/kafka/test-kit.js';
import {
  checkSequences,
  createSeqTopics,
  fillSequences,
  jobIdOf,
  jobStatus,
  readToEnd,
} from '../support/kafka/job-kit.js';

const HALF = 8_000;
/** Records per second per source subtask in runs 1 and 2: slow enough that a stop (a CLI process and a savepoint, seconds on a loaded machine) cannot drain the input. */
const RATE = 500;
const TOTAL = 5 * HALF; // HALF before each of the 3 runs, HALF during each of the first 2 stops
const KEYS = 30;
const PARTITIONS = 4;

t.test('stop-with-savepoint at p=2 → restore at p=3 → stop → restore at p=1: no gap, no duplicate', async (t) => {
  const started = Date.now();
  const [ckpt, sp] = tempDirs(t, 'kafka-sp-ckpt', 'kafka-sp');
  const b = await kit.broker(t);
  const k = kit.kafka(b);
  const admin = await kit.admin(t, k);
  await createSeqTopics(admin, 'sp', PARTITIONS);
  const producer = await kit.producer(t, k);

  // a live read_committed count of the output, to stop each run once it has committed something
  let committed = 0;
  const live = kit.consumer(t, k, 'sp-live');
  await live.connect();
  await live.subscribe({ topics: ['sp.output'], fromBeginning: true });
  await live.run({
    eachBatch: async ({ batch }) =>
      void (committed += batch.messages.filter((m) => !m.value?.toString().startsWith('__end__')).length),
  });

  const c = await startCluster(t, { workers: 2, slots: 2, extraArgs: ['-D', `execution.checkpointing.dir=${ckpt!}`] });
  // runs 1 and 2 read at RATE per source subtask, so their stop cuts the input; run 3 reads the rest at full speed
  const job = (rate: number) => [
    'jobs/keyed-sequence-check.ts',
    '-',
    '0',
    String(rate),
    String(KEYS),
    '250',
    '--kafka',
    b.address,
    '--topic-prefix',
    'sp',
    '--no-feed',
  ];
  let restoreFrom: string | undefined;
  const parallelisms = [2, 3, 1];
  let filled = 0;
  const fill = async (n: number) => {
    const from = filled;
    filled += n;
    await fillSequences(producer, 'sp.input', PARTITIONS, n, KEYS, from);
  };
  for (let phase = 0; phase < parallelisms.length; phase++) {
    const p = parallelisms[phase]!;
    const last = phase === parallelisms.length - 1;
    await fill(HALF); // unread input waits for the run
    const before = committed;
    const r = await runCli(t, [
      'run',
      '-d',
      '-m',
      c.restUrl,
      '-p',
      String(p),
      ...(restoreFrom ? ['-s', restoreFrom] : []),
      ...job(last ? 0 : RATE),
    ]);
    t.equal(r.code, 0, r.stderr);
    const jobId = jobIdOf(r.stdout);
    await waitFor(`run ${phase + 1} (p=${p}) commits output`, () => committed > before, 30_000);
    if (last) await waitFor(`all ${TOTAL} records committed`, () => committed >= TOTAL, 60_000);
    // more input arrives while the run is being stopped: the savepoint cuts the input stream somewhere
    const [savepoint] = await Promise.all([stopWithSavepoint(t, c, jobId, sp!), last ? undefined : fill(HALF)]);
    restoreFrom = savepoint;
    if (!last) {
      const output = (await readToEnd(t, k, producer, 'sp.output', PARTITIONS)).length; // exact, unlike the live count
      t.ok(
        output < filled,
        `run ${phase + 1} (p=${p}) stopped mid-input: ${output} of ${filled} records committed, the rest left for the restored run`,
      );
    }
    const vertices = await c.rest.call<{ vertices: Array<{ parallelism: number }> }>('GET', `/jobs/${jobId}`);
    t.ok(
      vertices.vertices.every((v) => v.parallelism === p),
      `run ${phase + 1} ran at parallelism ${p}`,
    );
  }
  t.equal(filled, TOTAL);

  const rows = await readToEnd(t, k, producer, 'sp.output', PARTITIONS);
  const report = checkSequences(rows, TOTAL, KEYS);
  t.comment(`read_committed output: ${JSON.stringify(report)}`);
  t.equal(report.missing, 0, 'no gap across the two rescales');
  t.equal(report.duplicates, 0, 'no duplicate across the two rescales');
  t.equal(report.total, TOTAL, 'each record exactly once');
  t.equal(report.orderViolations, 0, 'per-key order intact');
  t.equal(report.countMismatches, 0, 'keyed counts continue exactly across 2 → 3 → 1');
  t.comment(`test took ${Date.now() - started} ms`);
});

async function stopWithSavepoint(
  t: Parameters<typeof runCli>[0],
  c: TestCluster,
  jobId: string,
  dir: string,
): Promise<string> {
  const s = await runCli(t, ['stop', '-m', c.restUrl, '--savepointPath', dir, jobId]);
  if (s.code !== 0) throw new Error(`stop failed: ${s.stderr}`);
  await waitFor(`job ${jobId} FINISHED`, async () => (await jobStatus(c, jobId)) === 'FINISHED');
  return /Path: file:(\S+)/.exec(s.stdout)![1]!;
}
