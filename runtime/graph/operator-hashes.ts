/**
 * Generated uids for operators that have none, from the topology alone, as Flink's StreamGraphHasherV2:
 * nodes are visited breadth-first from the sources (sources and outputs in node-id order, a node once all
 * its inputs are hashed); a node's hash covers its position in that traversal, how many operators chain
 * to it, and the hashes of its inputs (with input index and partitioner). Names, parallelism and user code
 * do not count, so renaming an operator or changing parallelism keeps the uid; inserting, removing or
 * re-wiring an upstream operator changes it — which is why savepoint compatibility needs explicit uids.
 *
 * Invariant: the same job module builds the same uids in every process and in every run.
 */
import { createHash } from 'node:crypto';
import { warnOnce } from '../api/deprecation.js';
import type { StreamGraph, StreamNode } from './stream-graph.js';

/** Hashes of every node (explicit uids included, as inputs of others), keyed by node id. */
export function topologyHashes(sg: StreamGraph): Map<number, string> {
  const hashes = new Map<number, string>();
  const sources = [...sg.nodes.values()].filter((n) => n.inputs.length === 0).sort((a, b) => a.id - b.id);
  const queue: StreamNode[] = [...sources];
  const queued = new Set(queue.map((n) => n.id));
  while (queue.length) {
    const node = queue.shift()!;
    if (!node.inputs.every((e) => hashes.has(e.sourceId))) {
      queued.delete(node.id); // re-queued when its last input is hashed
      continue;
    }
    const h = createHash('sha256');
    h.update(`position:${hashes.size};`);
    h.update(`chained:${node.outputs.filter((e) => e.partitioner === 'forward' && !e.sideOutputTag).length};`);
    for (const e of node.inputs)
      h.update(`in:${hashes.get(e.sourceId)}:${e.inputIndex}:${e.partitioner}:${e.sideOutputTag ?? ''};`);
    hashes.set(node.id, h.digest('hex').slice(0, 32));
    for (const e of [...node.outputs].sort((a, b) => a.targetId - b.targetId)) {
      if (queued.has(e.targetId) || hashes.has(e.targetId)) continue;
      queued.add(e.targetId);
      queue.push(sg.node(e.targetId));
    }
  }
  return hashes;
}

/**
 * Gives every node without a uid its generated one (`generatedUid`); warns once per process when a
 * stateful operator relies on it, since savepoints then survive only unchanged topologies.
 */
export function assignGeneratedUids(sg: StreamGraph): void {
  const hashes = topologyHashes(sg);
  const unnamed: string[] = [];
  for (const n of sg.nodes.values()) {
    if (n.uid !== undefined) continue;
    n.generatedUid = hashes.get(n.id) ?? `node-${n.id}`;
    if (n.stateful) unnamed.push(n.name);
  }
  if (unnamed.length)
    warnOnce(
      `generated-uid:${sg.jobName}`,
      `stateful operators without a uid (${unnamed.map((n) => `"${n}"`).join(', ')}) got one generated from the job's topology; savepoints restore into the same topology only. Set .uid("…") on them to keep state across changes to the job`,
    );
}
