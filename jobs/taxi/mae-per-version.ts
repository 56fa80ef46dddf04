/**
 * The taxi job's quality measure: mean absolute error of the predicted trip durations per model version
 * and tumbling event-time window (the window function behind `aggregate(absError, …)`), reported both as a
 * `WindowMae` record and as the operator gauge `<version>.maeSec` (the latest window of that version on this
 * subtask), which the dashboard's Quality panel and the metrics endpoints show while the job runs.
 *
 * Invariant: a gauge is registered once per version seen by the subtask and reads the last closed window.
 */
import { ProcessWindowFunction, type Collector, type TimeWindow } from 'sluice';
import type { WindowMae } from './retrainer.js';

export class MaePerVersion extends ProcessWindowFunction<[number, number], WindowMae, string, TimeWindow> {
  private readonly latest = new Map<string, number>();

  process(
    version: string,
    ctx: ProcessWindowFunction.Context<TimeWindow>,
    [sums]: [number, number][],
    out: Collector<WindowMae>,
  ): void {
    const [count, absErrorSum] = sums!;
    const maeSec = absErrorSum / count;
    if (!this.latest.has(version))
      this.getRuntimeContext()
        .getMetricGroup()
        .gauge(`${version}.maeSec`, () => Math.round(this.latest.get(version)! * 10) / 10);
    this.latest.set(version, maeSec);
    out.collect({ version, windowStartMs: ctx.window().start, windowEndMs: ctx.window().end, count, maeSec });
  }
}
