/**
 * The chaos driver's Kafka mode: the test broker (in-process, on disk), the job's input topic filled before
 * the run (`chaos.input`, keyed so a key stays in one partition, in order), the broker-restart fault (stop,
 * wait until the job notices, start again on the same port and directory), and the verdict read back from
 * `chaos.output` with read_committed, in the checker's terms.
 *
 * Invariant: the broker and every client are closed through the driver's teardown list.
 */
import { join } from 'node:path';
import type { TestCluster } from '../cluster-harness.js';
import { waitFor } from '../cluster-harness.js';
import { checkSequences, createSeqTopics, fillSequences, readToEnd } from '../kafka/job-kit.js';
import type { KafkaBroker } from '../kafka/index.js';
import * as kit from '../kafka/test-kit.js';
import type { Verdict } from './checker.js';

export const PREFIX = 'chaos';
const PARTITIONS = 4;

export interface KafkaSide {
  /** The job's arguments after its positional ones. */
  jobArgs(): string[];
  /** Stops the broker, waits until the job noticed, starts it again on the same address. */
  restartBroker(c: TestCluster, jobId: string, note: (s: string) => void): Promise<void>;
  /** The committed output, judged like the file output. */
  verdict(records: number, keys: number): Promise<Verdict>;
}

export async function startKafkaSide(t: kit.Teardown, base: string, records: number, keys: number): Promise<KafkaSide> {
  const dir = join(base, 'broker');
  let b: KafkaBroker = await kit.broker(t, { dir });
  const k = kit.kafka(b, 'chaos-fill');
  const admin = await kit.admin(t, k);
  await createSeqTopics(admin, PREFIX, PARTITIONS);
  const p = await kit.producer(t, k);
  await fillSequences(p, `${PREFIX}.input`, PARTITIONS, records, keys);
  await admin.disconnect();
  await p.disconnect();
  return {
    // retries=2: a lost broker fails the job over in ~0.3 s instead of kafkajs's ~30 s of retries
    jobArgs: () => ['--kafka', b.address, '--topic-prefix', PREFIX, '--bounded', '--kafka-property', 'retries=2'],
    async restartBroker(c, jobId, note) {
      const health = async () => {
        const ex = await c.rest.call<{ exceptionHistory: { entries: unknown[] } }>('GET', `/jobs/${jobId}/exceptions`);
        const ck = await c.rest.call<{ counts: { failed: number } }>('GET', `/jobs/${jobId}/checkpoints`);
        return ex.exceptionHistory.entries.length + ck.counts.failed;
      };
      const before = await health();
      const port = b.port;
      await b.close();
      const down = Date.now();
      try {
        await waitFor('the job to notice the broker is gone', async () => (await health()) > before, 60_000);
      } finally {
        b = await kit.broker(t, { port, dir });
        note(`broker-restart: down for ${Date.now() - down} ms`);
      }
    },
    async verdict(n, keysCount) {
      const k2 = kit.kafka(b, 'chaos-check');
      const p2 = await kit.producer(t, k2);
      const rows = await readToEnd(t, k2, p2, `${PREFIX}.output`, PARTITIONS);
      await p2.disconnect();
      const r = checkSequences(rows, n, keysCount);
      return {
        expected: n,
        committed: r.total,
        lost: r.missing,
        duplicated: r.duplicates,
        outOfOrder: r.orderViolations,
        stateInconsistent: r.countMismatches,
        // a key split over partitions, or records outside the input's keys and sequence numbers
        unexpected: r.splitKeys + Math.max(0, r.distinct - (n - r.missing)),
      };
    },
  };
}
