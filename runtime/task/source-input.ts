/**
 * SourceInput: drives a SourceReader inside a source task. Assigns the subtask's splits (fresh: split i
 * to subtask i % parallelism; restored: the checkpointed splits), emits records into the chain head with
 * timestamps and watermarks from the job's WatermarkStrategy, snapshots split positions at checkpoints,
 * and emits MAX_WATERMARK at end of bounded input.
 *
 * Watermarks: with a strategy, Flink's ProgressiveTimestampsAndWatermarks (operators/watermarks) — the
 * same component `assignTimestampsAndWatermarks` runs — with a generator per split, combined by min;
 * without one, records keep the source's timestamps and only MAX_WATERMARK is emitted.
 */
import { ElementKind } from '../api/elements.js';
import type { Output } from '../api/operator.js';
import type { ReaderOutput, Source, SourceReader, SourceReaderContext } from '../api/source.js';
import { MAX_WATERMARK } from '../api/time.js';
import type { OperatorSnapshot } from './operator-chain.js';
import type { SourceDriver } from './stream-task.js';
import type { MailboxProcessingTimeService } from './processing-time.js';
import {
  TimestampsAndWatermarks,
  type WatermarkStrategyLike,
} from '../../operators/watermarks/timestamps-and-watermarks.js';

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
  const strategy = o.watermarkStrategy as WatermarkStrategyLike<unknown> | undefined;
  const emit = (value: unknown) => (timestamp: number) =>
    o.head.collect({ kind: ElementKind.Record, value, timestamp });
  const tw = strategy
    ? new TimestampsAndWatermarks<unknown>({
        strategy,
        output: o.head,
        processingTimeService: o.processingTime,
        autoWatermarkIntervalMs: o.autoWatermarkIntervalMs,
      })
    : undefined;
  tw?.startPeriodicWatermarkEmits();
  const output: ReaderOutput<unknown> = tw
    ? {
        collect: (value, timestamp) => void tw.collect(value, timestamp ?? NaN, emit(value)),
        createOutputForSplit(splitId) {
          const split = tw.createOutputForSplit(splitId);
          return {
            collect: (value, timestamp) => void split.collect(value, timestamp ?? NaN, emit(value)),
            markIdle: () => split.markIdle(),
          };
        },
        releaseOutputForSplit: (splitId) => tw.releaseOutputForSplit(splitId),
        markIdle: () => tw.markIdle(),
      }
    : {
        collect: (value, timestamp) => o.head.collect({ kind: ElementKind.Record, value, timestamp: timestamp ?? NaN }),
        markIdle: () => o.head.emitWatermarkStatus(true),
        emitWatermark: (timestampMs) => o.head.emitWatermark(timestampMs),
      };
  const endOfInput = () => (tw ? tw.emitEndOfInput() : o.head.emitWatermark(MAX_WATERMARK));
  let ended = false;
  return {
    pollBatch() {
      if (ended) return 'END';
      const status = reader.pollNext(output);
      if (status === 'END_OF_INPUT') {
        ended = true;
        endOfInput();
        return 'END';
      }
      return status === 'MORE_AVAILABLE' ? 'MORE' : 'WAIT';
    },
    availability: () => reader.isAvailable(),
    drain: endOfInput,
    snapshot(checkpointId): OperatorSnapshot {
      return {
        uid: o.uid,
        operator: { 'source-splits': { mode: 'split', items: reader.snapshotState(checkpointId) } },
      };
    },
    notifyCheckpointComplete: (id) => reader.notifyCheckpointComplete?.(id),
    async close() {
      tw?.close();
      await reader.close?.();
    },
  };
}
