/**
 * The retraining decisions of the taxi job: a KeyedProcessFunction (one constant key, parallelism 1) over the
 * labelled trips that decides *when* to train and on *what*, and emits a TrainingRequest; the training itself
 * runs off the task's thread (ModelTraining.offThread with `taxiTrainer`), so serving never waits for it.
 * It asks for the first model once `initialRows` labelled trips exist, for a new one every `everyMs` of event
 * time (EventTimeSchedule), and for one when the traffic drifts: the mean of log(seconds per km) over the
 * last `driftRows` trips moves more than `driftFactor`× away from the training window's. Drift is measured on
 * the labelled trips, not on the served predictions' error: a trigger computed from the serving output would
 * close a loop in the dataflow, which an event-time model switch cannot replay.
 *
 * Invariants: trips are buffered in keyed state and handled only when the watermark passes them (an
 * event-time timer per trip timestamp), in (dropoff time, trip id) order — so the decisions, the training
 * rows and the versions are the same on every run over the same input, however the two upstream subtasks
 * interleave. A model requested at event time t serves from t + `publishDelayMs`.
 */
import {
  ValueStateDescriptor,
  type Collector,
  type KeyedProcessContext,
  type OnTimerContext,
  type RuntimeContext,
  type TrainedModel,
  type TrainingRequest,
  type ValueState,
} from 'sluice';
import { EventTimeSchedule } from 'sluice/ml';
import { FEATURE_SCHEMA, trainTaxiModel, zoneDistanceKm } from './index.js';
import type { LabelledTrip } from './trips.js';

export interface WindowMae {
  version: string;
  windowStartMs: number;
  windowEndMs: number;
  count: number;
  maeSec: number;
}

/** The `models-published` row of a trained model. */
export interface Published {
  version: string;
  trainRows: number;
  heldOutMaeSec: number;
  reason: string;
  dataToMs: number;
}

export interface TaxiTrainingInput {
  seed: number;
  trips: LabelledTrip[];
  epochs: number;
}

/** The trainer (run in a worker thread): trains on the request's trips and returns the ONNX model. */
export async function taxiTrainer(input: TaxiTrainingInput): Promise<TrainedModel> {
  const trained = await trainTaxiModel({ seed: input.seed, trips: input.trips, epochs: input.epochs, version: 'x' });
  const m = trained.metrics;
  return {
    descriptor: trained.onnx,
    metrics: {
      maeSec: m.maeSec,
      baselineMaeSec: m.baselineMaeSec,
      globalMeanMaeSec: m.globalMeanMaeSec,
      trainRows: m.trainRows,
      testRows: m.testRows,
    },
    featureSchema: [...FEATURE_SCHEMA],
  };
}

export interface RetrainerOptions {
  /** Labelled trips needed before the first model (default 3000). */
  initialRows?: number;
  /** Trips a retraining learns from (the newest; default 2000). */
  retrainRows?: number;
  /** Event-time period of scheduled retraining (0: only on drift). */
  everyMs?: number;
  /** Trips the drift statistic is computed over (default 2000, about a day: the same mix of hours as a training window). */
  driftRows?: number;
  /** Drift when the recent mean seconds per km differs by more than this factor (default 1.3). */
  driftFactor?: number;
  /** Event time between a request and the model serving (default 1 hour). */
  publishDelayMs?: number;
  epochs?: number;
}

interface Status {
  next: number;
  /** Mean log(seconds per km) of the latest training window (undefined: no model requested yet). */
  reference?: number;
  /** Trips handled since the last request. */
  sinceRequest: number;
  /** Trips seen when drift was first observed (-1: none). */
  driftAt: number;
  seen: number;
  /** The schedule's next point (an event-time timer is registered for it). */
  nextScheduledMs?: number;
}

const logSecPerKm = (t: LabelledTrip) =>
  Math.log(t.durationSec / Math.max(0.5, zoneDistanceKm(t.pickupZone, t.dropoffZone)));
const mean = (xs: readonly LabelledTrip[]) => xs.reduce((s, t) => s + logSecPerKm(t), 0) / xs.length;
const byTime = (a: LabelledTrip, b: LabelledTrip) => a.dropoffMs - b.dropoffMs || (a.tripId < b.tripId ? -1 : 1);

export class Retrainer {
  private pending!: ValueState<LabelledTrip[]>;
  private recent!: ValueState<LabelledTrip[]>;
  private status!: ValueState<Status>;
  constructor(private readonly o: RetrainerOptions) {}

  open(ctx: RuntimeContext): void {
    this.pending = ctx.getState(new ValueStateDescriptor<LabelledTrip[]>('pending-trips'));
    this.recent = ctx.getState(new ValueStateDescriptor<LabelledTrip[]>('recent-trips'));
    this.status = ctx.getState(new ValueStateDescriptor<Status>('training-status'));
  }

  processElement(trip: LabelledTrip, ctx: KeyedProcessContext<number>): void {
    const pending = this.pending.value() ?? [];
    pending.push(trip);
    this.pending.update(pending);
    ctx.timerService().registerEventTimeTimer(ctx.timestamp()!);
  }

  onTimer(ts: number, ctx: OnTimerContext<number>, out: Collector<TrainingRequest<TaxiTrainingInput>>): void {
    const st = this.status.value() ?? { next: 1, sinceRequest: 0, driftAt: -1, seen: 0 };
    const every = this.o.everyMs ?? 0;
    const schedule = every > 0 ? new EventTimeSchedule(every) : undefined;
    const pending = this.pending.value() ?? [];
    const due = pending.filter((t) => t.dropoffMs <= ts).sort(byTime);
    this.pending.update(pending.filter((t) => t.dropoffMs > ts));
    const keep = Math.max(this.o.initialRows ?? 3000, this.o.retrainRows ?? 2000);
    const recent = this.recent.value() ?? [];
    for (const trip of due) {
      recent.push(trip);
      st.seen++;
      st.sinceRequest++;
      this.decide(recent, st, ts, out);
    }
    if (recent.length > keep * 1.5) recent.splice(0, recent.length - keep);
    this.recent.update(recent);
    if (schedule && st.reference !== undefined) {
      if (ts === st.nextScheduledMs) {
        // Whether this point fires on an ordinary watermark or on the end of input's jump to the maximum
        // depends on when periodic watermarks happened to be emitted, so it must not change the decision:
        // trips after the point may still be waiting in serving for the model valid from it (a replay must
        // publish the same models).
        if (st.sinceRequest > 0)
          this.request(
            recent.slice(-(this.o.retrainRows ?? 2000)),
            `scheduled every ${every} ms of event time`,
            st,
            ts,
            out,
          );
        st.nextScheduledMs = undefined;
      }
      // The next point is registered only when trips arrive, so at the end of input (the watermark jumps to
      // its maximum) the schedule stops instead of firing every period up to the end of time.
      if (due.length && st.nextScheduledMs === undefined) {
        st.nextScheduledMs = schedule.nextAfter(ts);
        ctx.timerService().registerEventTimeTimer(st.nextScheduledMs);
      }
    }
    this.status.update(st);
  }

  private decide(
    recent: LabelledTrip[],
    st: Status,
    ts: number,
    out: Collector<TrainingRequest<TaxiTrainingInput>>,
  ): void {
    const initialRows = this.o.initialRows ?? 3000;
    const retrainRows = this.o.retrainRows ?? 2000;
    const driftRows = this.o.driftRows ?? 2000;
    if (st.reference === undefined) {
      if (recent.length >= initialRows) this.request(recent.slice(-initialRows), 'initial model', st, ts, out);
      return;
    }
    if (st.driftAt < 0 && st.sinceRequest >= driftRows && st.sinceRequest % 100 === 0) {
      const drift = Math.exp(Math.abs(mean(recent.slice(-driftRows)) - st.reference));
      if (drift > (this.o.driftFactor ?? 1.3)) st.driftAt = st.seen;
    }
    if (st.driftAt >= 0 && st.seen - st.driftAt >= retrainRows)
      this.request(
        recent.slice(-retrainRows),
        `traffic drifted above ${this.o.driftFactor ?? 1.3}x the training window's seconds per km`,
        st,
        ts,
        out,
      );
  }

  private request(
    rows: LabelledTrip[],
    reason: string,
    st: Status,
    ts: number,
    out: Collector<TrainingRequest<TaxiTrainingInput>>,
  ): void {
    out.collect({
      version: `v${st.next}`,
      input: { seed: 1000 + st.next, trips: rows, epochs: this.o.epochs ?? 4 },
      validFromMs: ts + (this.o.publishDelayMs ?? 3_600_000),
      window: { fromMs: rows[0]!.dropoffMs, toMs: rows[rows.length - 1]!.dropoffMs },
      reason,
    });
    st.next++;
    st.reference = mean(rows);
    st.sinceRequest = 0;
    st.driftAt = -1;
  }
}
