/**
 * Kafka exactly-once under SIGKILL: 100 000 per-key sequence records in a 4-partition
 * input topic → jobs/keyed-sequence-check.ts in Kafka mode (`--bounded`, read_committed KafkaSource →
 * keyBy → count in keyed state → KafkaSink EXACTLY_ONCE keyed by key) on 2 task worker processes with
 * checkpoints every 300 ms, each source subtask limited to 4 000 records/s, while a busy task worker is SIGKILLed three times (each replaced by a new one).
 * A kafkajs read_committed consumer then sees every record exactly once, each key's lines in one output
 * partition in sequence order, with counts continuing exactly from restored state.
 */
import t from 'tap';
import { startCluster, submitDetached, tempDirs } from '../support/cluster-harness.js';
import * as kit from '../support/kafka/test-kit.js';
import {
  checkSequences,
  createSeqTopics,
  fillSequences,
  killBusyWorker,
  nextCheckpoint,
  offsetOutcomes,
  readToEnd,
  restartingClusterArgs,
} from '../support/kafka/job-kit.js';

const N = 100_000;
const KEYS = 40;
const PARTITIONS = 4;
const KILLS = 3;
/** Records per second per source subtask: 100 000 records take ≥ 12.5 s at parallelism 2, so three kill cycles fit. */
const RATE = 4_000;

t.test(
  `EXACTLY_ONCE topic → job → topic: ${N} records, ${KILLS} worker kills, read_committed sees each once in per-key order`,
  async (t) => {
    const started = Date.now();
    const [ckpt, kdir] = tempDirs(t, 'kafka-eo-ckpt', 'kafka-eo-broker');
    const b = await kit.broker(t, { dir: kdir! });
    const k = kit.kafka(b);
    const admin = await kit.admin(t, k);
    await createSeqTopics(admin, 'eo', PARTITIONS);
    const producer = await kit.producer(t, k);
    await fillSequences(producer, 'eo.input', PARTITIONS, N, KEYS);
    t.comment(`filled ${N} records in ${Date.now() - started} ms`);

    const c = await startCluster(t, {
      workers: 2,
      slots: 2,
      extraArgs: restartingClusterArgs(ckpt!, 20, 100),
    });
    const jobId = await submitDetached(t, c.restUrl, [
      'jobs/keyed-sequence-check.ts',
      '-',
      String(N),
      String(RATE),
      String(KEYS),
      '300',
      '--kafka',
      b.address,
      '--topic-prefix',
      'eo',
      '--bounded',
    ]);
    const jobStarted = Date.now();

    let kills = 0;
    for (let i = 0; i < KILLS; i++) {
      if (!(await nextCheckpoint(c, jobId))) break; // the job ended before this kill: the assertion below fails
      if (await killBusyWorker(c)) kills++;
    }
    t.equal(kills, KILLS, `${KILLS} busy task workers SIGKILLed while the job ran`);
    const lastKill = Date.now();
    const status = await c.rest.waitForTerminal(jobId, 120_000);
    t.comment(`the job ran ${Date.now() - lastKill} ms after the last kill`);
    if (status !== 'FINISHED') t.comment(c.lines.slice(-30).join('\n'));
    t.equal(status, 'FINISHED', 'the job FINISHED');
    t.comment(`job ran ${Date.now() - jobStarted} ms`);
    const ex = await c.rest.call<{ exceptionHistory: { entries: unknown[] } }>('GET', `/jobs/${jobId}/exceptions`);
    t.ok(
      ex.exceptionHistory.entries.length >= KILLS,
      `the job failed over at least ${KILLS} times (${ex.exceptionHistory.entries.length})`,
    );
    const stats = await c.rest.call<{ counts: { restored: number } }>('GET', `/jobs/${jobId}/checkpoints`);
    t.ok(stats.counts.restored >= 1, 'restored from a checkpoint');

    const rows = await readToEnd(t, k, producer, 'eo.output', PARTITIONS);
    const report = checkSequences(rows, N, KEYS);
    const outcomes = Array.from({ length: PARTITIONS }, (_, p) => offsetOutcomes(kdir!, 'eo.output', p));
    const delivered = new Map<string, number>();
    for (const row of rows) {
      const o = outcomes[row.partition]!.get(row.offset) ?? 'none';
      delivered.set(o, (delivered.get(o) ?? 0) + 1);
    }
    t.same(
      Object.fromEntries(delivered),
      { committed: N },
      'the consumer delivered only records of committed transactions (outcomes read from the broker log)',
    );
    let committedInLog = 0;
    let abortedInLog = 0;
    for (const m of outcomes)
      for (const v of m.values()) v === 'committed' ? committedInLog++ : v === 'aborted' ? abortedInLog++ : 0;
    t.equal(committedInLog, N, `the log holds exactly ${N} committed records (and ${abortedInLog} aborted ones)`);
    t.comment(`read_committed output: ${JSON.stringify(report)}`);
    t.equal(report.missing, 0, 'no record lost');
    t.equal(report.duplicates, 0, 'no record duplicated');
    t.equal(report.total, N, `exactly ${N} records visible`);
    t.equal(report.splitKeys, 0, 'each key in one output partition');
    t.equal(report.orderViolations, 0, 'per-key sequence order intact within each output partition');
    t.equal(report.countMismatches, 0, 'per-key counts continue exactly from restored state');

    // the raw log does hold the aborted attempts' records: the kills did cut transactions
    const raw = await readToEnd(t, k, producer, 'eo.output', PARTITIONS, { readUncommitted: true });
    t.comment(`read_uncommitted sees ${raw.length} records (${raw.length - N} from aborted transactions)`);
    t.ok(raw.length > N, 'read_uncommitted also sees records of aborted transactions: the kills cut open transactions');
    t.comment(`test took ${Date.now() - started} ms`);
  },
);
