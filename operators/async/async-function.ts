/**
 * AsyncFunction and ResultFuture (Flink's `org.apache.flink.streaming.api.functions.async`): the user
 * function of async I/O. Three forms are accepted:
 * - an object (or a `RichAsyncFunction` subclass) with `asyncInvoke(input, resultFuture)` and optionally
 *   `timeout(input, resultFuture)`, `open(runtimeContext)`, `close()`;
 * - a function `(input, resultFuture) => void` (Flink's lambda);
 * - a function returning the results, or a promise of them: `async (input) => [out1, out2]`.
 * A returned array (or a promise resolving to one) completes the future; a rejected promise completes it
 * exceptionally; `undefined` leaves completion to `resultFuture`. A synchronous throw fails the task, as in
 * Flink. Only the first completion of a future counts.
 *
 * The default `timeout` completes the future exceptionally with "Async function call has timed out."
 * (code ASYNC_TIMEOUT), which fails the job unless the user overrides `timeout`.
 */
import type { RichFunction } from '../../runtime/api/functions.js';
import { AbstractRichFunction } from '../../runtime/api/rich-functions.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';

export interface ResultFuture<OUT> {
  /** Completes with the results of one input (an array or any iterable; empty emits nothing). */
  complete(results: Iterable<OUT>): void;
  completeExceptionally(error: unknown): void;
}

export interface AsyncFunctionObject<IN, OUT> extends RichFunction {
  asyncInvoke(input: IN, resultFuture: ResultFuture<OUT>): void | Promise<unknown>;
  timeout?(input: IN, resultFuture: ResultFuture<OUT>): void;
}

export type AsyncFunction<IN, OUT> =
  | AsyncFunctionObject<IN, OUT>
  | ((input: IN, resultFuture: ResultFuture<OUT>) => void | Iterable<OUT> | Promise<Iterable<OUT> | undefined>);

/** Flink's default AsyncFunction.timeout. */
export function defaultTimeout(_input: unknown, resultFuture: ResultFuture<unknown>): void {
  resultFuture.completeExceptionally(new SluiceError('ASYNC_TIMEOUT', 'Async function call has timed out.'));
}

/**
 * Flink's RichAsyncFunction: the class users extend, with `getRuntimeContext()`, default `open`/`close` and
 * Flink's default `timeout` (override it to complete the future otherwise).
 */
export abstract class RichAsyncFunction<IN, OUT> extends AbstractRichFunction {
  abstract asyncInvoke(input: IN, resultFuture: ResultFuture<OUT>): void | Promise<unknown>;
  timeout(input: IN, resultFuture: ResultFuture<OUT>): void {
    defaultTimeout(input, resultFuture as ResultFuture<unknown>);
  }
}

export interface NormalizedAsyncFunction<IN, OUT> {
  invoke(input: IN, future: ResultFuture<OUT>): void;
  timeout(input: IN, future: ResultFuture<OUT>): void;
}

export function normalizeAsyncFunction<IN, OUT>(fn: AsyncFunction<IN, OUT>): NormalizedAsyncFunction<IN, OUT> {
  const call =
    typeof fn === 'function' ? fn : fn && typeof fn.asyncInvoke === 'function' ? fn.asyncInvoke.bind(fn) : undefined;
  if (!call)
    throw new SluiceError(
      'API_INVALID_ARGUMENT',
      'AsyncDataStream: expected an AsyncFunction (an object with asyncInvoke(input, resultFuture), or a function)',
    );
  const userTimeout = typeof fn === 'object' && typeof fn.timeout === 'function' ? fn.timeout.bind(fn) : undefined;
  return {
    invoke(input, future) {
      const res = call(input, future) as unknown;
      if (res === undefined || res === null) return;
      if (typeof (res as PromiseLike<unknown>).then === 'function') {
        (res as PromiseLike<unknown>).then(
          (v) => {
            if (v !== undefined && v !== null) future.complete(v as Iterable<OUT>);
          },
          (e) => future.completeExceptionally(e),
        );
        return;
      }
      future.complete(res as Iterable<OUT>);
    },
    timeout: userTimeout ?? (defaultTimeout as NormalizedAsyncFunction<IN, OUT>['timeout']),
  };
}
