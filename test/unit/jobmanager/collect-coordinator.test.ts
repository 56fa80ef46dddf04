/**
 * The job manager's collect coordinator: fetches go to the current attempt's sink (none: an empty answer
 * the client retries), one at a time per sink, and hold at most the batch in flight; a finished sink's
 * remainder is served to the client by the same protocol and freed as acknowledged, but only for the
 * attempt that finished; the client-liveness rule cancels a running collect job whose client went silent
 * and drops what a finished one still holds, and never touches a job whose client keeps in contact.
 */
import t from 'tap';
import { pack, unpack } from 'msgpackr';
import { CollectBuffer } from '../../../runtime/api/collect-buffer.js';
import { type AskSink, CollectCoordinator } from '../../../runtime/jobmanager/collect-coordinator.js';
import { watchCollectClients } from '../../../runtime/jobmanager/collect-client-watch.js';
import type { JobMaster } from '../../../runtime/jobmanager/job-master.js';
import { installFakeClock } from '../../support/fake-clock.js';

function coordinator(clientTimeoutMs = 10_000) {
  return new CollectCoordinator({ maxBatchBytes: 64, clientTimeoutMs, nowMs: () => Date.now() });
}

/** A sink on "worker" w, asked directly (as the worker's collectFetch handler does). */
function sinkAsker(sinks: Map<unknown, CollectBuffer>): AskSink {
  return async (route, r) => sinks.get(route.worker)?.serve(r.version, r.offset);
}

t.test('fetches reach the current attempt sink; none running gives an empty answer', async (t) => {
  const c = coordinator();
  const sink = new CollectBuffer('v1', 64, false);
  for (let i = 0; i < 5; i++) sink.add(pack(i));
  const ask = sinkAsker(new Map([['w1', sink]]));
  const running = () => ({ status: 'RUNNING', attempt: 0 });
  t.equal((await c.fetch('collect-1', '', 0, running, ask)).version, '', 'no sink opened yet');
  c.opened('collect-1', { attempt: 0, worker: 'w1' });
  const first = await c.fetch('collect-1', '', 0, running, ask);
  t.same({ v: first.version, n: first.results.length }, { v: 'v1', n: 0 }, 'the client learns the version');
  const second = await c.fetch('collect-1', 'v1', 0, running, ask);
  t.same(
    second.results.map((r) => unpack(r)),
    [0, 1, 2, 3, 4],
  );
  t.equal(c.heldBytes(), 5, 'the batch in flight is held until it is encoded');
  c.released(second);
  t.equal(c.heldBytes(), 0);
  const stale = await c.fetch('collect-1', 'v1', 5, () => ({ status: 'RUNNING', attempt: 1 }), ask);
  t.equal(stale.version, '', 'the sink of an older attempt is not asked');
});

t.test('fetches of one sink run one at a time', async (t) => {
  const c = coordinator();
  c.opened('s', { attempt: 0, worker: 'w' });
  let inFlight = 0;
  let most = 0;
  const ask: AskSink = async () => {
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setImmediate(r));
    inFlight--;
    return { version: 'v', offset: 0, lastCheckpointedOffset: 0, checkpointed: false, results: [] };
  };
  const running = () => ({ status: 'RUNNING', attempt: 0 });
  await Promise.all([c.fetch('s', 'v', 0, running, ask), c.fetch('s', 'v', 0, running, ask)]);
  t.equal(most, 1);
});

t.test('a finished sink remainder is served by offset and freed; only the finishing attempt counts', async (t) => {
  const c = coordinator();
  c.opened('s', { attempt: 0, worker: 'w' });
  const never: AskSink = async () => t.fail('a finished job asks no sink') as never;
  c.sinkEnded('s', 0, {
    version: 'v0',
    offset: 0,
    lastCheckpointedOffset: 0,
    checkpointed: false,
    results: [pack('lost')],
  });
  c.opened('s', { attempt: 1, worker: 'w' }); // the job restarted: attempt 0's remainder is void
  c.sinkEnded('s', 1, {
    version: 'v1',
    offset: 3,
    lastCheckpointedOffset: 0,
    checkpointed: false,
    results: [pack('a'), pack('b'), pack('c')],
  });
  const finished = () => ({ status: 'FINISHED', attempt: 1 });
  const r = await c.fetch('s', 'v1', 3, finished, never);
  t.same(
    { complete: r.complete, offset: r.offset, results: r.results.map((x) => unpack(x)) },
    { complete: true, offset: 3, results: ['a', 'b', 'c'] },
  );
  t.equal(c.heldBytes(), 6, 'the remainder (3 encoded one-letter strings) is held until acknowledged');
  const done = await c.fetch('s', 'v1', 6, finished, never);
  t.same({ complete: done.complete, n: done.results.length }, { complete: true, n: 0 });
  t.equal(c.heldBytes(), 0, 'acknowledged: freed');
  c.discard();
  t.equal((await c.fetch('s', 'v1', 6, finished, never)).results.length, 0);
});

t.test('a silent client: the running job is cancelled, a finished one drops its results', async (t) => {
  const clock = installFakeClock(t);
  const logs: string[] = [];
  const cancelled: string[] = [];
  const job = (id: string, status: string, clientExpiresAtMs = 0) =>
    ({ status: { status }, clientExpiresAtMs, cancel: () => cancelled.push(id) }) as unknown as JobMaster;
  const make = () => new CollectCoordinator({ maxBatchBytes: 64, clientTimeoutMs: 5000, nowMs: () => clock.nowMs() });
  const silent = make();
  silent.opened('s', { attempt: 0, worker: 'w' });
  const finished = make();
  finished.opened('s', { attempt: 0, worker: 'w' });
  finished.sinkEnded('s', 0, {
    version: 'v',
    offset: 0,
    lastCheckpointedOffset: 0,
    checkpointed: false,
    results: [pack(1)],
  });
  const fetching = make();
  fetching.opened('s', { attempt: 0, worker: 'w' });
  const heartbeating = make();
  heartbeating.opened('s', { attempt: 0, worker: 'w' });
  const noCollect = make();
  const jm = {
    jobs: new Map([
      ['silent', job('silent', 'RUNNING')],
      ['finished', job('finished', 'FINISHED')],
      ['fetching', job('fetching', 'RUNNING')],
      ['heartbeating', job('heartbeating', 'RUNNING', clock.nowMs() + 60_000)],
      ['no-collect', job('no-collect', 'RUNNING')],
    ]),
    collects: new Map([
      ['silent', silent],
      ['finished', finished],
      ['fetching', fetching],
      ['heartbeating', heartbeating],
      ['no-collect', noCollect],
    ]),
  };
  clock.advance(4000);
  watchCollectClients(jm, (l) => logs.push(l));
  t.same(cancelled, [], 'within the timeout nothing happens');
  fetching.contact();
  clock.advance(2000);
  watchCollectClients(jm, (l) => logs.push(l));
  t.same(cancelled, ['silent'], 'silent for 6 s > 5 s: cancelled; the others are in contact or have no sink');
  t.equal(finished.heldBytes(), 0, "the finished job's unfetched results are dropped");
  t.match(logs, [/Warning: job silent: .*cancelling the job/, /Warning: job finished: .*dropping the 1 bytes/]);
});
