/**
 * `keyBy(...).intervalJoin(other.keyBy(...)).between(lowerMs, upperMs)[.lowerBoundExclusive()]
 * [.upperBoundExclusive()][.sideOutputLeftLateData(tag)][.sideOutputRightLateData(tag)].process(fn)`:
 * Flink's KeyedStream.IntervalJoin builder. Joins left l and right r of the same key when
 * l.ts + lower ≤ r.ts ≤ l.ts + upper, in event time.
 *
 * Invariant: both inputs are keyed with key selectors that yield the same key type; the operator is keyed
 * (both sides route a key to the same subtask) and its state is the two timestamp-indexed buffers.
 */
import { toMillis, type TimeSpan } from '../api/duration.js';
import type { OutputTag } from '../api/output-tag.js';
import { SluiceError } from '../errors/catalogue.js';
import {
  IntervalJoinOperator,
  type IntervalJoinOptions,
  type ProcessJoinFunction,
} from '../../operators/joins/interval-join-operator.js';
import { ConnectedStreams } from './connected-streams.js';
import type { SingleOutputStreamOperator } from './data-stream.js';
import type { KeyedStream } from './keyed-stream.js';

export class IntervalJoin<L, R, K> {
  constructor(
    private readonly left: KeyedStream<L, K>,
    private readonly right: KeyedStream<R, K>,
  ) {
    if (left.env !== right.env)
      throw new SluiceError('API_INVALID_ARGUMENT', 'intervalJoin() of streams from different environments');
  }

  /** Bounds in ms relative to the left element's timestamp; lowerMs ≤ upperMs. */
  between(lower: TimeSpan, upper: TimeSpan): IntervalJoined<L, R, K> {
    const lowerMs = toMillis(lower, 'between');
    const upperMs = toMillis(upper, 'between');
    if (!Number.isFinite(lowerMs) || !Number.isFinite(upperMs))
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `between(${lowerMs}, ${upperMs}): bounds must be finite numbers of milliseconds`,
      );
    if (lowerMs > upperMs)
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `between(${lowerMs}, ${upperMs}): lowerBound must be <= upperBound`,
      );
    return new IntervalJoined(this.left, this.right, lowerMs, upperMs);
  }
}

export class IntervalJoined<L, R, K> {
  private lowerExclusive = false;
  private upperExclusive = false;
  private leftLate: OutputTag<L> | undefined;
  private rightLate: OutputTag<R> | undefined;

  constructor(
    private readonly left: KeyedStream<L, K>,
    private readonly right: KeyedStream<R, K>,
    private readonly lowerMs: number,
    private readonly upperMs: number,
  ) {}

  lowerBoundExclusive(): this {
    this.lowerExclusive = true;
    return this;
  }
  upperBoundExclusive(): this {
    this.upperExclusive = true;
    return this;
  }
  sideOutputLeftLateData(tag: OutputTag<L>): this {
    this.leftLate = tag;
    return this;
  }
  sideOutputRightLateData(tag: OutputTag<R>): this {
    this.rightLate = tag;
    return this;
  }

  process<O>(fn: ProcessJoinFunction<L, R, O>): SingleOutputStreamOperator<O> {
    const options: IntervalJoinOptions<L, R, O> = {
      lowerBoundMs: this.lowerMs,
      upperBoundMs: this.upperMs,
      lowerBoundExclusive: this.lowerExclusive,
      upperBoundExclusive: this.upperExclusive,
      ...(this.leftLate ? { leftLateDataOutputTag: this.leftLate } : {}),
      ...(this.rightLate ? { rightLateDataOutputTag: this.rightLate } : {}),
      function: fn,
    };
    new IntervalJoinOperator(options); // validate now (exclusive bounds that cross, bad function)
    return new ConnectedStreams<L, R>(this.left.stream, this.right.stream).transform<O>({
      name: 'IntervalJoin',
      factory: () => new IntervalJoinOperator(options),
      stateful: true,
      keyed: true,
    });
  }
}
