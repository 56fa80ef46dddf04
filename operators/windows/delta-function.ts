/**
 * DeltaFunction (Flink's `org.apache.flink.streaming.api.functions.windowing.delta.DeltaFunction`): the
 * distance between an old and a new data point, used by DeltaTrigger and DeltaEvictor. A plain function
 * `(old, next) => number` or an object with `getDelta(old, next)`. `EuclideanDistance` is Flink's
 * Euclidean distance over a numeric vector a record yields through an extractor.
 */
import { fnOf } from '../../runtime/api/functions.js';

export type DeltaFunction<T> =
  | ((oldDataPoint: T, newDataPoint: T) => number)
  | { getDelta(oldDataPoint: T, newDataPoint: T): number };

export function deltaFn<T>(f: DeltaFunction<T>): (a: T, b: T) => number {
  return fnOf<(a: T, b: T) => number>(f as never, 'getDelta');
}

/** sqrt(Σ (a_i − b_i)²) over the vectors `extractor` yields (the identity for number arrays). */
export class EuclideanDistance<T> {
  constructor(private readonly extractor: (value: T) => readonly number[] = (v) => v as unknown as number[]) {}
  getDelta(oldDataPoint: T, newDataPoint: T): number {
    const a = this.extractor(oldDataPoint);
    const b = this.extractor(newDataPoint);
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
    return Math.sqrt(sum);
  }
}
