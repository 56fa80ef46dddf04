/**
 * Creates kafkajs clients from a connector's bootstrap servers and string properties (Kafka's property
 * names where a kafkajs equivalent exists). Shared by source and sink so both read the same keys.
 *
 * Properties read here: `client.id`, `request.timeout.ms`, `retries`, `retry.backoff.ms`,
 * `kafkajs.log.level` (NOTHING | ERROR | WARN | INFO | DEBUG; default ERROR).
 * Invariants: a client is created per reader/writer/committer and disconnected by its owner; creating
 * one installs the read_committed fix for kafkajs (kafkajs-read-committed.ts), so no connector consumer
 * uses kafkajs's aborted-transaction filter.
 */
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { SluiceError } from '../../../runtime/errors/catalogue.js';
import { installReadCommittedFix } from './kafkajs-read-committed.js';

export type KafkaProperties = Readonly<Record<string, string>>;

const LEVELS: Record<string, logLevel> = {
  NOTHING: logLevel.NOTHING,
  ERROR: logLevel.ERROR,
  WARN: logLevel.WARN,
  INFO: logLevel.INFO,
  DEBUG: logLevel.DEBUG,
};

export function parseBootstrapServers(servers: string | string[]): string[] {
  const list = (Array.isArray(servers) ? servers : servers.split(',')).map((s) => s.trim()).filter(Boolean);
  if (!list.length) throw new SluiceError('KAFKA_CONFIG', 'Kafka connector: bootstrap servers are empty');
  for (const s of list) {
    if (!/^[^\s:]+:\d+$/.test(s))
      throw new SluiceError('KAFKA_CONFIG', `Kafka connector: bootstrap server "${s}" is not host:port`);
  }
  return list;
}

export function intProperty(props: KafkaProperties, key: string, fallback: number): number {
  const raw = props[key];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0)
    throw new SluiceError('KAFKA_CONFIG', `Kafka connector: property ${key}=${raw} is not a non-negative number`);
  return n;
}

export function boolProperty(props: KafkaProperties, key: string, fallback: boolean): boolean {
  const raw = props[key];
  if (raw === undefined) return fallback;
  if (raw !== 'true' && raw !== 'false')
    throw new SluiceError('KAFKA_CONFIG', `Kafka connector: property ${key}=${raw} is not true/false`);
  return raw === 'true';
}

export function createKafka(brokers: string[], props: KafkaProperties, clientIdSuffix: string): Kafka {
  installReadCommittedFix();
  const level = (props['kafkajs.log.level'] ?? 'ERROR').toUpperCase();
  if (!(level in LEVELS))
    throw new SluiceError(
      'KAFKA_CONFIG',
      `Kafka connector: kafkajs.log.level=${level} is not one of ${Object.keys(LEVELS).join(', ')}`,
    );
  const config: KafkaConfig = {
    clientId: `${props['client.id'] ?? 'sluice'}-${clientIdSuffix}`,
    brokers,
    logLevel: LEVELS[level],
    requestTimeout: intProperty(props, 'request.timeout.ms', 30_000),
    retry: {
      retries: intProperty(props, 'retries', 8),
      initialRetryTime: intProperty(props, 'retry.backoff.ms', 100),
      maxRetryTime: 5_000,
    },
  };
  return new Kafka(config);
}
