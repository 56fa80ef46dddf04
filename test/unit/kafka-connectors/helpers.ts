/**
 * Shared helpers of the Kafka connector tests: a topic with N partitions filled with "p<partition>-<i>"
 * records (timestamps chosen per record), quiet connector properties, and a fake ReaderOutput that
 * records which split output each record went through.
 */
import type { Admin, Producer } from 'kafkajs';
import type { InputStatus, ReaderOutput, SourceReader } from '../../../runtime/api/source.js';

export const QUIET = {
  'kafkajs.log.level': 'NOTHING',
  retries: '5',
  'retry.backoff.ms': '50',
  'fetch.max.wait.ms': '50',
} as const;

export function quiet<B extends { setProperty(k: string, v: string): B }>(b: B): B {
  for (const [k, v] of Object.entries(QUIET)) b.setProperty(k, v);
  return b;
}

export async function createTopic(admin: Admin, topic: string, numPartitions: number): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
}

/** Produces `perPartition` records to each partition: value `p<p>-<i>`, key `k<i>`, timestamp ts(p, i). */
export async function fill(
  producer: Producer,
  topic: string,
  partitions: number,
  perPartition: number,
  ts: (p: number, i: number) => number = (_p, i) => 1_000 + i,
): Promise<void> {
  for (let p = 0; p < partitions; p++) {
    const messages = Array.from({ length: perPartition }, (_, i) => ({
      partition: p,
      key: `k${i}`,
      value: `p${p}-${i}`,
      timestamp: String(ts(p, i)),
    }));
    for (let k = 0; k < messages.length; k += 500) await producer.send({ topic, messages: messages.slice(k, k + 500) });
  }
}

export interface Emitted<T> {
  split: string;
  value: T;
  timestamp: number | undefined;
}

/** A ReaderOutput that records the split output each record was emitted through. */
export function recordingOutput<T>(): {
  output: ReaderOutput<T>;
  emitted: Emitted<T>[];
  released: string[];
  idle: number;
} {
  const emitted: Emitted<T>[] = [];
  const released: string[] = [];
  const state = { idle: 0 };
  const output: ReaderOutput<T> = {
    collect: (value, timestamp) => emitted.push({ split: '<none>', value, timestamp }),
    createOutputForSplit: (split) => ({
      collect: (value, timestamp) => emitted.push({ split, value, timestamp }),
      markIdle: () => state.idle++,
    }),
    releaseOutputForSplit: (split) => released.push(split),
    markIdle: () => state.idle++,
  };
  return {
    output,
    emitted,
    released,
    get idle() {
      return state.idle;
    },
  };
}

/** Drives a reader until `done(emitted)` or END_OF_INPUT, waiting on isAvailable (deadline, no sleeps). */
export async function pollUntil<T>(
  reader: SourceReader<T, unknown>,
  output: ReaderOutput<T>,
  done: () => boolean,
  what: string,
  ms = 20_000,
): Promise<InputStatus> {
  const end = Date.now() + ms;
  for (;;) {
    const status = reader.pollNext(output);
    if (status === 'END_OF_INPUT' || done()) return status;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    if (status === 'NOTHING_AVAILABLE') {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        reader.isAvailable(),
        new Promise((r) => (timer = setTimeout(r, Math.max(1, end - Date.now())))),
      ]);
      clearTimeout(timer);
    }
  }
}

export const readerContext = (subtaskIndex = 0, parallelism = 1, malformed: unknown[] = []) => ({
  subtaskIndex,
  parallelism,
  jobConfig: {},
  reportMalformed: (raw: unknown, reason: string) => malformed.push({ raw, reason }),
});
