/**
 * How a cluster process's collect sinks meet their coordinator on the job manager (Flink's
 * CollectSinkOperatorCoordinator): a task worker installs a transport through which an opening sink
 * announces itself (and learns its batch size from the job's configuration) and an ending sink hands over
 * what its client has not fetched yet; and it finds the live sinks of this process here when the job
 * manager forwards a client's fetch. A global symbol is used so the job bundle's copy of the API and the
 * worker's copy meet, as for the execution host.
 *
 * Invariant: a sink is registered from its open to its close, under its job, attempt and sink id, so a
 * fetch for another attempt finds nothing (and is answered as "no sink here").
 */
import type { CollectBatch, CollectBuffer } from './collect-buffer.js';

export interface CollectSinkRef {
  jobId: string;
  attempt: number;
  /** The collect sink's id (`collect-<node id>`, identical in every process that rebuilt the graph). */
  sinkId: string;
}

export interface CollectTransport {
  /** The sink opened (version `version`); resolves with the job's collect-sink.batch-size.max in bytes. */
  opened(ref: CollectSinkRef, version: string): Promise<{ maxBatchBytes: number }>;
  /** The sink's input ended: `remaining` (its whole buffer) is kept by the job manager for the client. */
  ended(ref: CollectSinkRef, remaining: CollectBatch): Promise<void>;
}

interface Registry {
  transport?: CollectTransport;
  sinks: Map<string, CollectBuffer>;
}

const KEY = Symbol.for('sluice.collectTransport');

function registry(): Registry {
  const g = globalThis as Record<symbol, Registry | undefined>;
  g[KEY] ??= { sinks: new Map() };
  return g[KEY];
}

const keyOf = (r: CollectSinkRef) => `${r.jobId}/${r.attempt}/${r.sinkId}`;

export function getCollectTransport(): CollectTransport | undefined {
  return registry().transport;
}

export function setCollectTransport(t: CollectTransport | undefined): void {
  registry().transport = t;
}

/** A running sink's buffer, served to fetches the job manager forwards. */
export function registerCollectSink(ref: CollectSinkRef, buffer: CollectBuffer): void {
  registry().sinks.set(keyOf(ref), buffer);
}

export function unregisterCollectSink(ref: CollectSinkRef, buffer: CollectBuffer): void {
  const sinks = registry().sinks;
  if (sinks.get(keyOf(ref)) === buffer) sinks.delete(keyOf(ref));
}

export function findCollectSink(ref: CollectSinkRef): CollectBuffer | undefined {
  return registry().sinks.get(keyOf(ref));
}
