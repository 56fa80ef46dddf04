import t from 'tap';
import { MALFORMED_TAG, StreamExecutionEnvironment, ValueStateDescriptor } from '../../../runtime/exports/index.js';
import { buildJobGraph } from '../../../runtime/graph/job-graph.js';
import { fingerprint, planJson } from '../../../runtime/graph/plan.js';
import { StreamGraph } from '../../../runtime/graph/stream-graph.js';

function pipeline(p = 2) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(p);
  env
    .fromSequence(0, 9)
    .map((x: number) => x * 2)
    .filter((x: number) => x > 2)
    .keyBy((x: number) => x % 3)
    .process({
      processElement(v: number, _c: unknown, out: { collect(v: number): void }) {
        out.collect(v);
      },
    })
    .uid('proc')
    .print();
  return env;
}

t.test('forward edges with equal parallelism chain; keyBy breaks the chain', async (t) => {
  const jg = buildJobGraph(pipeline().graph, { defaultParallelism: 2 });
  t.equal(jg.vertices.length, 2);
  t.match(jg.vertices[0]!.name, /Source: Sequence Source -> Map -> Filter/);
  t.equal(jg.vertices[0]!.outputs[0]!.partitioner, 'hash');
  t.match(jg.vertices[1]!.name, /KeyedProcess -> Print to Std. Out/);
  t.ok(jg.vertices.every((v) => /^[0-9a-f]{32}$/.test(v.id)));
});

t.test('a source with a consumed MALFORMED_TAG side output still chains its main output', async (t) => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  const src = env.fromSequence(0, 9);
  src
    .map((x: number) => x + 1)
    .keyBy((x: number) => x % 3)
    .print();
  src.getSideOutput(MALFORMED_TAG).print();
  const jg = buildJobGraph(env.graph, { defaultParallelism: 2 });
  const head = jg.vertices[0]!;
  t.match(head.name, /Source: Sequence Source -> Map/, 'source and map share a vertex');
  const side = head.outputs.filter((e) => e.sideOutputTag === MALFORMED_TAG.id);
  t.equal(side.length, 1, 'the side output leaves the chain as an output of the vertex');
  t.equal(side[0]!.sourceNodeId, head.chain[0], 'emitted by the source node, not the chain tail');
  t.equal(head.outputs.filter((e) => e.sideOutputTag === undefined && e.partitioner === 'hash').length, 1);
});

t.test('plan JSON has Flink shape and the fingerprint is stable across rebuilds', async (t) => {
  const a = buildJobGraph(pipeline().graph, { defaultParallelism: 2 });
  const b = buildJobGraph(pipeline().graph, { defaultParallelism: 2 });
  t.equal(fingerprint(a), fingerprint(b));
  const c = buildJobGraph(pipeline(3).graph, { defaultParallelism: 3 });
  t.not(fingerprint(a), fingerprint(c));
  const plan = planJson(a, 'ab'.repeat(16));
  t.equal(plan.type, 'STREAMING');
  t.same(Object.keys(plan.nodes[1]!), [
    'id',
    'parallelism',
    'operator',
    'operator_strategy',
    'description',
    'optimizer_properties',
    'inputs',
  ]);
  t.equal(plan.nodes[1]!.inputs![0]!.ship_strategy, 'HASH');
  t.equal(plan.nodes[1]!.inputs![0]!.exchange, 'pipelined_bounded');
});

t.test('default partitioner between different parallelism is rebalance', async (t) => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  env
    .fromElements(1, 2, 3)
    .map((x: number) => x)
    .print();
  const jg = buildJobGraph(env.graph, { defaultParallelism: 2 });
  t.equal(jg.vertices[0]!.outputs[0]!.partitioner, 'rebalance');
});

t.test('bad programs get specific errors', async (t) => {
  const noUid = StreamExecutionEnvironment.getExecutionEnvironment();
  noUid
    .fromSequence(0, 1)
    .keyBy((x: number) => x)
    .process({ processElement() {} })
    .print();
  // A stateful operator without a uid gets one generated from the topology (operator-hashes.test.ts).
  const generated = buildJobGraph(noUid.graph, { defaultParallelism: 1 });
  t.match([...generated.streamGraph.nodes.values()].find((n) => n.stateful)?.generatedUid, /^[0-9a-f]{32}$/);

  const dup = StreamExecutionEnvironment.getExecutionEnvironment();
  const s = dup.fromSequence(0, 1);
  s.map((x: number) => x)
    .uid('same')
    .print();
  s.map((x: number) => x)
    .uid('same')
    .print();
  t.throws(() => buildJobGraph(dup.graph, { defaultParallelism: 1 }), { code: 'API_DUPLICATE_UID' });

  const tooWide = StreamExecutionEnvironment.getExecutionEnvironment().setMaxParallelism(4);
  tooWide
    .fromSequence(0, 1)
    .map((x: number) => x)
    .setParallelism(8)
    .print();
  t.throws(() => buildJobGraph(tooWide.graph, { defaultParallelism: 1 }), {
    code: 'API_PARALLELISM_ABOVE_MAX',
    message: /parallelism 8 above its max parallelism 4/,
  });

  const sg = new StreamGraph();
  const base = {
    description: 'x',
    parallelism: 1,
    maxParallelism: 128,
    kind: 'operator' as const,
    stateful: false,
    keyed: false,
    numInputs: 1 as const,
  };
  const a = sg.addNode({ ...base, name: 'a' });
  const b = sg.addNode({ ...base, name: 'b' });
  sg.addEdge({ sourceId: a.id, targetId: b.id, inputIndex: 0, partitioner: 'forward', explicit: false });
  sg.addEdge({ sourceId: b.id, targetId: a.id, inputIndex: 0, partitioner: 'forward', explicit: false });
  t.throws(() => buildJobGraph(sg, { defaultParallelism: 1 }), {
    code: 'API_CYCLIC_GRAPH',
    message: /cycle through: a\(1\), b\(2\)/,
  });

  t.throws(() => StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(0), {
    code: 'API_INVALID_ARGUMENT',
  });
  t.throws(() => new ValueStateDescriptor(''), /non-empty name/);
});
