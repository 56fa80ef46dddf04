/**
 * Helpers for tests that use the test broker through kafkajs: a broker, clients and consumers that are
 * closed in teardown (also when the test fails), quiet logging, and a condition wait with a deadline (no
 * sleeps as synchronisation), with kafkajs's read_committed filter corrected as in the connectors
 * (operators/connectors/kafka/kafkajs-read-committed.ts). Takes any object with `teardown(fn)`, so it does not depend on tap.
 */
import { Kafka, logLevel, type Consumer, type Producer, type Admin, type KafkaConfig } from 'kafkajs';
import { installReadCommittedFix } from '../../../operators/connectors/kafka/kafkajs-read-committed.js';
import { startKafkaBroker, type KafkaBroker, type KafkaBrokerOptions } from './index.js';

export interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function broker(t: Teardown, opts: KafkaBrokerOptions = {}): Promise<KafkaBroker> {
  const b = await startKafkaBroker(opts);
  t.teardown(() => b.close());
  return b;
}

/** A kafkajs client for the broker; its read_committed consumers use the connectors' corrected filter. */
export function kafka(b: KafkaBroker, clientId = 'test', extra: Partial<KafkaConfig> = {}): Kafka {
  installReadCommittedFix();
  return new Kafka({
    clientId,
    brokers: [b.address],
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 50, maxRetryTime: 1000 },
    ...extra,
  });
}

export async function producer(t: Teardown, k: Kafka, cfg: Parameters<Kafka['producer']>[0] = {}): Promise<Producer> {
  const p = k.producer(cfg);
  t.teardown(() => p.disconnect().catch(() => undefined));
  await p.connect();
  return p;
}

export async function admin(t: Teardown, k: Kafka): Promise<Admin> {
  const a = k.admin();
  t.teardown(() => a.disconnect().catch(() => undefined));
  await a.connect();
  return a;
}

export function consumer(
  t: Teardown,
  k: Kafka,
  groupId: string,
  extra: Partial<Parameters<Kafka['consumer']>[0]> = {},
): Consumer {
  const c = k.consumer({
    groupId,
    maxWaitTimeInMs: 100,
    heartbeatInterval: 300,
    sessionTimeout: 6000,
    rebalanceTimeout: 6000,
    ...extra,
  });
  t.teardown(() => c.disconnect().catch(() => undefined));
  return c;
}

export async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Runs a consumer from the beginning of `topics`, collecting "partition:offset:value" until `count` arrived. */
export async function collect(
  c: Consumer,
  topics: string[],
  count: number,
  what: string,
): Promise<Array<{ partition: number; offset: number; key: string | null; value: string }>> {
  const seen: Array<{ partition: number; offset: number; key: string | null; value: string }> = [];
  await c.connect();
  await c.subscribe({ topics, fromBeginning: true });
  await c.run({
    eachMessage: async ({ partition, message }) => {
      seen.push({
        partition,
        offset: Number(message.offset),
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? '',
      });
    },
  });
  await until(() => seen.length >= count, `${what}: ${count} messages (have ${seen.length})`);
  return seen;
}
