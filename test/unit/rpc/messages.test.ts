import { pack } from 'msgpackr';
import t, { type Test } from 'tap';
import { encodeFrame, type Envelope, FrameDecoder } from '../../../runtime/rpc/frame-codec.js';
import { type ToJobManager, type ToTaskWorker, toJobManager, toTaskWorker } from '../../../runtime/rpc/messages.js';
import {
  type Body,
  type CallKind,
  type Direction,
  type DirectionSpec,
  decodeMessage,
  decodeReply,
  type Kind,
  type Reply,
} from '../../../runtime/rpc/protocol.js';
import { taskKey } from '../../../runtime/api/task-key.js';

const job = { jobId: 'a'.repeat(32), attempt: 2 };
const sub = { ...job, vertexId: 'v1', subtaskIndex: 1 };
const snapshots = [
  { uid: 'counts', keyed: { groups: { 3: [['k', 1]] } }, keyGroupRange: { start: 0, end: 63 }, operator: {} },
  { uid: 'source' },
];

// One sample per kind: the mapped types make a missing kind a compile error.
const toWorkerSamples: { [K in Kind<ToTaskWorker>]: Body<ToTaskWorker, K> } = {
  deploy: {
    ...job,
    bundleCode: 'export {}',
    bundleSha256: 'f'.repeat(64),
    args: ['100', '5'],
    defaultParallelism: 2,
    defaultMaxParallelism: 128,
    fingerprint: 'e'.repeat(64),
    tasks: [{ vertexId: 'v1', subtaskIndex: 0 }],
    placement: { v1: [{ workerId: 'w1', host: '127.0.0.1', dataPort: 4100 }] },
    restore: { [taskKey('v1', 0)]: { counts: { keyed: [{ groups: {} }], operator: { s: [1] } } } },
    checkpointMode: 'EXACTLY_ONCE',
    autoWatermarkIntervalMs: 200,
  },
  cancel: job,
  triggerCheckpoint: { ...job, checkpointId: 7, timestampMs: 1_700_000_000_000, kind: 'SYNC_SAVEPOINT', drain: true },
  notifyCheckpoint: { ...job, checkpointId: 7, completed: false },
  diagnostics: { kind: 'cpuProfile', durationMs: 1000, intervalMs: 10 },
  queryState: { ...sub, name: 'counts', key: ['user', 7] },
  collectFetch: { ...job, sinkId: 'collect-4', version: 'c0ffee', offset: 12 },
};
const toWorkerReplies: { [K in CallKind<ToTaskWorker>]: Reply<ToTaskWorker, K> } = {
  deploy: null,
  cancel: false,
  triggerCheckpoint: true,
  notifyCheckpoint: true,
  diagnostics: [{ name: 'taskworker.log', size: 120, mtime: 1_700_000_000_000 }],
  queryState: { status: 'not-owner', keyGroup: 90, keyGroupRange: { start: 0, end: 63 } },
  collectFetch: {
    status: 'ok',
    version: 'c0ffee',
    offset: 12,
    lastCheckpointedOffset: 10,
    checkpointed: true,
    results: [new Uint8Array([0xa3, 0x61, 0x62, 0x63]), new Uint8Array([0x07])],
  },
};
const toJobManagerSamples: { [K in Kind<ToJobManager>]: Body<ToJobManager, K> } = {
  register: {
    host: '127.0.0.1',
    dataPort: 4100,
    numSlots: 2,
    hardware: { cpuCores: 2, physicalMemory: 8e9, freeMemory: 1e9 },
    memory: { heapLimitBytes: 4e9 },
  },
  heartbeat: {
    workerId: 'w1',
    // a source task's currentInputWatermark reads NaN; rates may be infinite
    metrics: { 'v1.0.numRecordsIn': 12, 'v1.0.currentInputWatermark': Number.NaN, rate: -Infinity, state: 'x' },
    accumulators: { 'v1.0.matched': 4 },
  },
  taskState: {
    ...sub,
    state: 'FAILED',
    error: 'Error: boom',
    metrics: { numRecordsIn: 3 },
    accumulators: { matched: 3 },
  },
  ackCheckpoint: { ...sub, checkpointId: 7, snapshots },
  finalState: { ...sub, snapshots, firstCheckpointId: 8 },
  declineCheckpoint: { ...sub, checkpointId: 7, reason: 'snapshot failed' },
  collectSinkOpened: { ...job, sinkId: 'collect-4', version: 'c0ffee' },
  collectSinkEnded: {
    ...job,
    sinkId: 'collect-4',
    remaining: { version: 'c0ffee', offset: 3, lastCheckpointedOffset: 0, checkpointed: false, results: [] },
  },
};
const toJobManagerReplies: { [K in CallKind<ToJobManager>]: Reply<ToJobManager, K> } = {
  register: { workerId: '127.0.0.1:4100-abcdef' },
  collectSinkOpened: { maxBatchBytes: 2 * 1024 * 1024 },
  collectSinkEnded: true,
};

/** Encodes one envelope and decodes it again, fed one byte at a time (frames split anywhere). */
function wireRoundTrip(e: Envelope): Envelope {
  const bytes = encodeFrame(e);
  const decoder = new FrameDecoder();
  const out = [];
  for (let i = 0; i < bytes.length; i++) out.push(...decoder.push(bytes.subarray(i, i + 1)));
  if (out.length !== 1 || !out[0]!.ok) throw new Error(`expected one envelope, got ${JSON.stringify(out)}`);
  return out[0]!.value;
}

function roundTripAll<S extends DirectionSpec>(
  t: Test,
  d: Direction<S>,
  samples: Record<string, unknown>,
  replies: Record<string, unknown>,
) {
  t.same(Object.keys(samples).sort(), Object.keys(d.kinds).sort(), `a sample for every ${d.name} kind`);
  for (const [kind, body] of Object.entries(samples)) {
    const isCall = d.kinds[kind]!.type === 'call';
    const got = wireRoundTrip(isCall ? { t: 'req', id: 1, kind, body } : { t: 'note', kind, body });
    t.ok(got.t === (isCall ? 'req' : 'note'), `${kind} travels as a ${isCall ? 'request' : 'note'}`);
    if (got.t !== 'req' && got.t !== 'note') continue;
    const m = decodeMessage(d, isCall ? 'call' : 'note', got.kind, got.body);
    t.ok(m.ok, `${kind} decodes`);
    if (m.ok) t.same(m.value, { kind, body }, `${kind} round trip`);
    if (!isCall) continue;
    const res = wireRoundTrip({ t: 'res', id: 1, ok: true, body: replies[kind] });
    const r = decodeReply(d, kind as CallKind<S>, res.t === 'res' ? res.body : undefined);
    t.ok(r.ok && t.same(r.value, replies[kind]), `${kind} reply round trip`);
  }
}

t.test('every message kind and reply survives encode → frames → decode', async (t) => {
  roundTripAll(t, toTaskWorker, toWorkerSamples, toWorkerReplies);
  roundTripAll(t, toJobManager, toJobManagerSamples, toJobManagerReplies);
});

t.test('an unknown kind is refused with RPC_UNKNOWN_MESSAGE naming the known kinds', async (t) => {
  for (const kind of ['resetEverything', 'constructor', '__proto__', 42, undefined]) {
    const m = decodeMessage(toJobManager, 'note', kind, {});
    t.notOk(m.ok, String(kind));
    if (!m.ok) {
      t.equal(m.error.code, 'RPC_UNKNOWN_MESSAGE');
      t.match(m.error.message, /task worker → job manager message kind .*knows register, heartbeat/);
    }
  }
  // a kind of the other direction is unknown here too
  const other = decodeMessage(toJobManager, 'call', 'deploy', toWorkerSamples.deploy);
  t.ok(!other.ok && other.error.code === 'RPC_UNKNOWN_MESSAGE');
});

t.test('a malformed body or the wrong envelope for its kind is RPC_MALFORMED_MESSAGE', async (t) => {
  const cases: Array<[Direction<DirectionSpec>, 'call' | 'note', string, unknown, RegExp]> = [
    [
      toJobManager,
      'note',
      'ackCheckpoint',
      { ...toJobManagerSamples.ackCheckpoint, checkpointId: 'seven' },
      /checkpointId/,
    ],
    [toJobManager, 'note', 'taskState', { ...toJobManagerSamples.taskState, state: 'EXPLODED' }, /state/],
    [toJobManager, 'note', 'finalState', { ...sub, vertexId: 'a#b', snapshots: [] }, /vertexId/],
    [toJobManager, 'note', 'heartbeat', null, /\(body\)/],
    [toJobManager, 'note', 'heartbeat', { workerId: 'w', metrics: [1] }, /metrics/],
    [toTaskWorker, 'call', 'deploy', { ...toWorkerSamples.deploy, restore: { 'not-a-key': {} } }, /restore/],
    [toTaskWorker, 'call', 'triggerCheckpoint', { ...toWorkerSamples.triggerCheckpoint, kind: 'SNAPSHOT' }, /kind/],
    [toTaskWorker, 'call', 'cancel', { jobId: job.jobId, attempt: -1 }, /attempt/],
    [toTaskWorker, 'call', 'deploy', { ...toWorkerSamples.deploy, defaultMaxParallelism: 0 }, /defaultMaxParallelism/],
    [toTaskWorker, 'call', 'diagnostics', { kind: 'heapDump' }, /kind/],
    [toTaskWorker, 'call', 'diagnostics', { kind: 'logFile', file: { main: 'gc' } }, /file/],
    [toTaskWorker, 'note', 'cancel', job, /is a request, but arrived as a notification/],
    [toJobManager, 'call', 'heartbeat', toJobManagerSamples.heartbeat, /is a notification, but arrived as a request/],
  ];
  for (const [d, as, kind, body, message] of cases) {
    const m = decodeMessage(d, as, kind, body);
    t.notOk(m.ok, `${kind} ${message}`);
    if (!m.ok) {
      t.equal(m.error.code, 'RPC_MALFORMED_MESSAGE');
      t.match(m.error.message, message);
    }
  }
  const r = decodeReply(toJobManager, 'register', { id: 'w1' });
  t.ok(!r.ok && r.error.code === 'RPC_MALFORMED_MESSAGE' && /reply to .* "register".*workerId/.test(r.error.message));
});

t.test(
  'metric values other than numbers and strings (accumulators: numbers) are dropped, not the message',
  async (t) => {
    const m = decodeMessage(toJobManager, 'note', 'heartbeat', {
      workerId: 'w',
      metrics: { a: 1, b: 'x', c: true, d: null, e: undefined, f: { g: 1 } },
      accumulators: { n: 2, s: 'x', c: true },
    });
    t.ok(m.ok && t.same(m.value.body, { workerId: 'w', metrics: { a: 1, b: 'x' }, accumulators: { n: 2 } }));
  },
);

t.test('frames that are not the protocol are fatal results, not exceptions', async (t) => {
  const oversized = Buffer.alloc(8);
  oversized.writeUInt32BE(0xffff_ffff, 0);
  const truncatedMsgpack = Buffer.from([0, 0, 0, 2, 0x92, 0x01]); // an array of two with one element
  const frame = (value: unknown) => {
    const body = pack(value);
    return Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
  };
  for (const [bytes, code] of [
    [oversized, 'RPC_PROTOCOL_VERSION'],
    [truncatedMsgpack, 'RPC_PROTOCOL_VERSION'],
    [frame({ t: 'goodbye' }), 'RPC_MALFORMED_MESSAGE'],
    [frame({ t: 'req', id: -1, kind: 'deploy', body: {} }), 'RPC_MALFORMED_MESSAGE'],
    [frame('hello'), 'RPC_MALFORMED_MESSAGE'],
  ] as const) {
    const d = new FrameDecoder();
    const out = d.push(Buffer.concat([encodeFrame({ t: 'welcome' }), bytes, encodeFrame({ t: 'welcome' })]));
    t.equal(out.length, 2, 'the good frame before, then the failure; nothing after it');
    t.ok(out[0]!.ok);
    t.ok(!out[1]!.ok && out[1]!.error.code === code, code);
    t.same(d.push(encodeFrame({ t: 'welcome' })), [], 'a failed decoder yields nothing more');
  }
});

t.test('a deploy without a configured max parallelism (-1: derived per operator) is accepted', async (t) => {
  const m = decodeMessage(toTaskWorker, 'call', 'deploy', { ...toWorkerSamples.deploy, defaultMaxParallelism: -1 });
  t.ok(m.ok && m.value.kind === 'deploy' && m.value.body.defaultMaxParallelism === -1);
});
