/**
 * The collect sink's result buffer and the server side of Flink's collect protocol (CollectSinkFunction):
 * results wait here, encoded, until the client has acknowledged them, and the buffer is bounded in bytes.
 *
 * Protocol. A buffer has a `version` (new each time the sink starts, so a client notices a restart), the
 * `offset` of its first result (every result below it was acknowledged) and `lastCheckpointedOffset` (the
 * acknowledged offset as of the latest completed checkpoint; a restored sink starts from it). A request
 * carries the version and offset the client believes in: the offset acknowledges every result below it.
 * A request of another version, or below the acknowledged offset, gets the current version and
 * lastCheckpointedOffset with no results (the client then reverts to lastCheckpointedOffset). A valid one
 * drops the acknowledged results and gets the next batch from the new offset: at most `maxBatchBytes`
 * (at least one result when there is one). The client keeps results above lastCheckpointedOffset apart
 * until a checkpoint covers them, so with checkpointing nothing is lost or duplicated across a restore.
 *
 * Invariants: a single record larger than maxBatchBytes is refused (it could never be fetched); the writer
 * is held back (`add` returns a promise) while at least maxBatchBytes are buffered, so the buffer never
 * exceeds twice maxBatchBytes; a closed buffer releases a held writer, accepts nothing and serves nothing.
 */
import { SluiceError } from '../errors/catalogue.js';

/** One answer to a fetch: results `offset`, `offset + 1`, … (encoded records, one msgpack value each). */
export interface CollectBatch {
  version: string;
  /** Offset of `results[0]`: the buffer's acknowledged offset after the request's acknowledgement. */
  offset: number;
  lastCheckpointedOffset: number;
  /** Checkpointing is on: the client hands out results only once lastCheckpointedOffset covers them. */
  checkpointed: boolean;
  results: Uint8Array[];
}

/** What a checkpoint keeps of the buffer (bounded like the buffer). */
export interface CollectBufferState {
  offset: number;
  results: Uint8Array[];
}

export class CollectBuffer {
  private results: Uint8Array[] = [];
  private head = 0;
  private bytes = 0;
  private peak = 0;
  /** The acknowledged offset as of each checkpoint taken and not yet complete. */
  private readonly pendingCheckpoints = new Map<number, number>();
  private lastCheckpointed = 0;
  private acknowledged = 0;
  private closed = false;
  private wakeWriter?: () => void;
  private writerHeld?: Promise<void>;

  constructor(
    readonly version: string,
    readonly maxBatchBytes: number,
    private readonly checkpointed: boolean,
    restored?: CollectBufferState,
  ) {
    if (!(Number.isSafeInteger(maxBatchBytes) && maxBatchBytes > 0))
      throw new SluiceError('API_INVALID_ARGUMENT', `collect-sink.batch-size.max must be positive (${maxBatchBytes})`);
    if (restored) {
      this.acknowledged = this.lastCheckpointed = restored.offset;
      for (const r of restored.results) this.push(r);
    }
  }

  /** Appends one encoded result; a promise while the buffer holds a batch or more (back-pressure). */
  add(encoded: Uint8Array): undefined | Promise<void> {
    if (this.closed) return undefined;
    if (encoded.length > this.maxBatchBytes)
      throw new SluiceError(
        'COLLECT_RECORD_TOO_LARGE',
        `a collected record is ${encoded.length} bytes, more than one batch may hold (collect-sink.batch-size.max = ${this.maxBatchBytes} bytes); please consider increasing max bytes per batch value by setting collect-sink.batch-size.max`,
      );
    this.push(encoded);
    if (this.bytes < this.maxBatchBytes) return undefined;
    this.writerHeld ??= new Promise<void>((r) => (this.wakeWriter = r));
    return this.writerHeld;
  }

  /** A client request: acknowledges what lies below `offset` (of `version`) and returns the next batch. */
  serve(version: string, offset: number): CollectBatch {
    if (this.closed || version !== this.version || offset < this.acknowledged) return this.batch([]);
    let drop = Math.min(offset - this.acknowledged, this.size());
    while (drop-- > 0) {
      this.bytes -= this.results[this.head]!.length;
      this.results[this.head++] = EMPTY;
      this.acknowledged++;
    }
    this.compact();
    if (this.bytes < this.maxBatchBytes) this.releaseWriter();
    const out: Uint8Array[] = [];
    let size = 0;
    for (let i = this.head; i < this.results.length; i++) {
      const r = this.results[i]!;
      if (out.length > 0 && size + r.length > this.maxBatchBytes) break;
      out.push(r);
      size += r.length;
    }
    return this.batch(out);
  }

  /** Everything still buffered, as one answer (the sink's results when its input ended). */
  drain(): CollectBatch {
    return this.batch(this.results.slice(this.head));
  }

  /** The checkpoint's copy of the buffer; remembers the acknowledged offset it stands for. */
  snapshot(checkpointId: number): CollectBufferState {
    this.pendingCheckpoints.set(checkpointId, this.acknowledged);
    return { offset: this.acknowledged, results: this.results.slice(this.head) };
  }

  /** Checkpoint `checkpointId` completed: results below its acknowledged offset are checkpointed. */
  checkpointComplete(checkpointId: number): void {
    for (const [id, offset] of this.pendingCheckpoints)
      if (id <= checkpointId) {
        this.lastCheckpointed = Math.max(this.lastCheckpointed, offset);
        this.pendingCheckpoints.delete(id);
      }
  }

  /** Stops serving and accepting; a held writer goes on (the task is ending). */
  close(): void {
    this.closed = true;
    this.results = [];
    this.head = 0;
    this.bytes = 0;
    this.releaseWriter();
  }

  bufferedBytes(): number {
    return this.bytes;
  }

  /** The most bytes ever buffered at once. */
  peakBytes(): number {
    return this.peak;
  }

  size(): number {
    return this.results.length - this.head;
  }

  private push(r: Uint8Array): void {
    this.results.push(r);
    this.bytes += r.length;
    this.peak = Math.max(this.peak, this.bytes);
  }

  private batch(results: Uint8Array[]): CollectBatch {
    return {
      version: this.version,
      offset: this.acknowledged,
      lastCheckpointedOffset: this.lastCheckpointed,
      checkpointed: this.checkpointed,
      results,
    };
  }

  /** Drops the acknowledged slots once they are half the array (amortised O(1) per result). */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.results.length) {
      this.results = this.results.slice(this.head);
      this.head = 0;
    }
  }

  private releaseWriter(): void {
    const wake = this.wakeWriter;
    this.wakeWriter = undefined;
    this.writerHeld = undefined;
    wake?.();
  }
}

const EMPTY = new Uint8Array(0);
