/**
 * Job graph: the stream graph with operator chaining applied — consecutive operators joined by a forward
 * edge with equal parallelism run as one task (plain function calls). Also resolves parallelism and max
 * parallelism and validates the program (unique uids, p ≤ maxP, side outputs); operators without a uid get
 * one generated from the topology (operator-hashes.ts).
 *
 * Invariants: vertex ids are 32 lower-case hex derived from the head operator's uid (or its node id when
 * it has none), so they are stable across processes; `chain` lists node ids head first; only a chain's
 * tail has outgoing job edges.
 */
import { createHash } from 'node:crypto';
import { SluiceError } from '../errors/catalogue.js';
import { computeDefaultMaxParallelism } from '../keygroups/index.js';
import { assignGeneratedUids } from './operator-hashes.js';
import type { PartitionerKind, StreamGraph, StreamNode } from './stream-graph.js';

export interface JobEdge {
  id: string;
  sourceVertexId: string;
  targetVertexId: string;
  inputIndex: 0 | 1;
  partitioner: PartitionerKind;
  keySelector?: (value: any) => unknown;
  sideOutputTag?: string;
  /** The stream node that emits on this edge (a chain's tail, or a chained source for its side outputs). */
  sourceNodeId: number;
}

export interface JobVertex {
  id: string;
  name: string;
  parallelism: number;
  maxParallelism: number;
  /** Stream node ids, head first. */
  chain: number[];
  inputs: JobEdge[];
  outputs: JobEdge[];
  isSource: boolean;
}

/** Flink's task name with subtasks, as logs and exception histories show it: `Map -> Sink: x (2/4)` (1-based). */
export function taskNameWithSubtasks(v: Pick<JobVertex, 'name' | 'parallelism'>, subtaskIndex: number): string {
  return `${v.name} (${subtaskIndex + 1}/${v.parallelism})`;
}

export interface JobGraph {
  jobName: string;
  vertices: JobVertex[]; // topological
  streamGraph: StreamGraph;
  vertexOfNode: Map<number, string>;
}

export interface JobGraphOptions {
  defaultParallelism: number;
  defaultMaxParallelism?: number; // -1/undefined = derived per operator
}

export function hex32(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 32);
}

function resolveParallelism(sg: StreamGraph, opts: JobGraphOptions): void {
  for (const n of sg.nodes.values()) {
    if (n.parallelism === -1) n.parallelism = opts.defaultParallelism;
    if (!Number.isInteger(n.parallelism) || n.parallelism < 1) {
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `operator "${n.name}" has parallelism ${n.parallelism}; it must be a positive integer`,
      );
    }
    if (n.maxParallelism === -1) {
      n.maxParallelism =
        opts.defaultMaxParallelism && opts.defaultMaxParallelism > 0
          ? opts.defaultMaxParallelism
          : computeDefaultMaxParallelism(n.parallelism);
    }
    if (n.maxParallelism > 32768) {
      throw new SluiceError(
        'API_PARALLELISM_ABOVE_MAX',
        `operator "${n.name}" has max parallelism ${n.maxParallelism}; the upper bound is 32768`,
      );
    }
    if (n.parallelism > n.maxParallelism) {
      throw new SluiceError(
        'API_PARALLELISM_ABOVE_MAX',
        `operator "${n.name}" has parallelism ${n.parallelism} above its max parallelism ${n.maxParallelism}`,
      );
    }
  }
  // Keyed inputs of one operator must agree on max parallelism (key groups); use the downstream value.
  for (const n of sg.nodes.values()) {
    for (const e of n.inputs) {
      if (e.partitioner === 'forward' && !e.explicit && sg.node(e.sourceId).parallelism !== n.parallelism)
        e.partitioner = 'rebalance'; // Flink's default
      if (e.partitioner === 'forward' && sg.node(e.sourceId).parallelism !== n.parallelism) {
        throw new SluiceError(
          'API_INVALID_ARGUMENT',
          `forward edge from "${sg.node(e.sourceId).name}" (parallelism ${sg.node(e.sourceId).parallelism}) to "${n.name}" (parallelism ${n.parallelism}) needs equal parallelism; use rebalance() or rescale()`,
        );
      }
    }
  }
}

function validate(sg: StreamGraph): void {
  const uids = new Map<string, StreamNode>();
  for (const n of sg.nodes.values()) {
    if (n.uid !== undefined) {
      const other = uids.get(n.uid);
      if (other)
        throw new SluiceError(
          'API_DUPLICATE_UID',
          `operators "${other.name}" and "${n.name}" share the uid "${n.uid}"; uids must be unique`,
        );
      uids.set(n.uid, n);
    }
    for (const e of n.outputs) {
      if (
        e.sideOutputTag !== undefined &&
        !n.sideOutputs.has(e.sideOutputTag) &&
        n.sideOutputs.size > 0 &&
        !n.sideOutputs.has('*')
      ) {
        throw new SluiceError(
          'API_UNKNOWN_SIDE_OUTPUT',
          `getSideOutput("${e.sideOutputTag}") on "${n.name}", which does not emit that side output`,
        );
      }
    }
  }
}

/**
 * The node `from` chains into, if any: its only main output, forward, to a one-input node of the same
 * parallelism. A source may also have side-output edges (MALFORMED_TAG) and still chain: they leave the
 * chain as outputs of the vertex, emitted by the source's head output.
 */
function chainable(sg: StreamGraph, from: StreamNode): StreamNode | undefined {
  const main = from.kind === 'source' ? from.outputs.filter((o) => o.sideOutputTag === undefined) : from.outputs;
  if (main.length !== 1) return undefined;
  const e = main[0]!;
  if (e.partitioner !== 'forward' || e.sideOutputTag !== undefined) return undefined;
  const to = sg.node(e.targetId);
  if (to.inputs.length !== 1 || to.numInputs !== 1) return undefined;
  if (!to.chainingAllowed || !from.chainingAllowed || to.startsNewChain) return undefined;
  if (to.parallelism !== from.parallelism) return undefined;
  return to;
}

export function buildJobGraph(sg: StreamGraph, opts: JobGraphOptions): JobGraph {
  const order = sg.topologicalOrder();
  // default partitioners: forward when parallelism matches, else rebalance (as Flink)
  resolveParallelism(sg, opts);
  validate(sg);
  assignGeneratedUids(sg);
  const vertexOfNode = new Map<number, string>();
  const vertices: JobVertex[] = [];
  for (const n of order) {
    if (vertexOfNode.has(n.id)) continue;
    const chain = [n.id];
    let cur = n;
    for (let next = chainable(sg, cur); next; next = chainable(sg, cur)) {
      chain.push(next.id);
      cur = next;
    }
    const id = hex32(n.uid !== undefined ? `uid:${n.uid}` : `node:${n.id}:${n.name}`);
    const names = chain.map((c) => sg.node(c).name);
    const v: JobVertex = {
      id,
      name: n.kind === 'source' ? names.join(' -> ') : names.join(' -> '),
      parallelism: n.parallelism,
      maxParallelism: Math.max(...chain.map((c) => sg.node(c).maxParallelism)),
      chain,
      inputs: [],
      outputs: [],
      isSource: n.kind === 'source',
    };
    for (const c of chain) vertexOfNode.set(c, id);
    vertices.push(v);
  }
  const byId = new Map(vertices.map((v) => [v.id, v]));
  for (const v of vertices) {
    const tail = sg.node(v.chain[v.chain.length - 1]!);
    const interior = v.chain.slice(0, -1).map((c) => sg.node(c));
    for (const node of [...interior, tail]) {
      for (const e of node.outputs) {
        const targetVertex = vertexOfNode.get(e.targetId)!;
        if (targetVertex === v.id) continue; // chained
        const target = byId.get(targetVertex)!;
        // keyed targets: key groups are defined by the target's max parallelism
        const je: JobEdge = {
          id: hex32(`edge:${e.sourceId}:${e.targetId}:${e.inputIndex}:${e.sideOutputTag ?? ''}`),
          sourceVertexId: v.id,
          targetVertexId: target.id,
          inputIndex: e.inputIndex,
          partitioner: e.partitioner,
          keySelector: e.keySelector,
          sideOutputTag: e.sideOutputTag,
          sourceNodeId: node.id,
        };
        v.outputs.push(je);
        target.inputs.push(je);
      }
    }
  }
  return { jobName: sg.jobName, vertices, streamGraph: sg, vertexOfNode };
}

/** The uid under which an operator's state is stored: its own, the generated one, or its node id. */
export function operatorUid(node: StreamNode): string {
  return node.uid ?? node.generatedUid ?? `node-${node.id}`;
}

/** Every operator of the job with what its snapshot entries record (uid, parallelism, max parallelism). */
export function jobOperators(jg: JobGraph): Array<{ uid: string; parallelism: number; maxParallelism: number }> {
  return jg.vertices.flatMap((v) =>
    v.chain.map((nid) => {
      const node = jg.streamGraph.node(nid);
      return { uid: operatorUid(node), parallelism: v.parallelism, maxParallelism: node.maxParallelism };
    }),
  );
}
