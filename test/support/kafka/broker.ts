/**
 * startKafkaBroker: wires the stores, coordinators and request handlers into a TCP server on 127.0.0.1 —
 * a single-node Kafka wire-protocol broker for tests and local demos (not a production broker).
 * Invariants: the advertised host/port in Metadata and FindCoordinator are the ones actually bound (port 0
 * resolves to the ephemeral port before the first client connects); `close()` stops accepting, destroys
 * every client connection, wakes long polls, stops timers and closes the log files, and is idempotent.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { ApiKey } from './protocol/api-keys.js';
import { Connection } from './connection.js';
import { GroupCoordinator } from './group-coordinator.js';
import { LogStore } from './log-store.js';
import { MetadataStore } from './metadata-store.js';
import { TransactionCoordinator } from './transaction-coordinator.js';
import type { BrokerContext, Handler } from './handlers/context.js';
import { apiVersions, createTopics, deleteTopics, metadata } from './handlers/metadata.js';
import { produce } from './handlers/produce.js';
import { fetch } from './handlers/fetch.js';
import { listOffsets } from './handlers/list-offsets.js';
import {
  describeGroups,
  findCoordinator,
  heartbeat,
  joinGroup,
  leaveGroup,
  offsetCommit,
  offsetFetch,
  syncGroup,
} from './handlers/groups.js';
import {
  addOffsetsToTxn,
  addPartitionsToTxn,
  endTxn,
  initProducerId,
  txnOffsetCommit,
} from './handlers/transactions.js';

export interface KafkaBrokerOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks an ephemeral port */
  port?: number;
  host?: string;
  /** directory for the logs and broker-state.json; in-memory when absent */
  dir?: string;
  /** partitions of auto-created topics and of CreateTopics with num_partitions -1 (default 1) */
  defaultPartitions?: number;
  /** create unknown topics on Metadata requests that allow it (default true, like auto.create.topics.enable) */
  autoCreateTopics?: boolean;
}

export interface KafkaBroker {
  host: string;
  port: number;
  /** "host:port", for kafkajs `brokers: [broker.address]` */
  address: string;
  close(): Promise<void>;
}

const HANDLERS = new Map<number, Handler>([
  [ApiKey.ApiVersions, apiVersions],
  [ApiKey.Metadata, metadata],
  [ApiKey.CreateTopics, createTopics],
  [ApiKey.DeleteTopics, deleteTopics],
  [ApiKey.Produce, produce],
  [ApiKey.Fetch, fetch],
  [ApiKey.ListOffsets, listOffsets],
  [ApiKey.FindCoordinator, findCoordinator],
  [ApiKey.JoinGroup, joinGroup],
  [ApiKey.SyncGroup, syncGroup],
  [ApiKey.Heartbeat, heartbeat],
  [ApiKey.LeaveGroup, leaveGroup],
  [ApiKey.DescribeGroups, describeGroups],
  [ApiKey.OffsetCommit, offsetCommit],
  [ApiKey.OffsetFetch, offsetFetch],
  [ApiKey.InitProducerId, initProducerId],
  [ApiKey.AddPartitionsToTxn, addPartitionsToTxn],
  [ApiKey.AddOffsetsToTxn, addOffsetsToTxn],
  [ApiKey.EndTxn, endTxn],
  [ApiKey.TxnOffsetCommit, txnOffsetCommit],
]);

export async function startKafkaBroker(opts: KafkaBrokerOptions = {}): Promise<KafkaBroker> {
  const host = opts.host ?? '127.0.0.1';
  const dir = opts.dir ?? null;
  if (dir !== null) mkdirSync(dir, { recursive: true });
  const meta = new MetadataStore(dir);
  const logs = new LogStore(meta, dir, opts.defaultPartitions ?? 1, opts.autoCreateTopics ?? true);
  const ctx: BrokerContext = {
    nodeId: 0,
    host,
    port: 0,
    clusterId: 'sluice-test-kafka',
    logs,
    meta,
    groups: new GroupCoordinator(),
    txns: new TransactionCoordinator(meta, logs),
    closing: false,
  };
  const connections = new Set<Connection>();
  const server = createServer((socket: Socket) => {
    const c = new Connection(socket, ctx, HANDLERS);
    connections.add(c);
    socket.on('close', () => connections.delete(c));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  ctx.port = typeof addr === 'object' && addr !== null ? addr.port : (opts.port ?? 0);
  let closing: Promise<void> | null = null;
  return {
    host,
    port: ctx.port,
    address: `${host}:${ctx.port}`,
    close() {
      closing ??= (async () => {
        ctx.closing = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const c of connections) c.close();
        ctx.groups.close();
        ctx.txns.close();
        logs.close();
        meta.save();
        await stopped;
      })();
      return closing;
    },
  };
}
