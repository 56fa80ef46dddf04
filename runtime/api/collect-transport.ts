/**
 * How a collect sink's committed results leave a cluster process: a task worker installs a transport that
 * sends them to the job manager, which keeps them until the client fetches them (REST
 * `/jobs/:jobid/coordinators/:operatorid`). A global symbol is used so the job bundle's copy of the API and
 * the worker's copy meet, as for the execution host.
 *
 * Invariant: a transaction is published at most once per job (the job manager drops a transaction id it
 * has published), and only whole: its chunks become visible together when the last one has arrived.
 */

/** One part of a transaction of a collect sink subtask. */
export interface CollectChunk {
  /** The collect sink's id (`collect-<node id>`, identical in every process that rebuilt the graph). */
  sinkId: string;
  /** `<subtask>:<checkpoint id>`, or `<subtask>:final` for what end of input commits. */
  txn: string;
  index: number;
  /** How many chunks the transaction has. */
  total: number;
  records: unknown[];
}

export interface CollectTransport {
  commit(jobId: string, attemptNumber: number, chunks: CollectChunk[]): Promise<void>;
}

const KEY = Symbol.for('sluice.collectTransport');

export function getCollectTransport(): CollectTransport | undefined {
  return (globalThis as Record<symbol, CollectTransport | undefined>)[KEY];
}

export function setCollectTransport(t: CollectTransport | undefined): void {
  (globalThis as Record<symbol, CollectTransport | undefined>)[KEY] = t;
}
