/**
 * AsyncDataStream (Flink's): adds an AsyncWaitOperator after a stream.
 *
 *   AsyncDataStream.orderedWait(stream, fn, timeout, TimeUnit.MILLISECONDS, capacity?)
 *   AsyncDataStream.unorderedWait(stream, fn, timeout, TimeUnit.SECONDS, capacity?)
 *   AsyncDataStream.orderedWaitWithRetry(stream, fn, timeout, timeUnit, capacity, retryStrategy)
 *
 * As in Flink the capacity defaults to 100 and a timeout <= 0 means none. Besides `timeout, timeUnit`,
 * a timeout may be given as milliseconds or a Duration without a unit: `orderedWait(s, fn, 500, 10)`.
 * The operator keeps its in-flight elements in operator state, so it needs a uid like every stateful
 * operator.
 */
import type { DurationLike } from '../api/duration-like.js';
import { durationMs } from '../api/duration-like.js';
import { TimeUnit } from '../api/time-unit.js';
import { SluiceError } from '../errors/catalogue.js';
import type { AsyncFunction } from '../../operators/async/async-function.js';
import { AsyncWaitOperator, type OutputMode } from '../../operators/async/async-wait-operator.js';
import type { AsyncRetryStrategy } from '../../operators/async/retry-strategies.js';
import type { DataStream, SingleOutputStreamOperator } from './data-stream.js';

export const DEFAULT_ASYNC_CAPACITY = 100;

type Tail<OUT> = [] | [number] | [number, AsyncRetryStrategy<OUT>] | [AsyncRetryStrategy<OUT>];

function build<IN, OUT>(
  mode: OutputMode,
  given: DataStream<IN> | { stream: DataStream<IN> },
  fn: AsyncFunction<IN, OUT>,
  timeout: DurationLike,
  rest: unknown[],
  withRetry: boolean,
): SingleOutputStreamOperator<OUT> {
  // a KeyedStream keeps its hash partitioning; the operator itself is not keyed (as in Flink)
  const input = given && 'stream' in given && !('transform' in given) ? given.stream : (given as DataStream<IN>);
  if (!input || typeof input.transform !== 'function')
    throw new SluiceError('API_INVALID_ARGUMENT', 'AsyncDataStream: the first argument must be a DataStream');
  let args = rest;
  let timeoutMs: number;
  if (args[0] instanceof TimeUnit) {
    if (typeof timeout !== 'number')
      throw new SluiceError('API_INVALID_ARGUMENT', 'AsyncDataStream: a TimeUnit needs a numeric timeout');
    timeoutMs = args[0].toMillis(timeout);
    args = args.slice(1);
  } else timeoutMs = durationMs(timeout, 'AsyncDataStream timeout');
  let capacity = DEFAULT_ASYNC_CAPACITY;
  if (typeof args[0] === 'number') {
    capacity = args[0];
    args = args.slice(1);
  }
  const retryStrategy = args[0] as AsyncRetryStrategy<OUT> | undefined;
  if (withRetry && (!retryStrategy || typeof retryStrategy.canRetry !== 'function'))
    throw new SluiceError(
      'API_INVALID_ARGUMENT',
      'AsyncDataStream …WithRetry: expected an AsyncRetryStrategy (e.g. new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder(3, 100).ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE).build())',
    );
  const options = { mode, timeoutMs, capacity, ...(withRetry ? { retryStrategy } : {}) };
  new AsyncWaitOperator<IN, OUT>(fn, options); // validates the function and capacity while building
  return input.transform<OUT>({
    name: 'async wait operator',
    description: `async wait operator (${mode.toLowerCase()}, capacity ${capacity}, timeout ${timeoutMs} ms)`,
    factory: () => new AsyncWaitOperator<IN, OUT>(fn, options),
    stateful: true,
  });
}

export const AsyncDataStream = {
  orderedWait<IN, OUT>(
    input: DataStream<IN> | { stream: DataStream<IN> },
    fn: AsyncFunction<IN, OUT>,
    timeout: DurationLike,
    ...rest: [TimeUnit?, number?] | [number?]
  ): SingleOutputStreamOperator<OUT> {
    return build('ORDERED', input, fn, timeout, rest, false);
  },
  unorderedWait<IN, OUT>(
    input: DataStream<IN> | { stream: DataStream<IN> },
    fn: AsyncFunction<IN, OUT>,
    timeout: DurationLike,
    ...rest: [TimeUnit?, number?] | [number?]
  ): SingleOutputStreamOperator<OUT> {
    return build('UNORDERED', input, fn, timeout, rest, false);
  },
  orderedWaitWithRetry<IN, OUT>(
    input: DataStream<IN> | { stream: DataStream<IN> },
    fn: AsyncFunction<IN, OUT>,
    timeout: DurationLike,
    ...rest: [TimeUnit, ...Tail<OUT>] | Tail<OUT>
  ): SingleOutputStreamOperator<OUT> {
    return build('ORDERED', input, fn, timeout, rest, true);
  },
  unorderedWaitWithRetry<IN, OUT>(
    input: DataStream<IN> | { stream: DataStream<IN> },
    fn: AsyncFunction<IN, OUT>,
    timeout: DurationLike,
    ...rest: [TimeUnit, ...Tail<OUT>] | Tail<OUT>
  ): SingleOutputStreamOperator<OUT> {
    return build('UNORDERED', input, fn, timeout, rest, true);
  },
};
