/**
 * DeltaEvictor (Flink's): removes every element whose delta to the *last* element of the buffer is at
 * least the threshold, before the window function (default) or after it (`doEvictAfter`). An empty
 * buffer is left alone.
 */
import { SluiceError } from '../../runtime/errors/catalogue.js';
import { type DeltaFunction, deltaFn } from './delta-function.js';
import type { Evictor, TimestampedValue } from './evictors.js';
import type { Window } from './window.js';

export class DeltaEvictor<T, W extends Window> implements Evictor<T, W> {
  private readonly delta: (a: T, b: T) => number;

  private constructor(
    readonly threshold: number,
    readonly deltaFunction: DeltaFunction<T>,
    readonly doEvictAfter: boolean,
  ) {
    this.delta = deltaFn(deltaFunction);
  }

  static of<T, W extends Window = Window>(
    threshold: number,
    deltaFunction: DeltaFunction<T>,
    doEvictAfter = false,
  ): DeltaEvictor<T, W> {
    if (typeof threshold !== 'number' || Number.isNaN(threshold))
      throw new SluiceError('API_INVALID_ARGUMENT', `DeltaEvictor needs a numeric threshold (got ${threshold})`);
    return new DeltaEvictor<T, W>(threshold, deltaFunction, doEvictAfter);
  }

  evictBefore(elements: TimestampedValue<T>[]): void {
    if (!this.doEvictAfter) this.evict(elements);
  }

  evictAfter(elements: TimestampedValue<T>[]): void {
    if (this.doEvictAfter) this.evict(elements);
  }

  private evict(elements: TimestampedValue<T>[]): void {
    const last = elements[elements.length - 1];
    if (!last) return;
    let w = 0;
    for (const e of elements) if (!(this.delta(e.value, last.value) >= this.threshold)) elements[w++] = e;
    elements.length = w;
  }

  toString(): string {
    return `DeltaEvictor(${String(this.deltaFunction)}, ${this.threshold})`;
  }
}
