/**
 * The client's side of the collect protocol, driven against a real sink buffer: exactly once across a sink
 * restored from a checkpoint (results beyond lastCheckpointedOffset are dropped and fetched again), results
 * handed out as they arrive without checkpointing (at-least-once after a restart, with a warning), and
 * `exact` mode, which hands out nothing before the job finished.
 */
import t from 'tap';
import { pack, unpack } from 'msgpackr';
import { CollectBuffer } from '../../../runtime/api/collect-buffer.js';
import { type CollectResponse, CollectResultBuffer } from '../../../runtime/cli/collect-result-buffer.js';

/** One request of `client` to `sink`, as the job manager forwards it. */
function fetch(client: CollectResultBuffer, sink: CollectBuffer, complete = false): unknown[] {
  const b = sink.serve(client.version, client.offset);
  const r: CollectResponse = { ...b, complete, results: b.results.map((x) => unpack(x)) };
  return client.accept(r);
}

t.test('with checkpointing: exactly once across a restore, results visible once checkpointed', async (t) => {
  const warnings: string[] = [];
  const client = new CollectResultBuffer(false, (l) => warnings.push(l));
  let sink = new CollectBuffer('v1', 64, true);
  const seen: unknown[] = [];
  const write = (from: number, to: number) => {
    for (let i = from; i < to; i++) sink.add(pack(i));
  };
  write(0, 10);
  seen.push(...fetch(client, sink)); // version '' → learns v1
  while (client.offset < 10) seen.push(...fetch(client, sink));
  t.same(seen, [], 'nothing is visible before a checkpoint covers it');
  fetch(client, sink); // acknowledges 0..9
  const snap = sink.snapshot(1); // acknowledged offset 10
  write(10, 15);
  sink.checkpointComplete(1);
  while (client.offset < 15) seen.push(...fetch(client, sink));
  t.same(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'checkpoint 1 made results 0..9 visible');
  t.equal(client.held(), 5, 'results 10..14 wait for the next checkpoint');

  // the job fails; the sink restarts from checkpoint 1 and the source replays 10..14, then goes on
  sink = new CollectBuffer('v2', 64, true, snap);
  write(10, 20);
  for (let i = 0; i < 20 && client.offset < 20; i++) seen.push(...fetch(client, sink));
  fetch(client, sink);
  sink.snapshot(2);
  sink.checkpointComplete(2);
  seen.push(...fetch(client, sink));
  t.same(
    seen,
    Array.from({ length: 20 }, (_, i) => i),
    'every result exactly once',
  );
  t.same(warnings, []);
});

t.test('without checkpointing: handed out at once; a restart delivers again, with a warning', async (t) => {
  const warnings: string[] = [];
  const client = new CollectResultBuffer(false, (l) => warnings.push(l));
  let sink = new CollectBuffer('v1', 1000, false);
  for (let i = 0; i < 3; i++) sink.add(pack(i));
  const seen = [...fetch(client, sink), ...fetch(client, sink)];
  t.same(seen, [0, 1, 2]);
  sink = new CollectBuffer('v2', 1000, false);
  for (let i = 0; i < 3; i++) sink.add(pack(i));
  seen.push(...fetch(client, sink), ...fetch(client, sink));
  t.same(seen, [0, 1, 2, 0, 1, 2], 'at-least-once, as in Flink');
  t.match(warnings, [/restarted without checkpointing/]);
});

t.test('exact mode hands out nothing before the job finished, so a restart loses and repeats nothing', async (t) => {
  const warnings: string[] = [];
  const client = new CollectResultBuffer(true, (l) => warnings.push(l));
  let sink = new CollectBuffer('v1', 1000, false);
  for (let i = 0; i < 3; i++) sink.add(pack(i));
  t.same([...fetch(client, sink), ...fetch(client, sink)], []);
  sink = new CollectBuffer('v2', 1000, false);
  for (let i = 0; i < 4; i++) sink.add(pack(i));
  const seen = [...fetch(client, sink), ...fetch(client, sink)];
  t.same(seen, []);
  seen.push(...fetch(client, sink, true));
  t.same(seen, [0, 1, 2, 3], 'the finished job: every result of the last run, once');
  t.same(warnings, []);
});
