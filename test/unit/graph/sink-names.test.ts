// Sink operators are named after what they write (the plan of /jobs/:id/plan and `sluice info`, the
// dashboard, task failures): a FileSink by its directory, a KafkaSink by its topic; `.name()` overrides.
import t from 'tap';
import { FileSink, KafkaSink, StreamExecutionEnvironment } from '../../../runtime/exports/index.js';
import { buildJobGraph } from '../../../runtime/graph/job-graph.js';
import { planJson } from '../../../runtime/graph/plan.js';

t.test('plan descriptions name the directory or topic a sink writes', async (t) => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  const kafka = (topic: string | ((v: string) => string)) =>
    KafkaSink.builder<string>()
      .setBootstrapServers('localhost:9092')
      .setRecordSerializer({ topic, serializeValue: (v: string) => v })
      .build();
  const lines = env.fromSequence(0, 9).map((x: number) => String(x));
  lines.sinkTo(new FileSink<string>('out/taxi/predictions')).uid('file');
  lines.sinkTo(kafka('taxi.predictions')).uid('kafka');
  lines.sinkTo(kafka((v) => `t-${v}`)).uid('kafka-per-record');
  lines.sinkTo(new FileSink<string>('out/other')).name('audit trail').uid('named');
  const plan = planJson(buildJobGraph(env.graph, { defaultParallelism: 2 }), '0'.repeat(32));
  const descriptions = plan.nodes.map((n) => n.description).join('\n');
  t.match(descriptions, /^FileSink: out\/taxi\/predictions$/m);
  t.match(descriptions, /^KafkaSink: taxi\.predictions$/m);
  t.match(descriptions, /^KafkaSink: topic per record$/m);
  t.match(descriptions, /^audit trail$/m);
  t.notMatch(descriptions, /FileSink: out\/other/, '.name() replaces the default');
});
