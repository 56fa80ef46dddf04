/**
 * SourceInput: drives a SourceReader inside a source task. Assigns the subtask's splits (fresh: split i
 * to subtask i % parallelism; restored: the checkpointed splits), emits records into the chain head with
 * timestamps and watermarks from the job's WatermarkStrategy, snapshots split positions at checkpoints,
 * and emits MAX_WATERMARK at end of bounded input.
 */
import { ElementKind } from '../api/elements.js';
import type { Output } from '../api/operator.js';
import type { ReaderOutput, Source, SourceReader, SourceReaderContext } from '../api/source.js';
import { MAX_WATERMARK } from '../api/time.js';
import type { OperatorSnapshot } from './operator-chain.js';
import type { SourceDriver } from './stream-task.js';
import type { MailboxProcessingTimeService } from './processing-time.js';
import { createSourceWatermarks, type SourceWatermarks } from './source-watermarks.js';

export interface SourceInputOptions {
  uid: string;
  source: Source<unknown, unknown>;
  watermarkStrategy: unknown;
  subtaskIndex: number;
  parallelism: number;
  jobConfig: Record<string, string>;
  restoredSplits: unknown[] | undefined;
  head: Output;
  processingTime: MailboxProcessingTimeService;
  autoWatermarkIntervalMs: number;
  onMalformed(raw: unknown, reason: string): void;
}

export async function createSourceInput(o: SourceInputOptions): Promise<SourceDriver> {
  const ctx: SourceReaderContext = {
    subtaskIndex: o.subtaskIndex,
    parallelism: o.parallelism,
    jobConfig: o.jobConfig,
    reportMalformed: o.onMalformed,
  };
  const reader: SourceReader<unknown, unknown> = o.source.createReader(ctx);
  let splits = o.restoredSplits;
  if (!splits) {
    const all = await o.source.createSplits(o.parallelism);
    splits = all.filter((_, i) => i % o.parallelism === o.subtaskIndex);
  }
  await reader.start?.();
  reader.addSplits(splits);
  const wm: SourceWatermarks = createSourceWatermarks({
    strategy: o.watermarkStrategy,
    output: o.head,
    processingTime: o.processingTime,
    autoWatermarkIntervalMs: o.autoWatermarkIntervalMs,
  });
  const output: ReaderOutput<unknown> = {
    collect(value, timestamp) {
      const ts = wm.onRecord(value, timestamp ?? NaN);
      o.head.collect({ kind: ElementKind.Record, value, timestamp: ts });
    },
    createOutputForSplit(splitId) {
      const split = wm.forSplit(splitId);
      return {
        collect(value, timestamp) {
          const ts = split.onRecord(value, timestamp ?? NaN);
          o.head.collect({ kind: ElementKind.Record, value, timestamp: ts });
        },
        markIdle: () => split.markIdle(),
      };
    },
    releaseOutputForSplit: (splitId) => wm.releaseSplit(splitId),
    markIdle: () => wm.markIdle(),
  };
  let ended = false;
  return {
    pollBatch() {
      if (ended) return 'END';
      const status = reader.pollNext(output);
      if (status === 'END_OF_INPUT') {
        ended = true;
        wm.close();
        o.head.emitWatermark(MAX_WATERMARK);
        return 'END';
      }
      return status === 'MORE_AVAILABLE' ? 'MORE' : 'WAIT';
    },
    availability: () => reader.isAvailable(),
    drain: () => o.head.emitWatermark(MAX_WATERMARK),
    snapshot(checkpointId): OperatorSnapshot {
      return { uid: o.uid, operator: { 'source-splits': { mode: 'split', items: reader.snapshotState(checkpointId) } } };
    },
    notifyCheckpointComplete: (id) => reader.notifyCheckpointComplete?.(id),
    async close() {
      wm.close();
      await reader.close?.();
    },
  };
}
