/**
 * Speculative serving: several models score the same batch concurrently and a declared, combinable
 * strategy picks each row's result:
 * 1. deadline (optional): models whose measured batch duration exceeds `deadlineMs` drop out; if none of
 *    the primaries made it, the `fallback` model's result is used (the fallback always runs);
 * 2. consensus (optional, needs ≥ 3 surviving models): per row, the class (p ≥ threshold, or argmax for
 *    multi-output) most models agree on wins when it has a strict majority; the prediction is the mean of
 *    the agreeing models' values and every agreeing model is credited;
 * 3. quality (optional): the highest confidence per row (|p − threshold| or the max class probability), or
 *    the highest declared metric `descriptor.training.metrics[metric]` for the whole batch;
 * otherwise the first surviving model in declaration order. A model that throws just drops out.
 * Invariants: every row has exactly one result and ≥ 1 winner; win counts are per model id (name@version).
 */
import type { Clock } from '../../runtime/platform/clock.js';
import { SluiceError } from '../../runtime/errors/index.js';
import type { ServingModel } from './model.js';
import type { ServingStats } from './stats.js';

export interface SpeculativeConfig {
  deadlineMs?: number;
  /** Model id (name@version) of the fast fallback; required with deadlineMs. */
  fallback?: string;
  consensus?: { threshold?: number };
  quality?: { by: 'confidence'; threshold?: number } | { by: 'metric'; metric: string; higherIsBetter?: boolean };
}

export interface SpeculativeResult {
  /** Row-major [rows, outputWidth] predictions. */
  predictions: Float32Array;
  outputWidth: number;
  /** Winner model ids per row (consensus may credit several). */
  winners: string[][];
  durationsMs: Record<string, number>;
  /** Ids that missed the deadline or failed. */
  droppedOut: string[];
}

interface Run {
  id: string;
  model: ServingModel;
  out?: Float32Array;
  ms: number;
}

const idOf = (m: ServingModel) => `${m.descriptor.name}@${m.descriptor.version}`;

export class SpeculativeScorer {
  private readonly winCounts = new Map<string, number>();

  constructor(
    private readonly models: ServingModel[],
    private readonly config: SpeculativeConfig,
    private readonly clock: Pick<Clock, 'monotonicMs'>,
    private readonly stats?: ServingStats,
  ) {
    if (models.length === 0)
      throw new SluiceError('API_INVALID_ARGUMENT', 'speculative serving needs at least one model');
    const widths = new Set(models.map((m) => m.outputWidth));
    if (widths.size !== 1)
      throw new SluiceError('API_INVALID_ARGUMENT', 'speculative models must share one output width');
    if (config.deadlineMs !== undefined && !models.some((m) => idOf(m) === config.fallback)) {
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `deadline needs a fallback among the models, got ${config.fallback}`,
      );
    }
  }

  wins(): Record<string, number> {
    return Object.fromEntries(this.models.map((m) => [idOf(m), this.winCounts.get(idOf(m)) ?? 0]));
  }

  async scoreBatch(features: Float32Array, rows: number, width: number): Promise<SpeculativeResult> {
    const ow = this.models[0]!.outputWidth;
    const runs: Run[] = await Promise.all(
      this.models.map(async (model): Promise<Run> => {
        const t0 = this.clock.monotonicMs();
        try {
          const out = await model.scoreBatch(features, rows, width);
          return { id: idOf(model), model, out, ms: this.clock.monotonicMs() - t0 };
        } catch {
          return { id: idOf(model), model, ms: this.clock.monotonicMs() - t0 };
        }
      }),
    );
    const durationsMs = Object.fromEntries(runs.map((r) => [r.id, r.ms]));
    const { deadlineMs, fallback } = this.config;
    let alive = runs.filter((r) => r.out !== undefined && (deadlineMs === undefined || r.ms <= deadlineMs));
    if (deadlineMs !== undefined) {
      const primaries = alive.filter((r) => r.id !== fallback);
      const fb = runs.find((r) => r.id === fallback && r.out !== undefined);
      alive = primaries.length > 0 ? primaries : fb ? [fb] : [];
    }
    const droppedOut = runs.filter((r) => !alive.includes(r)).map((r) => r.id);
    if (alive.length === 0)
      throw new SluiceError('MODEL_BAD_OUTPUT', 'every speculative model failed or missed its deadline');
    const predictions = new Float32Array(rows * ow);
    const winners: string[][] = new Array(rows);
    const metricWinner = this.metricWinner(alive);
    const threshold =
      this.config.consensus?.threshold ?? (this.config.quality as { threshold?: number } | undefined)?.threshold ?? 0.5;
    for (let i = 0; i < rows; i++) {
      let chosen: Run[] | null = null;
      if (this.config.consensus && alive.length >= 3) chosen = this.majority(alive, i, ow, threshold);
      if (!chosen && metricWinner) chosen = [metricWinner];
      if (!chosen && this.config.quality?.by === 'confidence') chosen = [this.mostConfident(alive, i, ow, threshold)];
      if (!chosen) chosen = [alive[0]!];
      for (let j = 0; j < ow; j++) {
        let s = 0;
        for (const r of chosen) s += r.out![i * ow + j]!;
        predictions[i * ow + j] = s / chosen.length;
      }
      winners[i] = chosen.map((r) => r.id);
      for (const r of chosen) {
        this.winCounts.set(r.id, (this.winCounts.get(r.id) ?? 0) + 1);
        this.stats?.get(r.id)?.recordWin();
      }
    }
    return { predictions, outputWidth: ow, winners, durationsMs, droppedOut };
  }

  private classOf(out: Float32Array, i: number, ow: number, threshold: number): number {
    if (ow === 1) return out[i]! >= threshold ? 1 : 0;
    let best = 0;
    for (let j = 1; j < ow; j++) if (out[i * ow + j]! > out[i * ow + best]!) best = j;
    return best;
  }

  private majority(alive: Run[], i: number, ow: number, threshold: number): Run[] | null {
    const groups = new Map<number, Run[]>();
    for (const r of alive) {
      const c = this.classOf(r.out!, i, ow, threshold);
      const g = groups.get(c) ?? [];
      g.push(r);
      groups.set(c, g);
    }
    for (const g of groups.values()) if (g.length * 2 > alive.length) return g;
    return null;
  }

  private mostConfident(alive: Run[], i: number, ow: number, threshold: number): Run {
    const conf = (r: Run) => {
      if (ow === 1) return Math.abs(r.out![i]! - threshold);
      let m = -Infinity;
      for (let j = 0; j < ow; j++) m = Math.max(m, r.out![i * ow + j]!);
      return m;
    };
    return alive.reduce((best, r) => (conf(r) > conf(best) ? r : best));
  }

  private metricWinner(alive: Run[]): Run | null {
    const q = this.config.quality;
    if (q?.by !== 'metric') return null;
    const sign = q.higherIsBetter === false ? -1 : 1;
    let best: Run | null = null;
    let bestV = -Infinity;
    for (const r of alive) {
      const v = r.model.descriptor.training?.metrics[q.metric];
      if (typeof v === 'number' && sign * v > bestV) {
        bestV = sign * v;
        best = r;
      }
    }
    return best;
  }
}
