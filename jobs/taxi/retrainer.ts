/**
 * The retraining step of the taxi job ("success of model training is an event"): a KeyedCoProcessFunction
 * (one constant key, parallelism 1) that keeps the most recent labelled trips (input 1) and watches the
 * windowed MAE per model version (input 2). It trains the first model once enough labelled trips exist,
 * and retrains when the serving version's window MAE drifts above `driftFactor` × its held-out MAE (the
 * factor allows for held-out MAE being optimistic: production trips fall on days the model never saw) — on
 * the trips labelled after the drift was seen — then publishes the descriptor into the model directory
 * the serving side reads. At the end of input (MAX_WATERMARK) it writes `_done`, which ends the model source.
 * With `publishTo` (Kafka mode) it writes nothing itself: each descriptor, and at the end of input the
 * model topic's end marker, go to that side output, which the job sinks into the model topic.
 *
 * Invariants: the trip buffer and the training status live in keyed state (checkpointed); versions are
 * numbered from state, so a replay after a failure republishes the same file names. Training awaits
 * (TF.js yields between batches), the task holds further elements meanwhile.
 */
import {
  ValueStateDescriptor,
  endOfModels,
  type Collector,
  type KeyedProcessContext,
  type ModelTopicMessage,
  type OnTimerContext,
  type OutputTag,
  type RuntimeContext,
  type ValueState,
} from 'sluice';
import { encodeDescriptorJson } from 'sluice/ml';
import { platform } from 'sluice/platform';
import { DONE_FILE, publishModel } from 'sluice/sources';
import { trainTaxiModel } from './index.js';
import type { LabelledTrip } from './trips.js';
import { join } from 'node:path';

export interface WindowMae {
  version: string;
  windowStartMs: number;
  windowEndMs: number;
  count: number;
  maeSec: number;
}

export interface Published {
  version: string;
  trainRows: number;
  heldOutMaeSec: number;
  reason: string;
  dataToMs: number;
}

export interface RetrainerOptions {
  /** The model directory new versions are written to (unless `publishTo`). */
  modelsDir?: string;
  /** Kafka mode: descriptors and the end marker go to this side output instead of the directory. */
  publishTo?: OutputTag<ModelTopicMessage>;
  /** Labelled trips needed before the first model (default 3000). */
  initialRows?: number;
  /** Trips to collect after drift was seen before retraining on them (default 1200). */
  retrainRows?: number;
  /** Retrain when window MAE > driftFactor × the held-out MAE (default 2.5). */
  driftFactor?: number;
  /** Windows with fewer predictions are ignored (default 50). */
  minWindowCount?: number;
  epochs?: number;
}

interface Status {
  next: number;
  serving?: { version: string; heldOutMaeSec: number };
  /** Trips seen when drift of the serving version was first observed (-1: none). */
  driftAt: number;
  seen: number;
}

const MAX_TIMESTAMP = 2 ** 63;

export class Retrainer {
  private trips!: ValueState<LabelledTrip[]>;
  private status!: ValueState<Status>;
  constructor(private readonly o: RetrainerOptions) {
    if (!o.modelsDir && !o.publishTo) throw new Error('Retrainer needs modelsDir or publishTo');
  }

  open(ctx: RuntimeContext): void {
    this.trips = ctx.getState(new ValueStateDescriptor<LabelledTrip[]>('recent-trips'));
    this.status = ctx.getState(new ValueStateDescriptor<Status>('training-status'));
  }

  async processElement1(
    trip: LabelledTrip,
    ctx: KeyedProcessContext<number>,
    out: Collector<Published>,
  ): Promise<void> {
    const keep = Math.max(this.o.initialRows ?? 3000, this.o.retrainRows ?? 1200);
    const trips = this.trips.value() ?? [];
    trips.push(trip);
    if (trips.length > keep * 1.5) trips.splice(0, trips.length - keep);
    this.trips.update(trips);
    const st = this.status.value() ?? { next: 1, driftAt: -1, seen: 0 };
    if (st.seen === 0) ctx.timerService().registerEventTimeTimer(MAX_TIMESTAMP); // end of input → _done
    st.seen++;
    this.status.update(st);
    if (!st.serving && trips.length >= (this.o.initialRows ?? 3000)) {
      await this.train(trips.slice(-(this.o.initialRows ?? 3000)), 'initial model', st, ctx, out);
    } else if (st.driftAt >= 0 && st.seen - st.driftAt >= (this.o.retrainRows ?? 1200)) {
      await this.train(
        trips.slice(-(this.o.retrainRows ?? 1200)),
        `MAE drifted above ${this.o.driftFactor ?? 2.5}x the held-out MAE`,
        st,
        ctx,
        out,
      );
    }
  }

  processElement2(w: WindowMae): void {
    const st = this.status.value();
    const serving = st?.serving;
    if (!st || !serving || w.version !== serving.version || w.count < (this.o.minWindowCount ?? 50) || st.driftAt >= 0)
      return;
    if (w.maeSec > (this.o.driftFactor ?? 2.5) * serving.heldOutMaeSec) {
      st.driftAt = st.seen;
      this.status.update(st);
    }
  }

  onTimer(_ts: number, ctx: OnTimerContext<number>, _out: Collector<Published>): void {
    if (this.o.publishTo) ctx.output(this.o.publishTo, endOfModels(0));
    else platform.files.writeText(join(this.o.modelsDir!, DONE_FILE), '');
  }

  private async train(
    rows: LabelledTrip[],
    reason: string,
    st: Status,
    ctx: KeyedProcessContext<number>,
    out: Collector<Published>,
  ): Promise<void> {
    const version = `v${st.next}`;
    const dataToMs = rows[rows.length - 1]!.dropoffMs;
    const trained = await trainTaxiModel({
      seed: 1000 + st.next,
      trips: rows,
      epochs: this.o.epochs ?? 4,
      version,
      trainedAt: dataToMs,
    });
    if (this.o.publishTo) ctx.output(this.o.publishTo, { descriptor: trained.onnx });
    else
      publishModel(this.o.modelsDir!, trained.onnx, `model-${String(st.next).padStart(4, '0')}`, encodeDescriptorJson);
    st.next++;
    st.serving = { version, heldOutMaeSec: trained.metrics.maeSec };
    st.driftAt = -1;
    this.status.update(st);
    out.collect({
      version,
      trainRows: rows.length,
      heldOutMaeSec: Math.round(trained.metrics.maeSec),
      reason,
      dataToMs,
    });
  }
}
