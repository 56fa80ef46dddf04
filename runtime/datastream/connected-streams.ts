/**
 * ConnectedStreams (two inputs sharing state), BroadcastStream and BroadcastConnectedStream. When both
 * inputs are keyed, the operator is keyed: both inputs route key k to the same subtask (same key groups).
 */
import type {
  CoFlatMapFunction,
  CoMapFunction,
  CoProcessFunction,
  KeyedCoProcessFunction,
  KeySelector,
  BroadcastProcessFunction,
  KeyedBroadcastProcessFunction,
} from '../api/functions.js';
import { keySelectorFn } from '../api/functions.js';
import type { OperatorFactory } from '../api/operator.js';
import type { MapStateDescriptor } from '../api/state.js';
import { SluiceError } from '../errors/catalogue.js';
import { CoFlatMapOperator, CoMapOperator, CoProcessOperator } from '../../operators/core/co-process.js';
import { BroadcastProcessOperator } from '../../operators/core/broadcast-process.js';
import { DataStream, SingleOutputStreamOperator, streamClasses } from './data-stream.js';

export interface TwoInputTransformOptions {
  name: string;
  factory: OperatorFactory;
  stateful?: boolean;
  keyed?: boolean;
}

function addTwoInput<O>(
  first: DataStream<unknown>,
  second: DataStream<unknown>,
  opts: TwoInputTransformOptions,
): SingleOutputStreamOperator<O> {
  const env = first.env;
  if (second.env !== env)
    throw new SluiceError('API_INVALID_ARGUMENT', 'connect() of streams from different environments');
  const node = env.graph.addNode({
    name: opts.name,
    description: opts.name,
    parallelism: env.getParallelism(), // Flink: the environment default (-1 = the job's), not an input's
    maxParallelism: env.getMaxParallelism(),
    kind: 'operator',
    operatorFactory: opts.factory,
    stateful: opts.stateful ?? false,
    keyed: opts.keyed ?? false,
    numInputs: 2,
  });
  node.sideOutputs.add('*');
  const edge = (s: DataStream<unknown>, inputIndex: 0 | 1) =>
    env.graph.addEdge({
      sourceId: s.nodeId,
      targetId: node.id,
      inputIndex,
      partitioner: s.partitioner,
      keySelector: s.keySelector,
      sideOutputTag: s.sideOutputTag,
      explicit: s.explicitPartitioner,
    });
  edge(first, 0);
  edge(second, 1);
  return new SingleOutputStreamOperator<O>(env, node.id);
}

export class ConnectedStreams<A, B> {
  constructor(
    readonly first: DataStream<A>,
    readonly second: DataStream<B>,
  ) {}

  private get keyed(): boolean {
    const k1 = this.first.partitioner === 'hash';
    const k2 = this.second.partitioner === 'hash';
    if (k1 !== k2)
      throw new SluiceError('API_INVALID_ARGUMENT', 'connect(): either both inputs are keyed (keyBy) or neither is');
    return k1;
  }

  keyBy<K>(k1: KeySelector<A, K> | string, k2: KeySelector<B, K> | string): ConnectedStreams<A, B> {
    return new ConnectedStreams(
      this.first.keyBy(keySelectorFn(k1 as KeySelector<A, K>)).stream,
      this.second.keyBy(keySelectorFn(k2 as KeySelector<B, K>)).stream,
    );
  }

  process<O>(fn: CoProcessFunction<A, B, O> | KeyedCoProcessFunction<any, A, B, O>): SingleOutputStreamOperator<O> {
    const keyed = this.keyed;
    return addTwoInput<O>(this.first as DataStream<unknown>, this.second as DataStream<unknown>, {
      name: keyed ? 'KeyedCoProcess' : 'CoProcess',
      factory: () => new CoProcessOperator(fn as never),
      stateful: keyed,
      keyed,
    });
  }

  flatMap<O>(fn: CoFlatMapFunction<A, B, O>): SingleOutputStreamOperator<O> {
    const keyed = this.keyed;
    return addTwoInput<O>(this.first as DataStream<unknown>, this.second as DataStream<unknown>, {
      name: 'Co-Flat Map',
      factory: () => new CoFlatMapOperator(fn as never),
      keyed,
    });
  }

  map<O>(fn: CoMapFunction<A, B, O>): SingleOutputStreamOperator<O> {
    const keyed = this.keyed;
    return addTwoInput<O>(this.first as DataStream<unknown>, this.second as DataStream<unknown>, {
      name: 'Co-Map',
      factory: () => new CoMapOperator(fn as never),
      keyed,
    });
  }

  /** Custom two-input operator (used by joins and model serving). */
  transform<O>(opts: TwoInputTransformOptions): SingleOutputStreamOperator<O> {
    return addTwoInput<O>(this.first as DataStream<unknown>, this.second as DataStream<unknown>, {
      ...opts,
      keyed: opts.keyed ?? this.keyed,
    });
  }
}

export class BroadcastStream<T> {
  constructor(
    readonly stream: DataStream<T>,
    readonly descriptors: MapStateDescriptor<any, any>[],
  ) {}
}

export class BroadcastConnectedStream<A, B> {
  constructor(
    readonly first: DataStream<A>,
    readonly broadcast: BroadcastStream<B>,
  ) {}

  process<O>(
    fn: BroadcastProcessFunction<A, B, O> | KeyedBroadcastProcessFunction<any, A, B, O>,
  ): SingleOutputStreamOperator<O> {
    const keyed = this.first.partitioner === 'hash';
    const descriptors = this.broadcast.descriptors;
    return addTwoInput<O>(this.first as DataStream<unknown>, this.broadcast.stream as DataStream<unknown>, {
      name: keyed ? 'KeyedBroadcastProcess' : 'BroadcastProcess',
      factory: () => new BroadcastProcessOperator(fn as never, descriptors),
      stateful: true,
      keyed,
    });
  }
}

streamClasses.ConnectedStreams = ConnectedStreams;
streamClasses.BroadcastStream = BroadcastStream;
streamClasses.BroadcastConnectedStream = BroadcastConnectedStream;
