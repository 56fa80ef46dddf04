/**
 * ExternalModelFunction: an AsyncFunction (for `AsyncDataStream.orderedWait/unorderedWait`) that scores each
 * record on an external model server through the Open Inference Protocol. Records that arrive while a request
 * is being formed are gathered into one batch (up to `maxBatchSize`, or `lingerMs` after the first), so a
 * stream of single records becomes batched server calls. With a `fallback` (an in-stream ServingModel, e.g. a
 * small local model), a server error or a missed deadline scores the record locally instead: speculative
 * serving with the external model first and the in-stream model as the fallback. Without one, errors fail the
 * record's future (the job's failure handling applies) and a timeout goes to AsyncFunction's timeout handler.
 *
 * Invariants: each input completes its future exactly once, with one ExternalScore; `source` says who scored.
 */
import { SluiceError } from '../../runtime/errors/index.js';
import { platform } from '../../runtime/platform/index.js';
import { KServeV2Client, type KServeV2Options } from './kserve-v2-client.js';
import type { ServingModel } from './model.js';

export interface ExternalScore<T> {
  record: T;
  prediction: number;
  predictions?: number[];
  source: 'server' | 'fallback';
  model: string;
}

interface Future<O> {
  complete(results: Iterable<O>): void;
  completeExceptionally(error: unknown): void;
}

export interface ExternalModelOptions<T> extends KServeV2Options {
  width: number;
  extract: (record: T, out: Float32Array, offset: number) => void;
  maxBatchSize?: number;
  lingerMs?: number;
  /** Scores records locally when the server fails or the async deadline passes. */
  fallback?: ServingModel;
}

interface Pending<T> {
  record: T;
  future: Future<ExternalScore<T>>;
  done: boolean;
}

export class ExternalModelFunction<T> {
  readonly client: KServeV2Client;
  private batch: Pending<T>[] = [];
  private timer: ReturnType<typeof platform.clock.setTimeout> | undefined;
  private readonly byRecord = new Map<T, Pending<T>>();
  /** Records scored by the fallback model, and server outcomes (answers or errors) after a record's deadline. */
  fallbacks = 0;
  lateReplies = 0;

  constructor(private readonly o: ExternalModelOptions<T>) {
    if (!(o.width > 0)) throw new SluiceError('API_INVALID_ARGUMENT', 'ExternalModelFunction: width must be positive');
    this.client = new KServeV2Client(o);
  }

  asyncInvoke(record: T, future: Future<ExternalScore<T>>): void {
    const p: Pending<T> = { record, future, done: false };
    this.byRecord.set(record, p);
    this.batch.push(p);
    if (this.batch.length >= (this.o.maxBatchSize ?? 64)) this.flush();
    else this.timer ??= platform.clock.setTimeout(() => this.flush(), this.o.lingerMs ?? 2);
  }

  /** The async operator's deadline passed: score locally if a fallback exists, else Flink's default. */
  timeout(record: T, future: Future<ExternalScore<T>>): void {
    const p = this.byRecord.get(record);
    if (p) p.done = true;
    this.byRecord.delete(record);
    if (this.o.fallback) void this.scoreLocally([{ record, future, done: false }]);
    else
      future.completeExceptionally(
        new SluiceError('MODEL_SERVER_FAILED', `model server ${this.o.model}: no answer before the async deadline`),
      );
  }

  private flush(): void {
    if (this.timer !== undefined) platform.clock.clear(this.timer);
    this.timer = undefined;
    const batch = this.batch;
    this.batch = [];
    if (batch.length) void this.send(batch);
  }

  private async send(batch: Pending<T>[]): Promise<void> {
    const w = this.o.width;
    const features = new Float32Array(batch.length * w);
    batch.forEach((p, i) => this.o.extract(p.record, features, i * w));
    try {
      const { values, outputWidth } = await this.client.infer(features, batch.length, w);
      batch.forEach((p, i) => this.settle(p, values.subarray(i * outputWidth, (i + 1) * outputWidth), 'server'));
    } catch (e) {
      const open = batch.filter((p) => !p.done);
      this.lateReplies += batch.length - open.length;
      if (this.o.fallback) await this.scoreLocally(open);
      else
        for (const p of open) {
          p.done = true;
          this.byRecord.delete(p.record);
          p.future.completeExceptionally(e);
        }
    }
  }

  private async scoreLocally(batch: Pending<T>[]): Promise<void> {
    const m = this.o.fallback!;
    const w = this.o.width;
    const features = new Float32Array(batch.length * w);
    batch.forEach((p, i) => this.o.extract(p.record, features, i * w));
    try {
      const out = await m.scoreBatch(features, batch.length, w);
      this.fallbacks += batch.length;
      batch.forEach((p, i) => this.settle(p, out.subarray(i * m.outputWidth, (i + 1) * m.outputWidth), 'fallback'));
    } catch (e) {
      for (const p of batch) p.future.completeExceptionally(e);
    }
  }

  private settle(p: Pending<T>, values: Float32Array, source: 'server' | 'fallback'): void {
    if (p.done && source === 'server') {
      this.lateReplies++;
      return;
    }
    p.done = true;
    this.byRecord.delete(p.record);
    const model =
      source === 'server' ? this.o.model : `${this.o.fallback!.descriptor.name}@${this.o.fallback!.descriptor.version}`;
    p.future.complete([
      {
        record: p.record,
        prediction: values[0]!,
        ...(values.length > 1 ? { predictions: Array.from(values) } : {}),
        source,
        model,
      },
    ]);
  }
}
