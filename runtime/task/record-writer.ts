/**
 * RecordWriter: one per outgoing job edge of a task. Picks the channel with the edge's partitioner for
 * records and sends watermarks, watermark status, barriers and end of input to every channel.
 *
 * Invariant: hash partitioning uses the target's max parallelism and parallelism (Flink's key groups).
 */
import { ElementKind, type StreamElement, type StreamRecord } from '../api/elements.js';
import { createPartitioner, type Partitioner } from '../keygroups/index.js';
import type { JobEdge } from '../graph/job-graph.js';
import type { TaskOutputChannel } from './channel.js';

export class RecordWriter {
  private readonly partitioner: Partitioner;
  constructor(
    readonly edge: JobEdge,
    readonly channels: TaskOutputChannel[],
    producerIndex: number,
    producerParallelism: number,
    targetMaxParallelism: number,
  ) {
    this.partitioner = createPartitioner(edge.partitioner, {
      numChannels: channels.length,
      producerIndex,
      producerParallelism,
      consumerParallelism: channels.length,
      maxParallelism: targetMaxParallelism,
      keySelector: edge.keySelector,
    });
  }

  emitRecord(r: StreamRecord): void {
    const c = this.partitioner.selectChannel(r.value);
    if (c === -1) for (const ch of this.channels) ch.emit(r);
    else this.channels[c]!.emit(r);
  }

  broadcastEvent(e: StreamElement): void {
    for (const ch of this.channels) ch.emit(e);
    if (e.kind === ElementKind.Barrier || e.kind === ElementKind.EndOfInput) this.flush();
  }

  flush(): void {
    for (const ch of this.channels) ch.flush();
  }

  isWritable(): boolean {
    for (const ch of this.channels) if (!ch.isWritable()) return false;
    return true;
  }

  /** Calls `cb` once when every channel is writable again. */
  onWritable(cb: () => void): void {
    const blocked = this.channels.filter((c) => !c.isWritable());
    if (!blocked.length) return cb();
    let left = blocked.length;
    for (const c of blocked) c.onWritable(() => --left === 0 && cb());
  }
}
