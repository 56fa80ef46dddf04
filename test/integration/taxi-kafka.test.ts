/**
 * The taxi job in Kafka mode on a 2-worker mini cluster with the test broker: `--feed-only` fills
 * `taxi.trip-events`, then a `--bounded` processing run trains v1 and, after the drift, v2 off-thread,
 * serves them and writes them to `taxi.models`. Checks: every trip is predicted or counted without a model
 * exactly once (EXACTLY_ONCE sinks); every prediction names a published version; the retrained version is
 * served; the model topic holds each version once (the run ends by itself). A second test runs the default mode (feed and
 * process in one job) on an empty broker until v1 serves, then cancels it. Small run: 11 000 trips, the processing run reads at 2 000 events/s,
 * first model at 3 000 labelled trips, drift from day 3, retrained on 1 000 trips.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import * as kit from '../support/kafka/test-kit.js';
import { runCli, startCluster, waitFor } from '../support/cluster-harness.js';
import { KafkaSource, OffsetsInitializer, type KafkaRecord } from '../../operators/connectors/kafka/index.js';
import { decodeDescriptorJson } from '../../operators/ml/descriptor.js';
import { QUIET, pollUntil, readerContext, recordingOutput } from '../unit/kafka-connectors/helpers.js';

/** Every committed record of a topic as it is now (bounded read_committed KafkaSource reader). */
async function readTopic(t: Parameters<typeof kit.broker>[0], address: string, topic: string): Promise<KafkaRecord[]> {
  if (!(await topics(t, address)).includes(topic)) return [];
  const b = KafkaSource.builder()
    .setBootstrapServers(address)
    .setTopics(topic)
    .setBounded(OffsetsInitializer.latest())
    .setDeserializer((r) => r)
    .setProperty('isolation.level', 'read_committed');
  for (const [k, v] of Object.entries(QUIET)) b.setProperty(k, v);
  const source = b.build();
  const reader = source.createReader(readerContext());
  t.teardown(() => reader.close?.());
  const out = recordingOutput<KafkaRecord>();
  reader.addSplits(await source.createSplits(1));
  const status = await pollUntil(reader, out.output, () => false, `the end of ${topic}`);
  if (status !== 'END_OF_INPUT') throw new Error(`${topic}: not read to its end`);
  await reader.close?.();
  return out.emitted.map((e) => e.value);
}
async function topics(t: Parameters<typeof kit.broker>[0], address: string): Promise<string[]> {
  const admin = new Kafka({ brokers: [address], logLevel: logLevel.NOTHING }).admin();
  t.teardown(() => admin.disconnect());
  await admin.connect();
  const list = await admin.listTopics();
  await admin.disconnect();
  return list;
}
const json = <T>(records: KafkaRecord[]): T[] => records.map((r) => JSON.parse(r.value!.toString('utf8')) as T);

t.test(
  'taxi --kafka: fed topic → bounded run trains and serves v1 and a retrained v2, writes them to the model topic, and ends',
  async (t) => {
    const N = 11_000;
    const broker = await kit.broker(t);
    const c = await startCluster(t, { workers: 2 });
    const job = (rate: number, ...flags: string[]) => [
      'run',
      '-m',
      c.restUrl,
      '-p',
      '2',
      'jobs/taxi/job.ts',
      'unused-out',
      String(N),
      String(rate),
      '3',
      '500',
      '3000',
      '1000',
      '--kafka',
      broker.address,
      ...flags,
    ];

    const feed = await runCli(t, job(50_000, '--feed-only'), 60_000);
    t.equal(feed.code, 0, feed.stderr);
    const events = await readTopic(t, broker.address, 'taxi.trip-events');
    t.equal(events.length, 2 * N, 'the feed wrote every request and completion once');

    const started = Date.now();
    const run = await runCli(t, job(2000, '--bounded'), 80_000);
    t.equal(run.code, 0, run.stderr);
    t.comment(`bounded processing run: ${((Date.now() - started) / 1000).toFixed(1)} s`);

    type Published = { version: string; reason: string; trainRows: number };
    const published = json<Published>(await readTopic(t, broker.address, 'taxi.models-published'));
    const maeRows = json<{ version: string; windowStart: string; count: number; maeSec: number }>(
      await readTopic(t, broker.address, 'taxi.mae'),
    );
    for (const name of await topics(t, broker.address))
      t.comment(`${name}: ${(await readTopic(t, broker.address, name)).length} records`);
    t.comment(
      `published: ${JSON.stringify(published)}\nMAE windows: ${maeRows.map((m) => `${m.windowStart.slice(5, 13)} ${m.version} ${m.maeSec.toFixed(0)} s/${m.count}`).join('; ')}`,
    );
    const versions = published.map((p) => p.version);
    t.same(
      versions.slice(0, 2),
      ['v1', 'v2'],
      `the first model, then one retrained after the drift (published: ${versions.join(', ')})`,
    );
    t.match(published[0]!.reason, /initial model/);
    t.match(published[1]!.reason, /traffic drifted/);

    const models = await readTopic(t, broker.address, 'taxi.models');
    const descriptors = models
      .filter((r) => r.value !== null)
      .map((r) => ({ key: r.key?.toString(), d: decodeDescriptorJson(r.value!.toString('utf8')) }));
    t.same(
      descriptors.map((x) => x.d.version),
      versions,
      'each published version is a descriptor on the model topic, once',
    );
    t.ok(
      descriptors.every((x) => x.key === 'taxi-trip-duration' && x.d.name === 'taxi-trip-duration'),
      'keyed by the model name',
    );

    type Prediction = { tripId: string; version: string; predictedSec: number; actualSec: number };
    const predictions = json<Prediction>(await readTopic(t, broker.address, 'taxi.predictions'));
    const noModel = json<{ tripId: string }>(await readTopic(t, broker.address, 'taxi.no-model'));
    t.equal(
      predictions.length + noModel.length,
      N,
      `every trip predicted (${predictions.length}) or counted without a model (${noModel.length}), once`,
    );
    t.equal(new Set([...predictions, ...noModel].map((p) => p.tripId)).size, N, 'no trip twice');
    t.ok(
      predictions.every((p) => versions.includes(p.version)),
      'every prediction names a published version',
    );
    const byVersion = new Map<string, number>();
    for (const p of predictions) byVersion.set(p.version, (byVersion.get(p.version) ?? 0) + 1);
    t.ok((byVersion.get('v1') ?? 0) > 0, `v1 served ${byVersion.get('v1') ?? 0} trips`);
    t.ok((byVersion.get('v2') ?? 0) > 0, `the retrained v2 served ${byVersion.get('v2') ?? 0} trips`);
    const mae = json<{ version: string; count: number; maeSec: number }>(
      await readTopic(t, broker.address, 'taxi.mae'),
    );
    t.ok(
      mae.some((m) => m.version === 'v2'),
      'MAE windows of the retrained version on taxi.mae',
    );
  },
);

t.test(
  'taxi --kafka default mode on an empty broker: one job feeds and processes; the first model serves live until cancelled',
  async (t) => {
    const t0 = Date.now();
    const broker = await kit.broker(t);
    const c = await startCluster(t, { workers: 2 });
    t.comment(`cluster up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const run = await runCli(
      t,
      [
        'run',
        '-d',
        '-m',
        c.restUrl,
        '-p',
        '2',
        'jobs/taxi/job.ts',
        'unused-out',
        '6000',
        '3000',
        '3',
        '500',
        '1000',
        '2000',
        '--kafka',
        broker.address,
      ],
      60_000,
    );
    t.equal(run.code, 0, run.stderr);
    const submitted = Date.now();
    const jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout)?.[1];
    t.ok(jobId, 'submitted detached');
    type Prediction = { tripId: string; version: string };
    const served = await waitFor(
      'predictions on taxi.predictions',
      async () => {
        const p = json<Prediction>(await readTopic(t, broker.address, 'taxi.predictions'));
        return p.length > 0 && p;
      },
      60_000,
      500,
    );
    t.comment(`first predictions ${((Date.now() - submitted) / 1000).toFixed(1)} s after submission`);
    t.ok(
      served.every((p) => p.version === 'v1'),
      `${served.length} predictions so far, all by v1`,
    );
    const models = await readTopic(t, broker.address, 'taxi.models');
    t.same(
      models.map((r) => decodeDescriptorJson(r.value!.toString('utf8')).version),
      ['v1'],
      'v1, which serves, was written to the model topic',
    );
    const cancel = await runCli(t, ['cancel', '-m', c.restUrl, jobId!], 30_000);
    t.equal(cancel.code, 0, cancel.stderr);
    t.match(cancel.stdout, `Cancelled job ${jobId}.`, 'the unbounded job runs until it is cancelled');
    t.comment(`cancelled ${((Date.now() - t0) / 1000).toFixed(1)} s after the start`);
  },
);
