/**
 * The jobs' Kafka mode end to end on a mini cluster (2 task worker processes): `--feed-only` writes a job's
 * generated input into its input topic and ends; `--bounded` then reads that topic up to the offsets at
 * its start and ends. keyed-counts: every key's counts 1..n exactly once, in order, in one partition;
 * keyed-sequence-check: the generator's per-key sequences arrive exactly once in order with their counts.
 */
import t from 'tap';
import { runCli, startCluster, tempDirs } from '../support/cluster-harness.js';
import * as kit from '../support/kafka/test-kit.js';
import { checkSequences, readToEnd } from '../support/kafka/job-kit.js';

t.test('--feed-only then --bounded: keyed-counts and keyed-sequence-check through topics', async (t) => {
  const started = Date.now();
  const [ckpt] = tempDirs(t, 'kafka-modes-ckpt');
  const b = await kit.broker(t);
  const k = kit.kafka(b);
  const admin = await kit.admin(t, k);
  const topics = ['kc.events', 'kc.counts', 'ks.input', 'ks.output'];
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: true });
  const producer = await kit.producer(t, k);
  const c = await startCluster(t, { workers: 2, slots: 2, extraArgs: ['-D', `execution.checkpointing.dir=${ckpt!}`] });
  const run = async (args: string[]) => {
    const r = await runCli(t, ['run', '-m', c.restUrl, '-p', '2', ...args, '--kafka', b.address]);
    t.equal(r.code, 0, `sluice run ${args.join(' ')}${r.code === 0 ? '' : `\n${r.stderr}`}`);
    t.match(r.stdout, /has finished/, 'the job ended by itself');
  };

  // keyed-counts: 1000 events over 10 keys
  await run(['jobs/keyed-counts.ts', '1000', '10', '--topic-prefix', 'kc', '--feed-only']);
  await run(['jobs/keyed-counts.ts', '1000', '10', '--topic-prefix', 'kc', '--bounded']);
  const counts = await readToEnd(t, k, producer, 'kc.counts', 3);
  const perKey = new Map<string, { partitions: Set<number>; counts: number[] }>();
  for (const r of counts.sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
    const e = perKey.get(r.key) ?? { partitions: new Set<number>(), counts: [] };
    e.partitions.add(r.partition);
    e.counts.push(r.seq); // a keyed-counts line is `key,count`
    perKey.set(r.key, e);
  }
  t.equal(counts.length, 1000, 'one count line per event');
  t.same([...perKey.keys()].sort(), Array.from({ length: 10 }, (_, i) => `key-${i}`).sort(), 'every key');
  t.ok(
    [...perKey.values()].every((e) => e.partitions.size === 1),
    'each key in one output partition',
  );
  t.ok(
    [...perKey.values()].every((e) => e.counts.every((n, i) => n === i + 1) && e.counts.length === 100),
    'per key: counts 1..100 exactly once, in order',
  );

  // keyed-sequence-check: the generator feeds 3000 records over 15 keys (EXACTLY_ONCE, checkpointed)
  await run(['jobs/keyed-sequence-check.ts', '-', '3000', '6000', '15', '200', '--topic-prefix', 'ks', '--feed-only']);
  await run(['jobs/keyed-sequence-check.ts', '-', '3000', '0', '15', '200', '--topic-prefix', 'ks', '--bounded']);
  const report = checkSequences(await readToEnd(t, k, producer, 'ks.output', 3), 3000, 15);
  t.same(
    report,
    { total: 3000, distinct: 3000, duplicates: 0, missing: 0, splitKeys: 0, orderViolations: 0, countMismatches: 0 },
    'fed sequences processed exactly once, in order, with counts',
  );
  t.comment(`test took ${Date.now() - started} ms`);
});
