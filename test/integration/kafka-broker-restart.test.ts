/**
 * Kafka broker restart mid-run: jobs/keyed-sequence-check.ts in Kafka mode
 * (`--bounded`, EXACTLY_ONCE sink, checkpoints every 300 ms, reading rate-limited) on 2 task worker processes; once a
 * checkpoint has completed the broker is stopped, and started again on the same port and directory after
 * the job has noticed (a failover or a failed checkpoint). The job fails over under its restart strategy,
 * restores from its latest checkpoint and finishes; the read_committed output holds every record exactly
 * once in per-key order, and the broker log itself (read from its segment files) holds exactly one
 * committed copy of each.
 */
import t from 'tap';
import { startCluster, submitDetached, tempDirs, waitFor } from '../support/cluster-harness.js';
import * as kit from '../support/kafka/test-kit.js';
import {
  checkSequences,
  createSeqTopics,
  fillSequences,
  nextCheckpoint,
  offsetOutcomes,
  readToEnd,
  restartingClusterArgs,
} from '../support/kafka/job-kit.js';

const N = 40_000;
const KEYS = 40;
const PARTITIONS = 4;
/** Records per second per source subtask: the job needs ≥ 8 s, so the broker stops while it runs. */
const RATE = 2_500;

t.test(
  'the broker stops and restarts while the job runs: the job recovers and the output is exactly once',
  async (t) => {
    const started = Date.now();
    const [ckpt, kdir] = tempDirs(t, 'kafka-br-ckpt', 'kafka-br-broker');
    const b1 = await kit.broker(t, { dir: kdir! });
    const k1 = kit.kafka(b1);
    const admin = await kit.admin(t, k1);
    await createSeqTopics(admin, 'br', PARTITIONS);
    const p1 = await kit.producer(t, k1);
    await fillSequences(p1, 'br.input', PARTITIONS, N, KEYS);
    await admin.disconnect();
    await p1.disconnect();

    const c = await startCluster(t, {
      workers: 2,
      slots: 2,
      extraArgs: restartingClusterArgs(ckpt!, 60, 250),
    });
    const jobId = await submitDetached(t, c.restUrl, [
      'jobs/keyed-sequence-check.ts',
      '-',
      String(N),
      String(RATE),
      String(KEYS),
      '300',
      '--kafka',
      b1.address,
      '--topic-prefix',
      'br',
      '--bounded',
      // kafkajs gives up after ~0.3 s instead of ~30 s: the job notices the lost broker sooner (test time)
      '--kafka-property',
      'retries=2',
    ]);
    t.ok(await nextCheckpoint(c, jobId), 'a checkpoint completed while the job ran');

    const health = async () => {
      const ex = await c.rest.call<{ exceptionHistory: { entries: unknown[] } }>('GET', `/jobs/${jobId}/exceptions`);
      const ck = await c.rest.call<{ counts: { failed: number } }>('GET', `/jobs/${jobId}/checkpoints`);
      return { failovers: ex.exceptionHistory.entries.length, failedCheckpoints: ck.counts.failed };
    };
    const before = await health();
    await b1.close();
    const down = Date.now();
    const noticed = await waitFor(
      'the job to notice the broker is gone',
      async () => {
        const h = await health();
        return h.failovers > before.failovers || h.failedCheckpoints > before.failedCheckpoints ? h : false;
      },
      60_000,
    );
    t.pass(`the job noticed after ${Date.now() - down} ms: ${JSON.stringify(noticed)}`);
    const b2 = await kit.broker(t, { port: b1.port, dir: kdir! });
    t.equal(b2.address, b1.address, 'restarted on the same address');
    t.comment(`broker down for ${Date.now() - down} ms`);

    const status = await c.rest.waitForTerminal(jobId, 90_000);
    if (status !== 'FINISHED') t.comment(c.lines.slice(-20).join('\n'));
    t.equal(status, 'FINISHED', 'the job FINISHED');
    const after = await health();
    t.comment(`failovers: ${after.failovers}, failed checkpoints: ${after.failedCheckpoints}`);
    t.ok(after.failovers > before.failovers, 'the job failed over while the broker was away');

    const k2 = kit.kafka(b2, 'after-restart');
    const p2 = await kit.producer(t, k2);
    const rows = await readToEnd(t, k2, p2, 'br.output', PARTITIONS);
    const report = checkSequences(rows, N, KEYS);
    t.comment(`read_committed output: ${JSON.stringify(report)}`);
    t.equal(report.missing, 0, 'no record lost');
    t.equal(report.duplicates, 0, 'no record duplicated');
    t.equal(report.total, N, `exactly ${N} records visible`);
    t.equal(report.orderViolations, 0, 'per-key order intact');
    t.equal(report.countMismatches, 0, 'counts continue exactly from restored state');
    let committedInLog = 0;
    for (let p = 0; p < PARTITIONS; p++)
      for (const v of offsetOutcomes(kdir!, 'br.output', p).values()) if (v === 'committed') committedInLog++;
    t.equal(committedInLog, N, `the broker log holds exactly ${N} committed output records`);
    t.comment(`test took ${Date.now() - started} ms`);
  },
);
