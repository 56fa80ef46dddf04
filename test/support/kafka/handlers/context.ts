/**
 * The types shared by every request handler: the broker-wide context (stores and coordinators), the
 * per-request header, and the handler signature.
 * Invariant: a handler reads its whole request body from the Reader and writes exactly the response body
 * for `req.apiVersion` into the Writer (the connection prepends the correlation id); returning `false`
 * means "send no response" (Produce with acks=0).
 */
import type { Reader } from '../protocol/reader.js';
import type { Writer } from '../protocol/writer.js';
import type { LogStore } from '../log-store.js';
import type { MetadataStore } from '../metadata-store.js';
import type { GroupCoordinator } from '../group-coordinator.js';
import type { TransactionCoordinator } from '../transaction-coordinator.js';

export interface BrokerContext {
  nodeId: number;
  host: string;
  port: number;
  clusterId: string;
  logs: LogStore;
  meta: MetadataStore;
  groups: GroupCoordinator;
  txns: TransactionCoordinator;
  /** set when the broker is closing: long polls return at once */
  closing: boolean;
}

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export type Handler = (
  ctx: BrokerContext,
  req: RequestHeader,
  r: Reader,
  w: Writer,
) => boolean | void | Promise<boolean | void>;
