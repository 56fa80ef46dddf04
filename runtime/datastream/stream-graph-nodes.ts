/**
 * The stream-graph nodes and edges DataStream's transformations add: a one-input operator fed by a stream
 * (`transform`, which every transformation and connector goes through) and a union node fed by several.
 *
 * Invariants: an edge carries the feeding stream's partitioning exactly as the stream holds it (partitioner,
 * key selector, side-output tag, whether the partitioner was chosen explicitly); a new operator takes the
 * environment's default parallelism unless set on it (Flink's rule); a union is an identity map whose
 * inputs all arrive on input 0, never chained, and an implicit forward edge into it becomes rebalance.
 */
import type { OperatorFactory } from '../api/operator.js';
import { SluiceError } from '../errors/catalogue.js';
import { StreamMap } from '../../operators/core/simple.js';
import type { DataStream } from './data-stream.js';

export interface TransformOptions {
  name: string;
  description?: string;
  factory: OperatorFactory;
  stateful?: boolean;
  keyed?: boolean;
  kind?: 'operator' | 'sink';
  sideOutputs?: string[];
}

/** Adds a one-input operator fed by `input`; returns its node id. */
export function addOneInputNode<T>(input: DataStream<T>, opts: TransformOptions): number {
  const env = input.env;
  const node = env.graph.addNode({
    name: opts.name,
    description: opts.description ?? opts.name,
    parallelism: env.getParallelism(), // Flink: the environment default unless set on the operator
    maxParallelism: env.getMaxParallelism(),
    kind: opts.kind ?? 'operator',
    operatorFactory: opts.factory,
    stateful: opts.stateful ?? false,
    keyed: opts.keyed ?? false,
    numInputs: 1,
  });
  for (const s of opts.sideOutputs ?? []) node.sideOutputs.add(s);
  env.graph.addEdge({
    sourceId: input.nodeId,
    targetId: node.id,
    inputIndex: 0,
    partitioner: input.partitioner,
    keySelector: input.keySelector,
    sideOutputTag: input.sideOutputTag,
    explicit: input.explicitPartitioner,
  });
  return node.id;
}

/** Adds the union of `first` and `others` (all of `first`'s environment); returns its node id. */
export function addUnionNode<T>(first: DataStream<T>, others: DataStream<T>[]): number {
  const env = first.env;
  // A union is an identity map with several inputs on input 0.
  const node = env.graph.addNode({
    name: 'Union',
    description: 'Union',
    parallelism: env.getParallelism() === -1 ? env.graph.node(first.nodeId).parallelism : env.getParallelism(),
    maxParallelism: env.getMaxParallelism(),
    kind: 'operator',
    operatorFactory: () => new StreamMap((v: unknown) => v),
    stateful: false,
    keyed: false,
    numInputs: 1,
    chainingAllowed: false,
  });
  for (const s of [first, ...others]) {
    if (s.env !== env) throw new SluiceError('API_INVALID_ARGUMENT', 'union() of streams from different environments');
    const p = s.partitioner === 'forward' && !s.explicitPartitioner ? 'rebalance' : s.partitioner;
    env.graph.addEdge({
      sourceId: s.nodeId,
      targetId: node.id,
      inputIndex: 0,
      partitioner: p,
      keySelector: s.keySelector,
      sideOutputTag: s.sideOutputTag,
      explicit: s.explicitPartitioner,
    });
  }
  return node.id;
}
