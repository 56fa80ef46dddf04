/**
 * The plan JSON of a job graph in the shape of Flink's `/jobs/:id/plan` (also printed by `sluice info`),
 * and the graph fingerprint every process checks after rebuilding the graph from the same bundle.
 */
import { createHash } from 'node:crypto';
import type { JobGraph } from './job-graph.js';

const SHIP: Record<string, string> = {
  forward: 'FORWARD',
  rebalance: 'REBALANCE',
  rescale: 'RESCALE',
  shuffle: 'SHUFFLE',
  broadcast: 'BROADCAST',
  hash: 'HASH',
};

export interface PlanJson {
  jid: string;
  name: string;
  type: 'STREAMING';
  nodes: Array<{
    id: string;
    parallelism: number;
    operator: string;
    operator_strategy: string;
    description: string;
    optimizer_properties: Record<string, never>;
    inputs?: Array<{ num: number; id: string; ship_strategy: string; exchange: string }>;
  }>;
}

export function planJson(jg: JobGraph, jobId: string): PlanJson {
  return {
    jid: jobId,
    name: jg.jobName,
    type: 'STREAMING',
    nodes: jg.vertices.map((v) => {
      const node: PlanJson['nodes'][number] = {
        id: v.id,
        parallelism: v.parallelism,
        operator: '',
        operator_strategy: '',
        description: v.chain.map((c) => jg.streamGraph.node(c).description).join('<br/> -> '),
        optimizer_properties: {},
      };
      if (v.inputs.length) {
        node.inputs = v.inputs.map((e, num) => ({
          num,
          id: e.sourceVertexId,
          ship_strategy: SHIP[e.partitioner] ?? e.partitioner.toUpperCase(),
          exchange: 'pipelined_bounded',
        }));
      }
      return node;
    }),
  };
}

/** Structural fingerprint: names, uids, parallelism, edges and function sources. */
export function fingerprint(jg: JobGraph): string {
  const h = createHash('sha256');
  for (const v of jg.vertices) {
    h.update(`${v.id}|${v.parallelism}|${v.maxParallelism}|${v.chain.join(',')}\n`);
    for (const c of v.chain) {
      const n = jg.streamGraph.node(c);
      h.update(`${n.name}|${n.uid ?? ''}|${n.kind}|${n.keyed}|${n.stateful}\n`);
    }
    for (const e of v.outputs)
      h.update(
        `${e.id}>${e.targetVertexId}:${e.inputIndex}:${e.partitioner}:${e.sideOutputTag ?? ''}:${e.keySelector ? String(e.keySelector) : ''}\n`,
      );
  }
  return h.digest('hex');
}
