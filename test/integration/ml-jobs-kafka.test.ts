/**
 * The reddit moderation and speculative wine jobs in `--kafka host:port` mode on a 2-worker mini cluster and
 * the in-repo test broker: a `--feed-only` run writes the generated input into the input topic (2 partitions),
 * a `--bounded` run at parallelism 2 scores it up to the offsets present at its start and ends; the output
 * topics, read to their end by a read_committed kafkajs consumer, hold the same properties the file-output
 * tests check: every record scored exactly once, alerts exactly above the threshold, win counts consistent
 * (one winner per record, and the win-count changelog counts each credit exactly once per model, in order).
 * Invariant: every broker, cluster, CLI process and client is closed in teardown, also on failure.
 */
import t, { type Test } from 'tap';
import type { Admin, Kafka } from 'kafkajs';
import { createCommentGenerator, predictDense, trainModerationModel } from '../../jobs/reddit-moderation/index.js';
import { streamStartOf } from '../../jobs/speculative-wine/models.js';
import { runCli, startCluster, submitDetached, type TestCluster, waitFor } from '../support/cluster-harness.js';
import { admin, broker, collect, consumer, kafka } from '../support/kafka/test-kit.js';
import { createTopic } from '../unit/kafka-connectors/helpers.js';

interface Message {
  partition: number;
  key: string | null;
  value: string;
}

/**
 * Every committed message of `topic` (read_committed), read until the consumer's position reached the end
 * offsets the topic had when called (its writers have finished); END_BATCH_PROCESS also reports batches made
 * only of transaction markers, so the position moves past the final commit marker.
 */
async function readTopic(t: Test, k: Kafka, a: Admin, topic: string): Promise<Message[]> {
  const ends = (await a.fetchTopicOffsets(topic)).map((o) => ({ partition: o.partition, high: Number(o.high) }));
  const position = new Map<number, number>();
  const seen: Message[] = [];
  const c = consumer(t, k, `check-${topic}`);
  c.on(c.events.END_BATCH_PROCESS, (e) => {
    if (e.payload.topic === topic) position.set(e.payload.partition, Number(e.payload.lastOffset) + 1);
  });
  await c.connect();
  await c.subscribe({ topics: [topic], fromBeginning: true });
  await c.run({
    eachMessage: async ({ partition, message }) =>
      void seen.push({ partition, key: message.key?.toString() ?? null, value: message.value?.toString() ?? '' }),
  });
  await waitFor(
    `${topic} read to its end ${JSON.stringify(ends)}`,
    () => ends.every((e) => (position.get(e.partition) ?? 0) >= e.high),
    30_000,
  );
  await c.disconnect();
  return seen;
}

/** `sluice run` of `job` with Kafka flags: the feed run, then the bounded processing run; both must succeed. */
async function feedThenProcess(
  t: Test,
  c: TestCluster,
  bootstrap: string,
  job: string,
  args: string[],
): Promise<string> {
  const feed = await runCli(
    t,
    ['run', '-m', c.restUrl, '-p', '2', job, ...args, '--kafka', bootstrap, '--feed-only'],
    60_000,
  );
  t.equal(feed.code, 0, `feed run ends: ${feed.stderr}`);
  const run = await runCli(
    t,
    ['run', '-m', c.restUrl, '-p', '2', job, ...args, '--kafka', bootstrap, '--bounded'],
    60_000,
  );
  t.equal(run.code, 0, `bounded run ends: ${run.stderr}`);
  return run.stdout;
}

t.test('reddit moderation over Kafka: a prediction per comment, alerts exactly above the threshold', async (t) => {
  const N = 1500;
  const THRESHOLD = 0.3;
  const b = await broker(t);
  const k = kafka(b);
  const a = await admin(t, k);
  await createTopic(a, 'reddit.comments', 2);
  const c = await startCluster(t, { workers: 2 });
  await feedThenProcess(t, c, b.address, 'jobs/reddit-moderation/job.ts', [
    'unused-out',
    String(N),
    '20000',
    String(THRESHOLD),
    '300',
  ]);

  const input = await readTopic(t, k, a, 'reddit.comments');
  t.equal(input.length, N, 'the feed wrote every comment once');
  t.same(new Set(input.map((m) => m.partition)), new Set([0, 1]), 'comments spread over both partitions (key = id)');

  const predictions = (await readTopic(t, k, a, 'reddit.predictions')).map((m) => ({
    key: m.key,
    ...(JSON.parse(m.value) as { id: string; probability: number; label: number; version: string }),
  }));
  const alerts = (await readTopic(t, k, a, 'reddit.alerts')).map(
    (m) => JSON.parse(m.value) as { id: string; probability: number; subreddit: string },
  );
  const trained = trainModerationModel({ seed: 1, trainSize: 4000, threshold: THRESHOLD });
  const gen = createCommentGenerator({ seed: 1, labels: true });
  const first = 4000 + Math.max(200, Math.floor(4000 / 4));
  const expectedIds = Array.from({ length: N }, (_, i) => gen(first + i).id).sort();

  t.equal(predictions.length, N, 'one prediction per comment');
  t.same(predictions.map((p) => p.id).sort(), expectedIds, 'exactly the fed comments, none twice');
  t.ok(
    predictions.every((p) => p.key === p.id && p.version === trained.descriptor.version),
    'keyed by comment id, naming the model version',
  );
  const above = predictions
    .filter((p) => p.probability > THRESHOLD)
    .map((p) => p.id)
    .sort();
  t.ok(above.length > 10 && above.length < N / 2, `${above.length} comments above ${THRESHOLD}`);
  t.same(alerts.map((x) => x.id).sort(), above, 'alerts fire exactly for the comments above the threshold');

  const byId = new Map(predictions.map((p) => [p.id, p.probability]));
  let maxErr = 0;
  for (let i = 0; i < 200; i++) {
    const comment = gen(first + i);
    maxErr = Math.max(
      maxErr,
      Math.abs(predictDense(trained.model, trained.vectorizer.transform(comment.body)) - byId.get(comment.id)!),
    );
  }
  t.ok(maxErr < 1e-5, `served probabilities equal the in-JS model (max error ${maxErr})`);
});

t.test(
  'reddit moderation over Kafka, default mode: one unbounded job feeds the comments and scores them from the topic',
  async (t) => {
    const N = 600;
    const b = await broker(t);
    const k = kafka(b);
    const a = await admin(t, k);
    await createTopic(a, 'reddit.comments', 2);
    const c = await startCluster(t, { workers: 2 });
    const jobId = await submitDetached(t, c.restUrl, [
      'jobs/reddit-moderation/job.ts',
      'unused-out',
      String(N),
      '20000',
      '0.5',
      '300',
      '--kafka',
      b.address,
    ]);

    const seen = await collect(
      consumer(t, k, 'check-default'),
      ['reddit.predictions'],
      N,
      'predictions of the fed comments',
    );
    const gen = createCommentGenerator({ seed: 1, labels: true });
    const first = 4000 + Math.max(200, Math.floor(4000 / 4));
    t.same(
      seen.map((m) => (JSON.parse(m.value) as { id: string }).id).sort(),
      Array.from({ length: N }, (_, i) => gen(first + i).id).sort(),
      'each fed comment scored once',
    );
    t.equal(
      (await c.rest.call<{ status: string }>('GET', `/jobs/${jobId}/status`)).status,
      'RUNNING',
      'the topic source is unbounded: the job keeps running',
    );
    const cancel = await runCli(t, ['cancel', '-m', c.restUrl, jobId]);
    t.equal(cancel.code, 0, cancel.stderr);
  },
);

t.test(
  'speculative wine over Kafka: one prediction per sample, win counts add up and count each credit once',
  async (t) => {
    const N = 2000;
    const MODELS = ['big@1', 'linear@1', 'mlp@1'];
    const b = await broker(t);
    const k = kafka(b);
    const a = await admin(t, k);
    await createTopic(a, 'wine.samples', 2);
    const c = await startCluster(t, { workers: 2 });
    await feedThenProcess(t, c, b.address, 'jobs/speculative-wine/job.ts', [
      'unused-out',
      String(N),
      '4000',
      'deadline:5+quality',
      '300',
    ]);

    const predictions = (await readTopic(t, k, a, 'wine.predictions')).map(
      (m) => JSON.parse(m.value) as { id: number; prediction: number; winners: string[] },
    );
    const start = streamStartOf();
    t.equal(predictions.length, N, 'one prediction per sample');
    t.same(
      predictions.map((p) => p.id).sort((x, y) => x - y),
      Array.from({ length: N }, (_, i) => start + i),
      'exactly the fed samples, none twice',
    );
    t.ok(
      predictions.every((p) => p.prediction >= 0 && p.prediction <= 1 && p.winners.length === 1),
      'a probability and exactly one winner per sample',
    );
    const wins: Record<string, number> = {};
    for (const p of predictions) for (const w of p.winners) wins[w] = (wins[w] ?? 0) + 1;
    t.ok(
      Object.keys(wins).every((m) => MODELS.includes(m)),
      `only the three models win: ${JSON.stringify(wins)}`,
    );

    // The win-count changelog: per model (the key), counts 1, 2, 3… in order, the last one equal to its wins.
    const changelog = await readTopic(t, k, a, 'wine.wins');
    const counts = new Map<string, number[]>();
    let wrongKeys = 0;
    for (const m of changelog) {
      const { model, wins: n } = JSON.parse(m.value) as { model: string; wins: number };
      if (m.key !== model) wrongKeys++;
      counts.set(model, [...(counts.get(model) ?? []), n]);
    }
    t.equal(wrongKeys, 0, 'changelog keyed by model');
    t.equal(changelog.length, N, 'one win-count update per credit');
    t.same(
      Object.fromEntries([...counts].map(([m, ns]) => [m, ns.at(-1)])),
      wins,
      'the last count per model equals its wins in the predictions',
    );
    t.ok(
      [...counts.values()].every((ns) => ns.every((n, i) => n === i + 1)),
      'each model counts 1, 2, 3… without gap or repeat',
    );
  },
);
