/**
 * The job manager's side of `executeAndCollect()`/`collectAsync()` on a cluster (Flink's
 * CollectSinkOperatorCoordinator), one per job. It holds no results of a running job: an opening collect
 * sink announces its worker, and a client's fetch (`POST /jobs/:jobid/coordinators/:operatorid`, version
 * and offset) is forwarded there; the sink answers from its bounded buffer (runtime/api/collect-buffer.ts).
 * When a sink's input ends it hands over what is still buffered (Flink's accumulator result), kept here
 * for the attempt that finishes, served by the same protocol and freed as the client acknowledges it.
 *
 * Client liveness — one rule: a fetch or a client heartbeat is contact; a job with a collect sink whose
 * client has had no contact for client.heartbeat.timeout (and whose last heartbeat's expiry has passed) is
 * given up: a running job is cancelled, and what a finished job still holds is dropped, each with a
 * logged warning. A client that died therefore never keeps a job back-pressured, or its results held.
 *
 * Invariants: fetches of one sink run one at a time, so the job manager holds at most one batch in
 * flight per sink plus the handed-over remainder (each bounded by collect-sink.batch-size.max, the
 * remainder by twice that); only the current attempt's sink is asked, and only the finishing attempt's
 * remainder is served; a job that ended cancelled or failed holds nothing.
 */
import { type CollectBatch, CollectBuffer } from '../api/collect-buffer.js';
import type { SluiceConfig } from '../config/sluice-config.js';
import { platform } from '../platform/index.js';
import { isTerminal } from './job-status.js';

/** What a fetch returns to the client. `version` '' means no sink can answer now (not yet running, restarting). */
export interface CollectReply extends CollectBatch {
  /** The job finished and these results come from the sink's remainder: every result fetched is final. */
  complete: boolean;
  /** The job's status when the fetch was answered (read with the results). */
  jobStatus: string;
}

/** Forwards a fetch to the worker running the sink; undefined when the sink does not run there (any more). */
export type AskSink = (
  route: SinkRoute,
  request: { sinkId: string; version: string; offset: number },
) => Promise<CollectBatch | undefined>;

export interface SinkRoute {
  attempt: number;
  /** Whatever the job manager needs to reach the worker (its connection). */
  worker: unknown;
}

export interface CollectCoordinatorOptions {
  maxBatchBytes: number;
  clientTimeoutMs: number;
  nowMs(): number;
}

/** The coordinator of a job with configuration `config` (collect-sink.batch-size.max, client.heartbeat.timeout). */
export function collectCoordinatorFor(
  config: Pick<SluiceConfig, 'collect-sink.batch-size.max' | 'client.heartbeat.timeout'>,
): CollectCoordinator {
  return new CollectCoordinator({
    maxBatchBytes: config['collect-sink.batch-size.max'],
    clientTimeoutMs: config['client.heartbeat.timeout'],
    nowMs: () => platform.clock.nowMs(),
  });
}

const NONE = { version: '', offset: 0, lastCheckpointedOffset: 0, checkpointed: false, results: [] };

export class CollectCoordinator {
  private readonly routes = new Map<string, SinkRoute>();
  private readonly remainders = new Map<string, { attempt: number; buffer: CollectBuffer }>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private lastContactMs: number;
  private inFlightBytes = 0;
  private peak = 0;
  private given = false;

  constructor(private readonly o: CollectCoordinatorOptions) {
    this.lastContactMs = o.nowMs();
  }

  get maxBatchBytes(): number {
    return this.o.maxBatchBytes;
  }

  /** A collect sink of `route.attempt` opened; a remainder of an earlier attempt is void. */
  opened(sinkId: string, route: SinkRoute): void {
    this.routes.set(sinkId, route);
    const r = this.remainders.get(sinkId);
    if (r && r.attempt < route.attempt) this.remainders.delete(sinkId);
  }

  /** A sink's input ended with `remaining` still buffered: kept for the client if this attempt finishes. */
  sinkEnded(sinkId: string, attempt: number, remaining: CollectBatch): void {
    if (this.given) return;
    const buffer = new CollectBuffer(remaining.version, this.o.maxBatchBytes, remaining.checkpointed, {
      offset: remaining.offset,
      results: remaining.results,
    });
    this.remainders.set(sinkId, { attempt, buffer });
    this.peak = Math.max(this.peak, this.heldBytes());
  }

  /**
   * A client's fetch: acknowledges what lies below `offset` of `version` and returns the next batch, from
   * the running sink or, once the job finished, from its remainder. Contact for the liveness rule.
   */
  fetch(
    sinkId: string,
    version: string,
    offset: number,
    job: () => { status: string; attempt: number },
    ask: AskSink,
  ): Promise<CollectReply> {
    this.lastContactMs = this.o.nowMs();
    const run = async (): Promise<CollectReply> => {
      const { status, attempt } = job(); // read when this fetch's turn comes
      if (status === 'FINISHED') {
        const r = this.remainders.get(sinkId);
        if (!r || r.attempt !== attempt) return { ...NONE, complete: true, jobStatus: status };
        const batch = r.buffer.serve(version, offset);
        if (batch.version === version && batch.results.length === 0) this.remainders.delete(sinkId); // all acknowledged
        return { ...batch, complete: true, jobStatus: status };
      }
      const route = this.routes.get(sinkId);
      if (this.given || !route || route.attempt !== attempt || isTerminal(status))
        return { ...NONE, complete: false, jobStatus: status };
      const batch = await ask(route, { sinkId, version, offset });
      if (!batch) return { ...NONE, complete: false, jobStatus: status };
      this.hold(batch);
      return { ...batch, complete: false, jobStatus: status };
    };
    const previous = this.queues.get(sinkId) ?? Promise.resolve();
    const next = previous.then(run, run);
    this.queues.set(
      sinkId,
      next.catch(() => undefined),
    );
    return next;
  }

  /** The fetched batch has been handed to REST (serialized): the job manager no longer holds it. */
  released(reply: CollectBatch): void {
    for (const r of reply.results) this.inFlightBytes -= r.length;
  }

  /** A client heartbeat (or any other sign of the client) counts as contact. */
  contact(): void {
    this.lastContactMs = this.o.nowMs();
  }

  /** A sink opened for this job: the client-liveness rule applies to it. */
  hasSinks(): boolean {
    return this.routes.size > 0;
  }

  /** No contact for client.heartbeat.timeout, and no heartbeat promising more (`clientExpiresAtMs`). */
  clientGone(clientExpiresAtMs: number): boolean {
    const now = this.o.nowMs();
    return !this.given && now - this.lastContactMs > this.o.clientTimeoutMs && now > clientExpiresAtMs;
  }

  silentForMs(): number {
    return this.o.nowMs() - this.lastContactMs;
  }

  /** Nobody will read the results (the job was cancelled or failed, or its client is gone): frees them. */
  discard(): void {
    this.given = true;
    this.remainders.clear();
  }

  /** Results held here: the remainders of finished sinks and batches in flight to the client. */
  heldBytes(): number {
    let n = this.inFlightBytes;
    for (const r of this.remainders.values()) n += r.buffer.bufferedBytes();
    return n;
  }

  peakHeldBytes(): number {
    return this.peak;
  }

  private hold(batch: CollectBatch): void {
    for (const r of batch.results) this.inFlightBytes += r.length;
    this.peak = Math.max(this.peak, this.heldBytes());
  }
}
