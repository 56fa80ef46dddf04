/**
 * Kafka AT_LEAST_ONCE under a worker kill, and malformed input at job level:
 * jobs/keyed-sequence-check.ts in Kafka mode with `--delivery-guarantee AT_LEAST_ONCE` (`--bounded`,
 * checkpoints every 300 ms) on 2 task worker processes; a busy worker is SIGKILLed once a checkpoint has
 * completed. The output then holds every record at least once (duplicates allowed and counted), per key in
 * order of first appearance, with counts from restored state. Then a second job (EXACTLY_ONCE, no kill)
 * reads a topic with undecodable records in the middle of its partitions: each arrives on the source's
 * MALFORMED_TAG side output (the job writes it to a topic) with its topic, partition, offset and reason, and
 * is counted by numMalformedRecords; every valid record arrives once; the job finishes.
 */
import t from 'tap';
import { runCli, startCluster, submitDetached, tempDirs } from '../support/cluster-harness.js';
import * as kit from '../support/kafka/test-kit.js';
import {
  checkSequences,
  createSeqTopics,
  fillSequences,
  jobIdOf,
  killBusyWorker,
  nextCheckpoint,
  readToEnd,
  readToEndAs,
  restartingClusterArgs,
} from '../support/kafka/job-kit.js';

const N = 30_000;
const KEYS = 30;
const PARTITIONS = 4;
const M = 2_000;
const MALFORMED = ['not json', '{"key":"k1"}', '{"seq":3}', ''];

t.test(
  'AT_LEAST_ONCE under a worker kill loses nothing; malformed records go to the side output with topic, partition and offset',
  async (t) => {
    const started = Date.now();
    const [ckpt] = tempDirs(t, 'kafka-alo-ckpt');
    const b = await kit.broker(t);
    const k = kit.kafka(b);
    const admin = await kit.admin(t, k);
    await createSeqTopics(admin, 'alo', PARTITIONS);
    const producer = await kit.producer(t, k);
    await fillSequences(producer, 'alo.input', PARTITIONS, N, KEYS);

    const c = await startCluster(t, {
      workers: 2,
      slots: 2,
      extraArgs: restartingClusterArgs(ckpt!, 10, 100),
    });
    const jobId = await submitDetached(t, c.restUrl, [
      'jobs/keyed-sequence-check.ts',
      '-',
      String(N),
      '0',
      String(KEYS),
      '300',
      '--kafka',
      b.address,
      '--topic-prefix',
      'alo',
      '--bounded',
      '--delivery-guarantee',
      'AT_LEAST_ONCE',
    ]);
    t.ok(await nextCheckpoint(c, jobId), 'a checkpoint completed while the job ran');
    t.ok(await killBusyWorker(c), 'a busy task worker SIGKILLed');
    const status = await c.rest.waitForTerminal(jobId, 90_000);
    if (status !== 'FINISHED') t.comment(c.lines.slice(-30).join('\n'));
    t.equal(status, 'FINISHED', 'the job FINISHED');
    const ex = await c.rest.call<{ exceptionHistory: { entries: unknown[] } }>('GET', `/jobs/${jobId}/exceptions`);
    t.ok(ex.exceptionHistory.entries.length >= 1, 'the job failed over');

    const rows = await readToEnd(t, k, producer, 'alo.output', PARTITIONS);
    const report = checkSequences(rows, N, KEYS);
    t.comment(`output: ${JSON.stringify(report)}`);
    t.equal(report.missing, 0, 'no record lost');
    t.equal(report.distinct, N, 'every valid record present (and nothing else)');
    t.equal(report.total, N + report.duplicates, `${report.duplicates} duplicates from the replay after the kill`);
    t.equal(report.orderViolations, 0, 'per-key order of first appearance intact');
    t.equal(report.countMismatches, 0, 'counts come from restored state (a replayed record repeats its count)');

    // malformed input, in a second job on the same cluster without a kill (metrics are per attempt)
    await admin.createTopics({
      topics: [
        { topic: 'bad.input', numPartitions: 2 },
        { topic: 'bad.output', numPartitions: 2 },
        { topic: 'bad.malformed', numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
    await fillSequences(producer, 'bad.input', 2, M / 2, 10);
    const sent = await producer.send({
      topic: 'bad.input',
      messages: MALFORMED.map((value, i) => ({ partition: i % 2, key: 'bad', value })),
    });
    // where each malformed record landed: kafkajs reports each partition's base offset, in send order per partition
    const where = MALFORMED.map((_, i) => {
      const base = Number(sent.find((s) => s.partition === i % 2)!.baseOffset);
      return `bad.input/${i % 2}@${base + Math.floor(i / 2)}`;
    }).sort();
    await fillSequences(producer, 'bad.input', 2, M / 2, 10, M / 2);
    const r2 = await runCli(t, [
      'run',
      '-m',
      c.restUrl,
      '-p',
      '2',
      'jobs/keyed-sequence-check.ts',
      '-',
      String(M),
      '0',
      '10',
      '300',
      '--kafka',
      b.address,
      '--topic-prefix',
      'bad',
      '--bounded',
    ]);
    t.equal(r2.code, 0, r2.stderr);
    const badJob = jobIdOf(r2.stdout);
    t.equal(await c.rest.waitForTerminal(badJob, 30_000), 'FINISHED', 'the job with malformed input FINISHED');
    const bad = checkSequences(await readToEnd(t, k, producer, 'bad.output', 2), M, 10);
    t.same(
      { missing: bad.missing, duplicates: bad.duplicates, total: bad.total },
      { missing: 0, duplicates: 0, total: M },
      'every valid record around the malformed ones exactly once',
    );
    const job = await c.rest.call<{ vertices: Array<{ id: string; name: string; parallelism: number }> }>(
      'GET',
      `/jobs/${badJob}`,
    );
    const source = job.vertices.find((v) => v.name.includes('kafka-input'));
    t.ok(source, 'the source vertex');
    const ids = Array.from({ length: source!.parallelism }, (_, i) => `${i}.numMalformedRecords`).join(',');
    const m = await c.rest.call<Array<{ id: string; value: string }>>(
      'GET',
      `/jobs/${badJob}/vertices/${source!.id}/metrics?get=${ids}`,
    );
    t.equal(
      m.reduce((n, x) => n + Number(x.value), 0),
      MALFORMED.length,
      `the ${MALFORMED.length} malformed records were counted (numMalformedRecords)`,
    );
    const side = await readToEndAs(
      t,
      k,
      producer,
      'bad.malformed',
      1,
      {},
      (v) => JSON.parse(v) as { topic: string; partition: number; offset: number; reason: string },
    );
    t.same(
      side.map((s) => `${s.topic}/${s.partition}@${s.offset}`).sort(),
      where,
      'each malformed record is on the side output with its topic, partition and offset',
    );
    t.ok(
      side.every((s) => /could not be deserialized/.test(s.reason)),
      'each with the reason',
    );
    t.comment(`test took ${Date.now() - started} ms`);
  },
);
