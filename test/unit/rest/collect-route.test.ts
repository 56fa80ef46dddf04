/**
 * `POST /jobs/:jobid/coordinators/:operatorid` (a client's collect fetch): the version and offset reach the
 * facade as given, the facade's answer is served as is, bad input is refused with Flink's `{"errors":[…]}`
 * naming the field, and an unknown job is a 404.
 */
import t from 'tap';
import { JOB } from './fake-facade.js';
import { setup } from './helpers.js';
import type { CollectResultsReply } from '../../../runtime/rest/cluster-facade.js';

const reply: CollectResultsReply = {
  version: 'c0ffee',
  offset: 7,
  lastCheckpointedOffset: 5,
  checkpointed: true,
  complete: false,
  count: 1,
  serializedResults: Buffer.from([0x2a]).toString('base64'),
  jobStatus: 'RUNNING',
};

t.test('the fetch reaches the facade and its answer is served', async (t) => {
  const { app, facade } = setup(t);
  const asked: unknown[] = [];
  Object.assign(facade, {
    collectResults: (id: string, sinkId: string, request: unknown) => {
      asked.push([id, sinkId, request]);
      return id === JOB ? reply : undefined;
    },
  });
  const url = `/jobs/${JOB}/coordinators/collect-4`;
  const r = await app.inject({ method: 'POST', url, payload: { version: 'c0ffee', offset: 7 } });
  t.equal(r.statusCode, 200);
  t.same(r.json(), reply);
  const first = await app.inject({ method: 'POST', url, payload: { offset: 0 } });
  t.equal(first.statusCode, 200, 'the first request may leave the version out');
  t.same(asked, [
    [JOB, 'collect-4', { version: 'c0ffee', offset: 7 }],
    [JOB, 'collect-4', { version: '', offset: 0 }],
  ]);
  const unknown = await app.inject({
    method: 'POST',
    url: `/jobs/${'0'.repeat(32)}/coordinators/collect-4`,
    payload: { offset: 0 },
  });
  t.equal(unknown.statusCode, 404);
});

t.test('bad input is refused naming the field', async (t) => {
  const { app, facade } = setup(t);
  Object.assign(facade, { collectResults: () => reply });
  const url = `/jobs/${JOB}/coordinators/collect-4`;
  for (const [payload, field] of [
    [{}, 'offset'],
    [{ offset: -1 }, 'offset'],
    [{ offset: 1.5 }, 'offset'],
    [{ offset: 0, version: 3 }, 'version'],
  ] as const) {
    const r = await app.inject({ method: 'POST', url, payload });
    t.equal(r.statusCode, 400, JSON.stringify(payload));
    t.match(r.json(), { errors: [new RegExp(`"${field}"`)] });
  }
});

t.test('a cluster without a collect coordinator says so', async (t) => {
  const { app } = setup(t);
  const r = await app.inject({ method: 'POST', url: `/jobs/${JOB}/coordinators/collect-4`, payload: { offset: 0 } });
  t.equal(r.statusCode, 400);
  t.match(r.json(), { errors: [/no coordinator for client requests/] });
});
