/**
 * One Nexmark query as a job: the Nexmark source (persons, auctions, bids) → the query → a discarding sink,
 * as Nexmark's benchmark runs them (a blackhole sink, so the engine is measured, not the output). With
 * `--out dir` the results go to JSON-lines files through the exactly-once FileSink instead.
 *
 * Args: <query: q0|q1|q2|q3|q4|q5|q7|q8|q9|q11|q12> [events=1000000] [eventsPerSecond=10000 (event time)]
 *       [maxEmitPerSecond=0 (unlimited)] [--out dir]
 * A bad query name or Nexmark option fails at submission with the option named.
 */
import { FileSink, NexmarkSource, type Sink, StreamExecutionEnvironment, WatermarkStrategy, jobArgs } from 'sluice';
import { QUERIES, QUERY_BUILDERS, type QueryName } from './queries.js';

const args = jobArgs();
const outAt = args.indexOf('--out');
const outDir = outAt >= 0 ? args[outAt + 1] : undefined;
const positional = outAt >= 0 ? args.filter((_, i) => i !== outAt && i !== outAt + 1) : args;
const [query = 'q0', events = '1000000', eventsPerSecond = '10000', maxEmit = '0'] = positional;
if (!(QUERIES as readonly string[]).includes(query)) {
  throw new Error(`unknown Nexmark query "${query}"; sluice implements ${QUERIES.join(', ')}`);
}

const discard: Sink<unknown> = { createWriter: () => ({ write() {} }) };

const env = StreamExecutionEnvironment.getExecutionEnvironment();
const source = new NexmarkSource({
  events: events === 'Infinity' ? Number.POSITIVE_INFINITY : Number(events),
  eventsPerSecond: Number(eventsPerSecond),
  maxEmitPerSecond: Number(maxEmit),
});
const stream = env
  .fromSource(source, WatermarkStrategy.forMonotonousTimestamps(), 'Nexmark source')
  .uid('nexmark-source');
const results = QUERY_BUILDERS[query as QueryName](stream);
if (outDir) {
  results.sinkTo(new FileSink<unknown>(outDir)).uid(`nexmark-${query}-file-sink`).name(`FileSink: ${outDir}`);
} else {
  results.sinkTo(discard).uid(`nexmark-${query}-discard`).name('Discarding sink');
}
await env.execute(`Nexmark ${query}`);
