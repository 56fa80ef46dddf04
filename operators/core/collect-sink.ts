/**
 * The collect sink behind `executeAndCollect()` and `collectAsync()`. In local execution the client's
 * list (or `collectAsync`'s bounded queue, whose push back-pressures the sink) is in this process,
 * registered under a token, and records are appended as they arrive. On a cluster the sink is a
 * two-phase sink: what arrives between two checkpoints is one transaction, kept in the checkpoint (as a
 * pending committable) and published to the job manager when the checkpoint completes; end of input
 * publishes the rest. The job manager publishes a transaction id once, so a transaction committed again
 * after a restore is not duplicated, and one never committed is replayed from the checkpoint — results are
 * neither lost nor duplicated across restarts, as long as the job restores from the latest checkpoint.
 *
 * Invariant: a transaction's records travel in chunks of at most CHUNK_RECORDS, all named by one
 * transaction id (`<subtask>:<checkpoint id>` or `<subtask>:final`).
 */
import { type CollectChunk, getCollectTransport } from '../../runtime/api/collect-transport.js';
import type { Committer, Sink, SinkWriter, SinkWriterContext } from '../../runtime/api/source.js';

/** Records per chunk sent to the job manager (each chunk is one control-plane message). */
export const CHUNK_RECORDS = 2000;

/** Where a local collect sink puts its records: a list, or a bounded queue whose `push` may back-pressure. */
export interface LocalCollector {
  push(v: unknown): unknown;
}

const collectors = new Map<string, LocalCollector>();

/** Registers the in-process list of a local `executeAndCollect` under a token unique to this process. */
export function registerCollector(token: string): unknown[];
/** Registers `collector` (a local `collectAsync`'s queue) under `token`. */
export function registerCollector<C extends LocalCollector>(token: string, collector: C): C;
export function registerCollector(token: string, collector: LocalCollector = []): LocalCollector {
  collectors.set(token, collector);
  return collector;
}

export function releaseCollector(token: string): void {
  collectors.delete(token);
}

export class CollectSink<T> implements Sink<T, CollectChunk> {
  /**
   * @param sinkId the same in every process that rebuilt the graph (it names the results on the job manager)
   * @param localToken the client's in-process list, when the job runs in the process that built it
   */
  constructor(
    private readonly sinkId: string,
    private readonly localToken: string,
  ) {}

  describe(): string {
    return 'Collect Sink';
  }

  createWriter(ctx: SinkWriterContext): SinkWriter<T, CollectChunk> {
    const local = collectors.get(this.localToken);
    if (local)
      return {
        write: (v: T) => {
          const r = local.push(v);
          return r instanceof Promise ? (r as Promise<void>) : undefined;
        },
      };
    if (!getCollectTransport())
      throw new Error(
        `collect sink ${this.sinkId} has neither a collector in this process nor a job manager to send results to`,
      );
    let records: unknown[] = [];
    const sinkId = this.sinkId;
    return {
      write: (v: T) => void records.push(v),
      prepareCommit(checkpointId: number): CollectChunk[] {
        const txn = `${ctx.subtaskIndex}:${checkpointId === Number.MAX_SAFE_INTEGER ? 'final' : checkpointId}`;
        const taken = records;
        records = [];
        if (!taken.length) return [];
        const total = Math.ceil(taken.length / CHUNK_RECORDS);
        return Array.from({ length: total }, (_, index) => ({
          sinkId,
          txn,
          index,
          total,
          records: taken.slice(index * CHUNK_RECORDS, (index + 1) * CHUNK_RECORDS),
        }));
      },
    };
  }

  createCommitter(ctx: SinkWriterContext): Committer<CollectChunk> {
    return {
      async commit(chunks: CollectChunk[]): Promise<void> {
        const transport = getCollectTransport();
        if (transport && chunks.length) await transport.commit(ctx.jobId, ctx.attemptNumber, chunks);
      },
    };
  }
}
