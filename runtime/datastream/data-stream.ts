/**
 * DataStream and SingleOutputStreamOperator: the one-input transformations with Flink's names. A
 * DataStream value is a (node, side-output tag?, partitioning) triple; partitioning calls (keyBy,
 * rebalance, …) only decide the edge the next transformation gets. The nodes and edges transformations
 * add are built in stream-graph-nodes.ts; executeAndCollect and collectAsync's sinks in collect-results.ts.
 */
import type { OutputTag } from '../api/output-tag.js';
import type { Sink } from '../api/source.js';
import { deprecated, warnOnce } from '../api/deprecation.js';
import type { SinkFunction } from '../api/sink-functions.js';
import { Tuple } from '../api/tuple.js';
import { SinkFunctionSink } from '../../operators/sinks/sink-function-sink.js';
import { unsupported } from './unsupported.js';
import { AllWindowedStream } from './windowed-stream.js';
import { CoGroupedStreams, JoinedStreams } from './co-grouped-streams.js';
import {
  fieldOf,
  keySelectorFn,
  type FieldKey,
  type FilterFunction,
  type FlatMapFunction,
  type KeySelector,
  type MapFunction,
  type ProcessFunction,
} from '../api/functions.js';
import type { MapStateDescriptor } from '../api/state.js';
import { SluiceError } from '../errors/catalogue.js';
import type { PartitionerKind } from '../graph/stream-graph.js';
import { StreamFilter, StreamFlatMap, StreamMap } from '../../operators/core/simple.js';
import { ProcessOperator } from '../../operators/core/process.js';
import { SinkWriterOperator } from '../../operators/core/sink-operator.js';
import { PrintSink } from '../../operators/core/basic-sinks.js';
import type { CloseableIterator } from './collect-iterator.js';
import { collectAsync, executeAndCollect } from './collect-results.js';
import { addOneInputNode, addUnionNode, type TransformOptions } from './stream-graph-nodes.js';
import type { StreamExecutionEnvironment } from './environment.js';
import type { KeyedStream } from './keyed-stream.js';
import type { BroadcastConnectedStream, BroadcastStream, ConnectedStreams } from './connected-streams.js';

/**
 * The stream classes DataStream's methods return. Their modules import DataStream (they build on it), so this
 * module cannot import them back without a module cycle: each registers its classes here when it loads, and
 * environment.ts loads them before any DataStream can exist.
 */
export const streamClasses = {} as {
  KeyedStream: typeof KeyedStream;
  ConnectedStreams: typeof ConnectedStreams;
  BroadcastStream: typeof BroadcastStream;
  BroadcastConnectedStream: typeof BroadcastConnectedStream;
};
import { TimestampsAndWatermarksOperator } from '../../operators/watermarks/timestamps-and-watermarks-operator.js';
import type { WatermarkStrategy } from '../../operators/watermarks/watermark-strategy.js';
import type { WindowAssigner } from '../../operators/windows/window-assigner.js';
import type { Window } from '../../operators/windows/window.js';

export type { TransformOptions } from './stream-graph-nodes.js';

export class DataStream<T> {
  constructor(
    readonly env: StreamExecutionEnvironment,
    readonly nodeId: number,
    readonly partitioner: PartitionerKind = 'forward',
    readonly explicitPartitioner = false,
    readonly keySelector?: (v: any) => unknown,
    readonly sideOutputTag?: string,
  ) {}

  protected withPartitioner(p: PartitionerKind): DataStream<T> {
    return new DataStream<T>(this.env, this.nodeId, p, true, undefined, this.sideOutputTag);
  }

  /** Adds a one-input operator fed by this stream; used by every transformation and by connectors. */
  transform<O>(opts: TransformOptions): SingleOutputStreamOperator<O> {
    return new SingleOutputStreamOperator<O>(this.env, addOneInputNode(this, opts));
  }

  map<O>(fn: MapFunction<T, O>): SingleOutputStreamOperator<O> {
    return this.transform({ name: 'Map', factory: () => new StreamMap(fn) });
  }
  flatMap<O>(fn: FlatMapFunction<T, O>): SingleOutputStreamOperator<O> {
    return this.transform({ name: 'Flat Map', factory: () => new StreamFlatMap(fn) });
  }
  filter(fn: FilterFunction<T>): SingleOutputStreamOperator<T> {
    return this.transform({ name: 'Filter', factory: () => new StreamFilter(fn) });
  }
  process<O>(fn: ProcessFunction<T, O>): SingleOutputStreamOperator<O> {
    return this.transform({ name: 'Process', factory: () => new ProcessOperator(fn as never), sideOutputs: ['*'] });
  }

  /**
   * Re-stamps records with the strategy's timestamps and generates its watermarks from here on (Flink's
   * assignTimestampsAndWatermarks); upstream watermarks are dropped except the end-of-input one.
   */
  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<T>): SingleOutputStreamOperator<T> {
    if (!strategy || typeof strategy.createWatermarkGenerator !== 'function')
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        'assignTimestampsAndWatermarks(strategy): expected a WatermarkStrategy',
      );
    const intervalMs = this.env.getConfig().autoWatermarkIntervalIfSet();
    const options = intervalMs === undefined ? {} : { autoWatermarkIntervalMs: intervalMs };
    return this.transform<T>({
      name: 'Timestamps/Watermarks',
      factory: () => new TimestampsAndWatermarksOperator<T>(strategy, options),
    });
  }

  /** All elements in one window operator (parallelism 1), as Flink's windowAll. */
  windowAll<W extends Window>(assigner: WindowAssigner<T, W>): AllWindowedStream<T, W> {
    return new AllWindowedStream<T, W>(
      this.keyBy<number>(() => 0),
      assigner,
    );
  }

  /** Flink 2.x: a KeySelector. Flink 1.x field positions (`keyBy(0)`) and names (`keyBy('word')`) warn once. */
  keyBy<K>(key: KeySelector<T, K>): KeyedStream<T, K>;
  keyBy<K = any>(field: FieldKey, ...moreFields: FieldKey[]): KeyedStream<T, K>;
  keyBy<K>(key: KeySelector<T, K> | FieldKey, ...moreFields: FieldKey[]): KeyedStream<T, K> {
    return new streamClasses.KeyedStream<T, K>(
      this.env,
      this.nodeId,
      keySelectorFn(key, moreFields),
      this.sideOutputTag,
    );
  }

  /** Flink 1.x legacy sinks (`SinkFunction`, `RichSinkFunction`): `invoke(value, context)` per record. */
  addSink(fn: SinkFunction<T>): DataStreamSink {
    deprecated('addSink(SinkFunction)', 'sinkTo(sink)');
    return this.transform<any>({
      name: 'Unnamed',
      kind: 'sink',
      factory: () => new SinkWriterOperator(new SinkFunctionSink(fn) as Sink<unknown>),
    }).asSink();
  }

  /** Selects tuple fields into a new tuple (Flink's `project`). */
  project<O extends Tuple = Tuple>(...fieldIndexes: number[]): SingleOutputStreamOperator<O> {
    if (!fieldIndexes.length || !fieldIndexes.every((i) => Number.isInteger(i) && i >= 0))
      throw new SluiceError('API_INVALID_ARGUMENT', `project(${fieldIndexes.join(', ')}): expected field positions`);
    return this.map((v) => Tuple.fromArray(fieldIndexes.map((i) => fieldOf(v, i))) as O).name('Projection');
  }

  iterate(): never {
    return unsupported(
      'iterate()',
      'iterations were removed in Flink 2.x; feed results back through Kafka, or loop inside a process function',
    );
  }
  global(): never {
    return unsupported('global()', 'send everything to one subtask with setParallelism(1) on the next operator');
  }
  partitionCustom(): never {
    return unsupported('partitionCustom()', 'use keyBy(selector) (key groups), rebalance() or broadcast()');
  }
  writeUsingOutputFormat(): never {
    return unsupported('writeUsingOutputFormat()', 'use sinkTo(FileSink…) or sinkTo(KafkaSink…)');
  }
  writeToSocket(): never {
    return unsupported('writeToSocket()', 'use sinkTo(KafkaSink…) or a custom Sink');
  }
  rebalance(): DataStream<T> {
    return this.withPartitioner('rebalance');
  }
  rescale(): DataStream<T> {
    return this.withPartitioner('rescale');
  }
  shuffle(): DataStream<T> {
    return this.withPartitioner('shuffle');
  }
  forward(): DataStream<T> {
    return this.withPartitioner('forward');
  }
  /** Without descriptors: every element to every subtask. With descriptors: a BroadcastStream for connect(). */
  broadcast(): DataStream<T>;
  broadcast(...descriptors: MapStateDescriptor<any, any>[]): BroadcastStream<T>;
  broadcast(...descriptors: MapStateDescriptor<any, any>[]): DataStream<T> | BroadcastStream<T> {
    const s = this.withPartitioner('broadcast');
    return descriptors.length ? new streamClasses.BroadcastStream<T>(s, descriptors) : s;
  }

  union(...others: DataStream<T>[]): DataStream<T> {
    return new DataStream<T>(this.env, addUnionNode(this, others));
  }

  /** Window join: `.where(key).equalTo(key).window(assigner).apply(joinFunction)`. */
  join<U>(other: DataStream<U>): JoinedStreams<T, U> {
    return new JoinedStreams<T, U>(this, other);
  }

  /** Window coGroup: `.where(key).equalTo(key).window(assigner).apply(coGroupFunction)`. */
  coGroup<U>(other: DataStream<U>): CoGroupedStreams<T, U> {
    return new CoGroupedStreams<T, U>(this, other);
  }

  connect<U>(other: DataStream<U>): ConnectedStreams<T, U>;
  connect<U>(other: BroadcastStream<U>): BroadcastConnectedStream<T, U>;
  connect<U>(other: DataStream<U> | BroadcastStream<U>): ConnectedStreams<T, U> | BroadcastConnectedStream<T, U> {
    if (other instanceof streamClasses.BroadcastStream)
      return new streamClasses.BroadcastConnectedStream<T, U>(this, other);
    return new streamClasses.ConnectedStreams<T, U>(this, other);
  }

  sinkTo(sink: Sink<T, any, any>): DataStreamSink {
    const op = this.transform<any>({
      name: sink.describe?.() ?? 'Sink',
      kind: 'sink',
      factory: () => new SinkWriterOperator(sink as Sink<unknown>),
      stateful: true,
    });
    return new DataStreamSink(op);
  }

  print(prefix?: string): DataStreamSink {
    return this.transform<any>({
      name: 'Print to Std. Out',
      kind: 'sink',
      factory: () => new SinkWriterOperator(new PrintSink(prefix) as Sink<unknown>),
    }).asSink();
  }

  /**
   * Runs the job and returns every element of this (bounded) stream: in this process without a cluster; on a
   * cluster (`sluice run`) the client fetches the results from the job manager while the job runs. The sink's
   * id follows from the graph, so every process that rebuilds the graph names the same sink.
   */
  async executeAndCollect(limit?: number): Promise<T[]> {
    return executeAndCollect(this, limit);
  }

  /**
   * Flink's collectAsync(): sets up collecting this stream's results and returns an iterator over them;
   * the job starts with `env.executeAsync()`, and the iterator then yields results as they arrive (from
   * this process, or fetched from the job manager on a cluster). Closing it early (`close()`, or `break`
   * out of `for await`) cancels the job. Memory stays bounded: in-process a bounded queue back-pressures
   * the job while the program does not consume; the client holds one fetched batch.
   */
  collectAsync(): CloseableIterator<T> {
    return collectAsync(this);
  }
}

export class SingleOutputStreamOperator<T> extends DataStream<T> {
  private get node() {
    return this.env.graph.node(this.nodeId);
  }
  uid(uid: string): this {
    if (!uid) throw new SluiceError('API_INVALID_ARGUMENT', 'uid must be a non-empty string');
    this.node.uid = uid;
    return this;
  }
  name(name: string): this {
    this.node.name = name;
    this.node.description = name;
    return this;
  }
  setParallelism(p: number): this {
    if (!Number.isInteger(p) || p < 1)
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `setParallelism(${p}) on "${this.node.name}": parallelism must be a positive integer`,
      );
    this.node.parallelism = p;
    return this;
  }
  setMaxParallelism(p: number): this {
    this.node.maxParallelism = p;
    return this;
  }
  disableChaining(): this {
    this.node.chainingAllowed = false;
    return this;
  }
  /** Begins a new chain at this operator: not chained to its input, but later operators may chain to it. */
  startNewChain(): this {
    this.node.startsNewChain = true;
    return this;
  }
  setDescription(description: string): this {
    this.node.description = description;
    return this;
  }
  /** Type hints are for Java's erased generics; TypeScript keeps types at compile time, so this does nothing. */
  returns(_typeInfo: unknown): this {
    return this;
  }
  /** Every operator shares the default slot sharing group in sluice; the name is ignored. */
  slotSharingGroup(_name: string): this {
    warnOnce('slotSharingGroup', 'slotSharingGroup() is ignored: every sluice operator is in the default group');
    return this;
  }
  setBufferTimeout(_timeoutMs: number): this {
    warnOnce('setBufferTimeout', 'setBufferTimeout() is ignored: sluice flushes network buffers on its own schedule');
    return this;
  }
  setUidHash(_hash: string): never {
    return unsupported('setUidHash()', 'set a uid with .uid("…"); savepoints map state by uid');
  }
  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    return new DataStream<X>(this.env, this.nodeId, 'forward', false, undefined, tag.id);
  }
  asSink(): DataStreamSink {
    return new DataStreamSink(this);
  }
}

export class DataStreamSink {
  constructor(private readonly op: SingleOutputStreamOperator<any>) {}
  uid(uid: string): this {
    this.op.uid(uid);
    return this;
  }
  name(n: string): this {
    this.op.name(n);
    return this;
  }
  setParallelism(p: number): this {
    this.op.setParallelism(p);
    return this;
  }
}
