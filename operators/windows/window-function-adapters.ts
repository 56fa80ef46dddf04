/**
 * Flink's WindowFunction (`apply(key, window, input, out)`) and AllWindowFunction (`apply(window, input,
 * out)`) as ProcessWindowFunctions, for `window(...).apply(fn)` and `windowAll(...).apply(fn)`. Plain
 * functions and rich objects (with open/close) are accepted; an object is copied with its prototype and
 * own fields plus a `process` method, so the operator's per-subtask copy and open/close keep working.
 */
import type { Collector, RichFunction } from '../../runtime/api/functions.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import type { ProcessWindowContext, ProcessWindowFunction } from './window-functions.js';
import type { Window } from './window.js';

export type WindowFunctionLike<IN, OUT, K, W extends Window> =
  | ((key: K, window: W, input: IN[], out: Collector<OUT>) => void)
  | (RichFunction & { apply(key: K, window: W, input: IN[], out: Collector<OUT>): void });

export type AllWindowFunctionLike<IN, OUT, W extends Window> =
  | ((window: W, input: IN[], out: Collector<OUT>) => void)
  | (RichFunction & { apply(window: W, input: IN[], out: Collector<OUT>): void });

export function fromWindowFunction<IN, OUT, K, W extends Window>(
  fn: WindowFunctionLike<IN, OUT, K, W>,
): ProcessWindowFunction<IN, OUT, K, W> {
  if (typeof fn === 'function') return (key, ctx, elements, out) => fn(key, ctx.window(), elements, out);
  return withProcess(
    fn,
    function (this: { apply: (...args: unknown[]) => void }, key: K, ctx: ProcessWindowContext<W>, els: IN[], out) {
      this.apply(key, ctx.window(), els, out);
    },
  );
}

export function fromAllWindowFunction<IN, OUT, K, W extends Window>(
  fn: AllWindowFunctionLike<IN, OUT, W>,
): ProcessWindowFunction<IN, OUT, K, W> {
  if (typeof fn === 'function') return (_key, ctx, elements, out) => fn(ctx.window(), elements, out);
  return withProcess(
    fn,
    function (this: { apply: (...args: unknown[]) => void }, _k: K, ctx: ProcessWindowContext<W>, els: IN[], out) {
      this.apply(ctx.window(), els, out);
    },
  );
}

function withProcess(fn: unknown, process: (...args: any[]) => void): any {
  if (!fn || typeof (fn as { apply?: unknown }).apply !== 'function')
    throw new SluiceError(
      'API_INVALID_ARGUMENT',
      'apply(): expected a WindowFunction (a function, or an object with apply(key, window, input, out))',
    );
  const copy = Object.assign(Object.create(Object.getPrototypeOf(fn) as object) as object, fn);
  return Object.assign(copy, { process });
}
