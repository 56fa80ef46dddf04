/**
 * The collect sink behind `executeAndCollect()` and `collectAsync()` (Flink's CollectSinkOperator, always
 * at parallelism 1). In local execution the client's list (or `collectAsync`'s bounded queue, whose push
 * back-pressures the sink) is in this process, registered under a token, and records are appended as
 * they arrive. On a cluster the sink keeps its results, msgpack-encoded, in a CollectBuffer bounded by the
 * job's `collect-sink.batch-size.max`: the client pulls them through the job manager by version and offset
 * (runtime/api/collect-buffer.ts has the protocol) and, when the buffer holds a batch, the sink's write
 * returns a promise and the task takes no more input until the client has fetched (back-pressure to the
 * sources). The buffer and its acknowledged offset are operator state, so a restored sink resumes from the
 * checkpoint and the client reverts to it. At end of input the sink hands what is still buffered to the
 * job manager (as Flink does through an accumulator), so a finished job never waits for its client.
 *
 * Invariants: a cluster sink is registered for fetches from its open to its close; close releases a
 * writer held by back-pressure, so cancelling the job never waits for the client.
 */
import { pack } from 'msgpackr';
import '../../runtime/api/tuples.js'; // tuples keep their class in the encoded results
import type { StreamRecord } from '../../runtime/api/elements.js';
import type {
  OperatorContext,
  SnapshotContext,
  StateInitializationContext,
  StreamOperator,
} from '../../runtime/api/operator.js';
import { ListStateDescriptor, type ListState } from '../../runtime/api/state.js';
import { CollectBuffer, type CollectBufferState } from '../../runtime/api/collect-buffer.js';
import {
  type CollectSinkRef,
  getCollectTransport,
  registerCollectSink,
  unregisterCollectSink,
} from '../../runtime/api/collect-transport.js';
import { platform } from '../../runtime/platform/index.js';

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

export class CollectSinkOperator implements StreamOperator {
  private ctx!: OperatorContext;
  private local?: LocalCollector;
  private buffer?: CollectBuffer;
  private ref?: CollectSinkRef;
  private state?: ListState<CollectBufferState>;
  private restored?: CollectBufferState;

  /**
   * @param sinkId the same in every process that rebuilt the graph (it names the sink to the job manager)
   * @param localToken the client's in-process collector, when the job runs in the process that built it
   */
  constructor(
    private readonly sinkId: string,
    private readonly localToken: string,
  ) {}

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.local = collectors.get(this.localToken);
  }

  initializeState(init: StateInitializationContext): void {
    this.state = init.operatorStateStore.getListState(new ListStateDescriptor<CollectBufferState>('collect-buffer'));
    if (!init.isRestored()) return;
    const parts = this.state.get();
    // one subtask, so one entry; a buffer restored from several would keep the first's offset
    if (parts.length) this.restored = { offset: parts[0]!.offset, results: parts.flatMap((p) => p.results) };
  }

  async open(): Promise<void> {
    if (this.local) return;
    const transport = getCollectTransport();
    if (!transport)
      throw new Error(
        `collect sink ${this.sinkId} has neither a collector in this process nor a job manager to send results to`,
      );
    const ref = { jobId: this.ctx.jobConfig['$jobId'] ?? '', attempt: this.ctx.attemptNumber, sinkId: this.sinkId };
    const version = platform.random.hex(16);
    const { maxBatchBytes } = await transport.opened(ref, version);
    const buffer = new CollectBuffer(version, maxBatchBytes, Boolean(this.ctx.checkpointingEnabled), this.restored);
    this.restored = undefined;
    this.buffer = buffer;
    this.ref = ref;
    registerCollectSink(ref, buffer);
    this.ctx.metrics.gauge('collectBufferedBytes', () => buffer.bufferedBytes());
    this.ctx.metrics.gauge('collectBufferedBytesPeak', () => buffer.peakBytes());
  }

  processElement(r: StreamRecord): void | Promise<void> {
    if (this.local) {
      const p = this.local.push(r.value);
      return p instanceof Promise ? (p as Promise<void>) : undefined;
    }
    return this.buffer!.add(pack(r.value)); // a promise holds the task's input (back-pressure)
  }

  snapshotState(ctx: SnapshotContext): void {
    if (this.buffer) this.state?.update([this.buffer.snapshot(ctx.checkpointId)]);
  }

  notifyCheckpointComplete(checkpointId: number): void {
    this.buffer?.checkpointComplete(checkpointId);
  }

  /** End of input: what the client has not fetched goes to the job manager, which serves it from now on. */
  async finish(): Promise<void> {
    if (this.buffer && this.ref) await getCollectTransport()?.ended(this.ref, this.buffer.drain());
  }

  close(): void {
    if (!this.buffer || !this.ref) return;
    unregisterCollectSink(this.ref, this.buffer);
    this.buffer.close();
  }
}
