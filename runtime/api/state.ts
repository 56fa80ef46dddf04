/**
 * State declared by operators and user functions, owned by the runtime. Descriptors name a state and
 * give its defaults; handles are synchronous (the heap backend) and scoped to the current key (and
 * namespace, for windows). Values must be msgpack-encodable so snapshots can hold them.
 *
 * Invariant: a descriptor's `name` is unique within its operator; two descriptors with one name must be
 * of the same kind.
 */
export type StateKind = 'value' | 'list' | 'map' | 'reducing' | 'aggregating';

export interface StateTtlConfig {
  ttlMs: number;
  /** OnCreateAndWrite (default) or OnReadAndWrite, as Flink's UpdateType. */
  updateType?: 'OnCreateAndWrite' | 'OnReadAndWrite';
}

abstract class StateDescriptorBase {
  abstract readonly kind: StateKind;
  ttl?: StateTtlConfig;
  constructor(readonly name: string) {
    if (!name || typeof name !== 'string') throw new TypeError('state descriptor needs a non-empty name');
  }
  /** Set by `setQueryable`: the name under which the state is readable by key over REST. */
  queryableStateName?: string;
  enableTimeToLive(ttl: StateTtlConfig): this {
    this.ttl = ttl;
    return this;
  }
  /**
   * Flink's StateDescriptor.setQueryable: the keyed state becomes readable by key, read-only, through
   * `GET /jobs/:jobid/state/:name?key=…` while the job runs (routed to the subtask owning the key's group).
   */
  setQueryable(queryableStateName: string): this {
    if (!queryableStateName || typeof queryableStateName !== 'string')
      throw new TypeError(`state "${this.name}": setQueryable needs a non-empty name`);
    this.queryableStateName = queryableStateName;
    return this;
  }
  isQueryable(): boolean {
    return this.queryableStateName !== undefined;
  }
  getQueryableStateName(): string | undefined {
    return this.queryableStateName;
  }
}

export class ValueStateDescriptor<T> extends StateDescriptorBase {
  readonly kind = 'value' as const;
  declare readonly __t?: T;
  constructor(
    name: string,
    readonly defaultValue?: T,
  ) {
    super(name);
  }
}

export class ListStateDescriptor<T> extends StateDescriptorBase {
  readonly kind = 'list' as const;
  declare readonly __t?: T;
}

export class MapStateDescriptor<K, V> extends StateDescriptorBase {
  readonly kind = 'map' as const;
  declare readonly __k?: K;
  declare readonly __v?: V;
}

export class ReducingStateDescriptor<T> extends StateDescriptorBase {
  readonly kind = 'reducing' as const;
  constructor(
    name: string,
    readonly reduce: (a: T, b: T) => T,
  ) {
    super(name);
  }
}

export interface AggregateFunctionLike<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  merge?(a: ACC, b: ACC): ACC;
}

export class AggregatingStateDescriptor<IN, ACC, OUT> extends StateDescriptorBase {
  readonly kind = 'aggregating' as const;
  constructor(
    name: string,
    readonly aggregate: AggregateFunctionLike<IN, ACC, OUT>,
  ) {
    super(name);
  }
}

export type StateDescriptor =
  | ValueStateDescriptor<any>
  | ListStateDescriptor<any>
  | MapStateDescriptor<any, any>
  | ReducingStateDescriptor<any>
  | AggregatingStateDescriptor<any, any, any>;

export interface State {
  clear(): void;
}

export interface ValueState<T> extends State {
  value(): T | undefined;
  update(value: T | undefined): void;
}

export interface ListState<T> extends State {
  get(): T[];
  add(value: T): void;
  addAll(values: T[]): void;
  update(values: T[]): void;
}

export interface MapState<K, V> extends State {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  putAll(entries: Iterable<[K, V]>): void;
  remove(key: K): void;
  contains(key: K): boolean;
  entries(): IterableIterator<[K, V]>;
  keys(): IterableIterator<K>;
  values(): IterableIterator<V>;
  isEmpty(): boolean;
}

export interface ReducingState<T> extends State {
  get(): T | undefined;
  add(value: T): void;
}

export interface AggregatingState<IN, OUT> extends State {
  get(): OUT | undefined;
  add(value: IN): void;
}

/** Maps a descriptor type to its handle type. */
export type StateOf<D> =
  D extends ValueStateDescriptor<infer T>
    ? ValueState<T>
    : D extends ListStateDescriptor<infer T>
      ? ListState<T>
      : D extends MapStateDescriptor<infer K, infer V>
        ? MapState<K, V>
        : D extends ReducingStateDescriptor<infer T>
          ? ReducingState<T>
          : D extends AggregatingStateDescriptor<infer IN, any, infer OUT>
            ? AggregatingState<IN, OUT>
            : never;

/** Broadcast state: a map replicated to every parallel instance; writable only on the broadcast side. */
export interface ReadOnlyBroadcastState<K, V> {
  get(key: K): V | undefined;
  contains(key: K): boolean;
  immutableEntries(): IterableIterator<[K, V]>;
}

export interface BroadcastState<K, V> extends ReadOnlyBroadcastState<K, V> {
  put(key: K, value: V): void;
  putAll(entries: Iterable<[K, V]>): void;
  remove(key: K): void;
  entries(): IterableIterator<[K, V]>;
  clear(): void;
}

/** Operator (non-keyed) state: list state redistributed on rescale, union state copied to all. */
export interface OperatorStateStore {
  getListState<T>(desc: ListStateDescriptor<T>): ListState<T>;
  getUnionListState<T>(desc: ListStateDescriptor<T>): ListState<T>;
  getBroadcastState<K, V>(desc: MapStateDescriptor<K, V>): BroadcastState<K, V>;
}
