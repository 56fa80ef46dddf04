/**
 * Window join and coGroup builders (Flink's JoinedStreams and CoGroupedStreams):
 *
 *   a.join(b).where(keyA).equalTo(keyB).window(assigner)[.trigger/.evictor/.allowedLateness].apply(fn)
 *   a.coGroup(b).where(keyA).equalTo(keyB).window(assigner)….apply(coGroupFn)
 *
 * As in Flink: each input is tagged by a map, the two are unioned, keyed by the key of their own side,
 * windowed with the given assigner, and a CoGroup window function splits every fired window back into the
 * two sides (operators/windows/co-group-window-function.ts). Output records carry the window's
 * maxTimestamp. The window operator holds state: give the result a uid.
 */
import { keySelectorFn, type KeySelector } from '../api/functions.js';
import { SluiceError } from '../errors/catalogue.js';
import {
  type CoGroupFunction,
  coGroupWindowFunction,
  type FlatJoinFunction,
  type JoinFunction,
  joinAsCoGroup,
  type TaggedUnion,
} from '../../operators/windows/co-group-window-function.js';
import type { Evictor } from '../../operators/windows/evictors.js';
import type { Trigger } from '../../operators/windows/trigger.js';
import type { WindowAssigner } from '../../operators/windows/window-assigner.js';
import type { Window } from '../../operators/windows/window.js';
import type { DataStream, SingleOutputStreamOperator } from './data-stream.js';

export class CoGroupedStreams<T1, T2> {
  constructor(
    readonly input1: DataStream<T1>,
    readonly input2: DataStream<T2>,
    protected readonly kind: 'CoGroup' | 'Join' = 'CoGroup',
  ) {
    if (!input2 || input2.env !== input1.env)
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `${kind.toLowerCase()}(): the other stream must come from the same environment`,
      );
  }

  where<K>(keySelector: KeySelector<T1, K> | string): Where<T1, T2, K> {
    return new Where<T1, T2, K>(this.input1, this.input2, keySelectorFn(keySelector as KeySelector<T1, K>), this.kind);
  }
}

export class JoinedStreams<T1, T2> extends CoGroupedStreams<T1, T2> {
  constructor(input1: DataStream<T1>, input2: DataStream<T2>) {
    super(input1, input2, 'Join');
  }
}

export class Where<T1, T2, K> {
  constructor(
    private readonly input1: DataStream<T1>,
    private readonly input2: DataStream<T2>,
    private readonly key1: (v: T1) => K,
    private readonly kind: 'CoGroup' | 'Join',
  ) {}

  equalTo(keySelector: KeySelector<T2, K> | string): EqualTo<T1, T2, K> {
    return new EqualTo<T1, T2, K>(
      this.input1,
      this.input2,
      this.key1,
      keySelectorFn(keySelector as KeySelector<T2, K>),
      this.kind,
    );
  }
}

export class EqualTo<T1, T2, K> {
  constructor(
    private readonly input1: DataStream<T1>,
    private readonly input2: DataStream<T2>,
    private readonly key1: (v: T1) => K,
    private readonly key2: (v: T2) => K,
    private readonly kind: 'CoGroup' | 'Join',
  ) {}

  window<W extends Window>(assigner: WindowAssigner<TaggedUnion<T1, T2>, W>): WithWindow<T1, T2, K, W> {
    if (!assigner || typeof assigner.assignWindows !== 'function')
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        'window(assigner): not a WindowAssigner (e.g. TumblingEventTimeWindows.of(60_000))',
      );
    return new WithWindow<T1, T2, K, W>(this.input1, this.input2, this.key1, this.key2, assigner, this.kind);
  }
}

export class WithWindow<T1, T2, K, W extends Window> {
  private triggerFn: Trigger<TaggedUnion<T1, T2>, W> | undefined;
  private evictorFn: Evictor<TaggedUnion<T1, T2>, W> | undefined;
  private latenessMs = 0;

  constructor(
    private readonly input1: DataStream<T1>,
    private readonly input2: DataStream<T2>,
    private readonly key1: (v: T1) => K,
    private readonly key2: (v: T2) => K,
    private readonly assigner: WindowAssigner<TaggedUnion<T1, T2>, W>,
    private readonly kind: 'CoGroup' | 'Join',
  ) {}

  trigger(trigger: Trigger<TaggedUnion<T1, T2>, W>): this {
    this.triggerFn = trigger;
    return this;
  }
  evictor(evictor: Evictor<TaggedUnion<T1, T2>, W>): this {
    this.evictorFn = evictor;
    return this;
  }
  allowedLateness(ms: number): this {
    this.latenessMs = ms;
    return this;
  }

  /** Join: a JoinFunction `(a, b) => out` or FlatJoinFunction `(a, b, out) => void`; coGroup: a CoGroupFunction. */
  apply<O>(fn: JoinFunction<T1, T2, O>): SingleOutputStreamOperator<O>;
  apply<O>(fn: FlatJoinFunction<T1, T2, O>): SingleOutputStreamOperator<O>;
  apply<O>(fn: CoGroupFunction<T1, T2, O>): SingleOutputStreamOperator<O>;
  apply<O>(
    fn: CoGroupFunction<T1, T2, O> | JoinFunction<T1, T2, O> | FlatJoinFunction<T1, T2, O>,
  ): SingleOutputStreamOperator<O> {
    const coGroup =
      this.kind === 'Join'
        ? joinAsCoGroup(fn as JoinFunction<T1, T2, O> | FlatJoinFunction<T1, T2, O>)
        : (fn as CoGroupFunction<T1, T2, O>);
    if (typeof coGroup !== 'function' && typeof (coGroup as { coGroup?: unknown })?.coGroup !== 'function')
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        'coGroup().apply(): expected a CoGroupFunction (a function or an object with coGroup())',
      );
    const tagged1 = this.input1.map((v: T1): TaggedUnion<T1, T2> => ({ t: 1, v })).name(`${this.kind}: tag input 1`);
    const tagged2 = this.input2.map((v: T2): TaggedUnion<T1, T2> => ({ t: 2, v })).name(`${this.kind}: tag input 2`);
    const { key1, key2 } = this;
    let windowed = tagged1
      .union(tagged2)
      .keyBy((u: TaggedUnion<T1, T2>) => (u.t === 1 ? key1(u.v) : key2(u.v)))
      .window(this.assigner);
    if (this.triggerFn) windowed = windowed.trigger(this.triggerFn);
    if (this.evictorFn) windowed = windowed.evictor(this.evictorFn);
    if (this.latenessMs) windowed = windowed.allowedLateness(this.latenessMs);
    return windowed.process(coGroupWindowFunction<T1, T2, O, K, W>(coGroup)).name(`Window ${this.kind}`);
  }
}
