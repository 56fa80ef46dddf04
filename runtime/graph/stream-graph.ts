/**
 * Stream graph: what the user built with the DataStream API — one node per operator, edges carrying the
 * partitioner (and key selector) chosen by keyBy/rebalance/broadcast/…, side-output edges tagged.
 *
 * Invariants: node ids are assigned in construction order, so the same job module builds the same graph
 * in every process (the fingerprint checks it); edges are stored on the target in input order.
 */
import type { OperatorFactory } from '../api/operator.js';
import type { Source } from '../api/source.js';
import { SluiceError } from '../errors/catalogue.js';

export type PartitionerKind = 'forward' | 'rebalance' | 'rescale' | 'shuffle' | 'broadcast' | 'hash';

export interface StreamEdge {
  sourceId: number;
  targetId: number;
  /** 0 for one-input operators and the first input of two-input operators, 1 for the second. */
  inputIndex: 0 | 1;
  partitioner: PartitionerKind;
  /** Set when partitioner is 'hash'. */
  keySelector?: (value: any) => unknown;
  /** Set for edges that carry a side output of the source node. */
  sideOutputTag?: string;
  /** True when the partitioner was chosen by the user (keyBy, rebalance, …) rather than defaulted. */
  explicit: boolean;
}

export interface StreamNode {
  id: number;
  name: string;
  /** Short description for the plan (Flink's `description`/operator type). */
  description: string;
  uid?: string;
  /** Without a uid: the one generated from the topology when the job graph is built (operator-hashes.ts). */
  generatedUid?: string;
  parallelism: number; // -1 = environment default
  maxParallelism: number; // -1 = environment default
  kind: 'source' | 'operator' | 'sink';
  operatorFactory?: OperatorFactory;
  source?: Source<unknown, unknown>;
  /** Source nodes: watermark strategy applied inside the reader (opaque to the graph). */
  watermarkStrategy?: unknown;
  /** Operator declares state (keyed or operator state) and therefore needs a uid. */
  stateful: boolean;
  /** Operator reads keyed state / timers: its inputs are keyed streams. */
  keyed: boolean;
  numInputs: 0 | 1 | 2;
  inputs: StreamEdge[];
  outputs: StreamEdge[];
  chainingAllowed: boolean;
  /** startNewChain(): not chained to its input (later operators may still chain to it). */
  startsNewChain?: boolean;
  /** Side-output tag ids this operator may emit. */
  sideOutputs: Set<string>;
}

export class StreamGraph {
  readonly nodes = new Map<number, StreamNode>();
  jobName = 'sluice job';
  private nextId = 1;

  addNode(
    init: Omit<StreamNode, 'id' | 'inputs' | 'outputs' | 'sideOutputs' | 'chainingAllowed'> & {
      chainingAllowed?: boolean;
    },
  ): StreamNode {
    const node: StreamNode = {
      chainingAllowed: true,
      ...init,
      id: this.nextId++,
      inputs: [],
      outputs: [],
      sideOutputs: new Set(),
    };
    this.nodes.set(node.id, node);
    return node;
  }

  addEdge(edge: StreamEdge): void {
    const src = this.node(edge.sourceId);
    const dst = this.node(edge.targetId);
    src.outputs.push(edge);
    dst.inputs.push(edge);
  }

  node(id: number): StreamNode {
    const n = this.nodes.get(id);
    if (!n) throw new SluiceError('API_INVALID_ARGUMENT', `unknown stream node ${id}`);
    return n;
  }

  sources(): StreamNode[] {
    return [...this.nodes.values()].filter((n) => n.kind === 'source');
  }

  /** Nodes in topological order; throws API_CYCLIC_GRAPH when there is a cycle. */
  topologicalOrder(): StreamNode[] {
    const indeg = new Map<number, number>();
    for (const n of this.nodes.values()) indeg.set(n.id, n.inputs.length);
    const ready = [...this.nodes.values()].filter((n) => n.inputs.length === 0).map((n) => n.id);
    const order: StreamNode[] = [];
    while (ready.length) {
      ready.sort((a, b) => a - b);
      const id = ready.shift()!;
      const n = this.node(id);
      order.push(n);
      for (const e of n.outputs) {
        const d = indeg.get(e.targetId)! - 1;
        indeg.set(e.targetId, d);
        if (d === 0) ready.push(e.targetId);
      }
    }
    if (order.length !== this.nodes.size) {
      const stuck = [...this.nodes.values()].filter((n) => !order.includes(n)).map((n) => `${n.name}(${n.id})`);
      throw new SluiceError('API_CYCLIC_GRAPH', `the stream graph has a cycle through: ${stuck.join(', ')}`);
    }
    return order;
  }
}
