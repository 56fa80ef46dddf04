/**
 * Kafka AT_LEAST_ONCE under a worker kill, and malformed input at job level (issue 6 acceptance):
 * jobs/keyed-sequence-check.ts in Kafka mode with `--delivery-guarantee AT_LEAST_ONCE` (`--bounded`,
 * checkpoints every 300 ms) on 2 task worker processes; a busy worker is SIGKILLed once a checkpoint has
 * completed. The input topic also holds undecodable records in the middle of a partition. The output then
 * holds every valid record at least once (duplicates allowed and counted), per key in order of first
 * appearance, with counts from restored state; the malformed records are counted by the source's
 * numMalformedRecords metric and the job finishes.
 */
import t from 'tap';
import { runCli, startCluster, tempDirs, waitFor } from '../support/cluster-harness.js';
import * as kit from '../support/kafka/test-kit.js';
import { checkSequences, fillSequences, jobIdOf, killBusyWorker, nextCheckpoint, readToEnd } from '../support/kafka/job-kit.js';

const N = 30_000;
const KEYS = 30;
const PARTITIONS = 4;
const MALFORMED = ['not json', '{"key":"k1"}', '{"seq":3}', ''];

t.test('AT_LEAST_ONCE under a worker kill loses nothing; malformed records are counted and skipped', async (t) => {
  const started = Date.now();
  const [ckpt] = tempDirs(t, 'kafka-alo-ckpt');
  const b = await kit.broker(t);
  const k = kit.kafka(b);
  const admin = await kit.admin(t, k);
  await admin.createTopics({ topics: [{ topic: 'alo.input', numPartitions: PARTITIONS }, { topic: 'alo.output', numPartitions: PARTITIONS }], waitForLeaders: true });
  const producer = await kit.producer(t, k);
  await fillSequences(producer, 'alo.input', PARTITIONS, N / 2, KEYS);
  await producer.send({ topic: 'alo.input', messages: MALFORMED.map((value, i) => ({ partition: i % 2, key: 'bad', value })) });
  await fillSequences(producer, 'alo.input', PARTITIONS, N / 2, KEYS, N / 2);

  const c = await startCluster(t, {
    workers: 2,
    slots: 2,
    extraArgs: ['-D', 'restart-strategy.type=fixed-delay', '-D', 'restart-strategy.fixed-delay.attempts=10', '-D', 'restart-strategy.fixed-delay.delay=100 ms', '-D', `execution.checkpointing.dir=${ckpt!}`],
  });
  const r = await runCli(t, ['run', '-d', '-m', c.restUrl, '-p', '2', 'jobs/keyed-sequence-check.ts', '-', String(N), '0', String(KEYS), '300', '--kafka', b.address, '--topic-prefix', 'alo', '--bounded', '--delivery-guarantee', 'AT_LEAST_ONCE']);
  t.equal(r.code, 0, r.stderr);
  const jobId = jobIdOf(r.stdout);
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

  // the source vertex counted the malformed records (some may be counted again after the replay)
  const job = await c.rest.call<{ vertices: Array<{ id: string; name: string; parallelism: number }> }>('GET', `/jobs/${jobId}`);
  const source = job.vertices.find((v) => v.name.includes('kafka-input'))!;
  t.ok(source, 'the source vertex');
  const malformed = await waitFor('numMalformedRecords of the source', async () => {
    const ids = Array.from({ length: source.parallelism }, (_, i) => `${i}.numMalformedRecords`).join(',');
    const m = await c.rest.call<Array<{ id: string; value: string }>>('GET', `/jobs/${jobId}/vertices/${source.id}/metrics?get=${ids}`);
    return m.length ? m.reduce((n, x) => n + Number(x.value), 0) : false;
  }, 10_000);
  t.ok(malformed >= MALFORMED.length, `the malformed records were reported (${malformed} ≥ ${MALFORMED.length})`);
  t.comment(`test took ${Date.now() - started} ms`);
});
