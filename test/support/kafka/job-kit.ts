/**
 * Helpers for the integration tests that run jobs/keyed-sequence-check.ts in Kafka mode on a mini cluster:
 * fill the input topic with per-key sequences, read the output topic to its end under read_committed
 * (sentinel records make "the end" a condition, not a sleep), check the output for loss, duplicates and
 * per-key order, and SIGKILL busy task workers.
 *
 * Invariants: input record i is `{key: k<i % keys>, seq: ⌊i / keys⌋}` in partition (i % keys) % partitions,
 * so each key lives in one input partition in sequence order; an output line is `key,seq,n`. A read is
 * complete only when a sentinel appended after the job ended has been seen on every partition, so every
 * committed record before it has been delivered.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { TestCluster } from '../cluster-harness.js';
import { completedCheckpoints, waitFor } from '../cluster-harness.js';

export { completedCheckpoints, jobIdOf } from '../cluster-harness.js';
import { controlIsCommit, scanLog } from './protocol/record-batch.js';
import { consumer, type Teardown } from './test-kit.js';

export const SENTINEL = '__end__';

/** Creates `<prefix>.input` and `<prefix>.output` with `partitions` partitions each. */
export async function createSeqTopics(admin: Admin, prefix: string, partitions: number): Promise<void> {
  await admin.createTopics({
    topics: [
      { topic: `${prefix}.input`, numPartitions: partitions },
      { topic: `${prefix}.output`, numPartitions: partitions },
    ],
    waitForLeaders: true,
  });
}

/** Cluster arguments: jobs restart with a fixed delay (`attempts`, `delayMs`) and checkpoint into `checkpointDir`. */
export function restartingClusterArgs(checkpointDir: string, attempts: number, delayMs: number): string[] {
  return [
    '-D',
    'restart-strategy.type=fixed-delay',
    '-D',
    `restart-strategy.fixed-delay.attempts=${attempts}`,
    '-D',
    `restart-strategy.fixed-delay.delay=${delayMs} ms`,
    '-D',
    `execution.checkpointing.dir=${checkpointDir}`,
  ];
}

/** Produces `n` sequence records over `keys` keys into `partitions` partitions (acks=all). */
export async function fillSequences(
  producer: Producer,
  topic: string,
  partitions: number,
  n: number,
  keys: number,
  from = 0,
): Promise<void> {
  const perPartition: Array<Array<{ key: string; value: string; partition: number }>> = Array.from(
    { length: partitions },
    () => [],
  );
  for (let i = from; i < from + n; i++) {
    const key = `k${i % keys}`;
    const partition = (i % keys) % partitions;
    perPartition[partition]!.push({ key, value: JSON.stringify({ key, seq: Math.floor(i / keys) }), partition });
  }
  const sends: Array<Promise<unknown>> = [];
  for (const list of perPartition) {
    sends.push(
      (async () => {
        for (let k = 0; k < list.length; k += 2000)
          await producer.send({ topic, acks: -1, messages: list.slice(k, k + 2000) });
      })(),
    );
  }
  await Promise.all(sends);
}

export interface OutputRow {
  partition: number;
  offset: number;
  key: string;
  seq: number;
  n: number;
}

/**
 * Appends a sentinel to every partition of `topic`, then reads the topic from the beginning (read_committed
 * unless `readUncommitted`) until each partition's sentinel arrived; returns the other records.
 */
export async function readToEnd(
  t: Teardown,
  k: Kafka,
  producer: Producer,
  topic: string,
  partitions: number,
  opts: { readUncommitted?: boolean; timeoutMs?: number } = {},
): Promise<OutputRow[]> {
  return readToEndAs(t, k, producer, topic, partitions, opts, (v, partition, offset) => {
    const [key, seq, n] = v.split(',');
    return { partition, offset, key: key!, seq: Number(seq), n: Number(n) };
  });
}

/** readToEnd with a parser of each value (record values are UTF-8). */
export async function readToEndAs<R>(
  t: Teardown,
  k: Kafka,
  producer: Producer,
  topic: string,
  partitions: number,
  opts: { readUncommitted?: boolean; timeoutMs?: number },
  parse: (value: string, partition: number, offset: number) => R,
): Promise<R[]> {
  const mark = `${SENTINEL}${Math.random().toString(16).slice(2)}`;
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: partitions }, (_, partition) => ({ partition, key: SENTINEL, value: mark })),
  });
  const rows: R[] = [];
  const ended = new Set<number>();
  const c = consumer(t, k, `check-${topic}-${Math.random().toString(16).slice(2)}`, {
    readUncommitted: opts.readUncommitted ?? false,
    maxBytesPerPartition: 4 << 20,
  });
  await c.connect();
  await c.subscribe({ topics: [topic], fromBeginning: true });
  await c.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        const v = m.value?.toString() ?? '';
        if (v.startsWith(SENTINEL)) {
          if (v === mark) ended.add(batch.partition);
          continue; // this read's end marker, or an earlier read's
        }
        rows.push(parse(v, batch.partition, Number(m.offset)));
      }
    },
  });
  await waitFor(
    `every partition of ${topic} read to its sentinel (${ended.size}/${partitions}, ${rows.length} records)`,
    () => ended.size === partitions,
    opts.timeoutMs ?? 30_000,
    20,
  );
  await c.disconnect();
  return rows;
}

export interface SequenceReport {
  total: number;
  distinct: number;
  /** Records seen more than once (same key and seq). */
  duplicates: number;
  /** (key, seq) pairs of the input that never arrived. */
  missing: number;
  /** Keys whose output lines are spread over more than one partition. */
  splitKeys: number;
  /** Per key, a line whose seq is lower than the previous distinct line of the key (in offset order). */
  orderViolations: number;
  /** Lines whose running count n is not seq + 1 (state not restored exactly); only meaningful without duplicates. */
  countMismatches: number;
}

/** Checks output rows against the input: `n` records over `keys` keys (seq 0..⌈n/keys⌉-1 per key). */
export function checkSequences(rows: OutputRow[], n: number, keys: number): SequenceReport {
  const byKey = new Map<string, OutputRow[]>();
  for (const r of [...rows].sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
    let list = byKey.get(r.key);
    if (!list) byKey.set(r.key, (list = []));
    list.push(r);
  }
  let duplicates = 0;
  let missing = 0;
  let splitKeys = 0;
  let orderViolations = 0;
  let countMismatches = 0;
  let distinct = 0;
  for (let k = 0; k < keys; k++) {
    const list = byKey.get(`k${k}`) ?? [];
    const expected = Math.floor(n / keys) + (k < n % keys ? 1 : 0);
    if (new Set(list.map((r) => r.partition)).size > 1) splitKeys++;
    const seen = new Set<number>();
    let high = -1;
    for (const r of list) {
      if (seen.has(r.seq)) {
        duplicates++;
        continue;
      }
      seen.add(r.seq);
      if (r.seq < high) orderViolations++;
      high = Math.max(high, r.seq);
      if (r.n !== r.seq + 1) countMismatches++;
    }
    distinct += seen.size;
    for (let s = 0; s < expected; s++) if (!seen.has(s)) missing++;
  }
  for (const key of byKey.keys())
    if (!/^k\d+$/.test(key) || Number(key.slice(1)) >= keys) distinct += byKey.get(key)!.length; // unexpected keys count as extra
  return { total: rows.length, distinct, duplicates, missing, splitKeys, orderViolations, countMismatches };
}

export async function jobStatus(c: TestCluster, jobId: string): Promise<string> {
  return (await c.rest.call<{ status: string }>('GET', `/jobs/${jobId}/status`)).status;
}

/** Waits for a checkpoint completed after this call while the job runs (false if the job ended first). */
export async function nextCheckpoint(c: TestCluster, jobId: string, timeoutMs = 30_000): Promise<boolean> {
  const before = await completedCheckpoints(c, jobId);
  return waitFor(
    'a new completed checkpoint while RUNNING',
    async () => {
      const status = await jobStatus(c, jobId);
      if (['FINISHED', 'FAILED', 'CANCELED'].includes(status)) return 'ended';
      return (await completedCheckpoints(c, jobId)) > before && status === 'RUNNING' ? 'next' : false;
    },
    timeoutMs,
  ).then((r) => r === 'next');
}

/** SIGKILLs one task worker that runs tasks of the job and starts a replacement; false when none is busy. */
export async function killBusyWorker(c: TestCluster): Promise<boolean> {
  const tms = await c.rest.call<{ taskmanagers: Array<{ id: string; slotsNumber: number; freeSlots: number }> }>(
    'GET',
    '/taskmanagers',
  );
  const busy = new Set(tms.taskmanagers.filter((tm) => tm.freeSlots < tm.slotsNumber).map((tm) => tm.id));
  const victims = c.mini.workers.filter(
    (w) => w.child.exitCode === null && w.child.signalCode === null && busy.has(String(w.ready.workerId)),
  );
  if (victims.length === 0) return false;
  victims[Math.floor(Math.random() * victims.length)]!.kill('SIGKILL');
  await c.mini.addWorker();
  return true;
}

/**
 * Transaction outcome of every offset of a partition, from the broker's segment file (the log as
 * written, independent of any consumer's filtering): 'committed', 'aborted', 'open' or 'plain'
 * (non-transactional). Control records are absent from the map.
 */
export function offsetOutcomes(
  brokerDir: string,
  topic: string,
  partition: number,
): Map<number, 'committed' | 'aborted' | 'open' | 'plain'> {
  const { batches } = scanLog(
    readFileSync(join(brokerDir, 'logs', `${topic}-${partition}`, '00000000000000000000.log')),
  );
  const out = new Map<number, 'committed' | 'aborted' | 'open' | 'plain'>();
  const pending = new Map<number, number[]>();
  for (const b of batches) {
    const offsets = Array.from({ length: b.lastOffsetDelta + 1 }, (_, i) => b.baseOffset + i);
    if (b.isControl) {
      const outcome = controlIsCommit(b) ? 'committed' : 'aborted';
      for (const o of pending.get(b.producerId) ?? []) out.set(o, outcome);
      pending.delete(b.producerId);
    } else if (b.isTransactional) {
      let list = pending.get(b.producerId);
      if (!list) pending.set(b.producerId, (list = []));
      for (const o of offsets) {
        list.push(o);
        out.set(o, 'open');
      }
    } else for (const o of offsets) out.set(o, 'plain');
  }
  return out;
}
