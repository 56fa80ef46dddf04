import { connect, createServer, type Server, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { encodeFrame, type Envelope, FrameDecoder } from '../../../runtime/rpc/frame-codec.js';
import {
  type ConnectionToJobManager,
  type ConnectionToTaskWorker,
  jobManagerEnd,
  type ToJobManager,
  type ToTaskWorker,
  taskWorkerEnd,
} from '../../../runtime/rpc/messages.js';
import type { Body, Handlers } from '../../../runtime/rpc/protocol.js';
import {
  acceptHandshake,
  clientHandshake,
  proofFor,
  RPC_PROTOCOL_VERSION,
  RpcConnection,
} from '../../../runtime/rpc/rpc-connection.js';

const SECRET = 'unit-secret';

interface JobManagerSide {
  conns: ConnectionToTaskWorker[];
  refused: Error[];
  heartbeats: Array<Body<ToJobManager, 'heartbeat'>>;
  port: number;
}

/** A job manager end on an ephemeral loopback port that registers workers and records heartbeats. */
async function jobManager(t: Test): Promise<JobManagerSide> {
  const side: JobManagerSide = { conns: [], refused: [], heartbeats: [], port: 0 };
  const handlers = (): Handlers<ToJobManager> => ({
    register: (b) => ({ workerId: `${b.host}:${b.dataPort}` }),
    heartbeat: (b) => {
      side.heartbeats.push(b);
    },
    taskState: () => {
      throw new Error('taskState handler failed');
    },
    ackCheckpoint: () => {},
    finalState: () => {},
    declineCheckpoint: () => {},
    collectSinkOpened: () => ({ maxBatchBytes: 1024 }),
    collectSinkEnded: () => true,
  });
  const server: Server = createServer((socket) => {
    const conn: ConnectionToTaskWorker = new RpcConnection(socket, jobManagerEnd);
    conn.onRefused = (e) => side.refused.push(e);
    side.conns.push(conn);
    void acceptHandshake(conn, SECRET, 5000).then(
      () => conn.setHandlers(handlers()),
      () => {},
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  side.port = (server.address() as { port: number }).port;
  t.teardown(async () => {
    for (const c of side.conns) c.close();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return side;
}

async function socketTo(t: Test, port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise((r) => socket.once('connect', r));
  t.teardown(() => socket.destroy());
  return socket;
}

/** Envelopes arriving on `socket`, one at a time; `next` fails after 5 s or when the socket closes. */
function reader(socket: Socket): () => Promise<Envelope> {
  const decoder = new FrameDecoder();
  const inbox: Envelope[] = [];
  let wake: (() => void) | undefined;
  socket.on('data', (d: Buffer) => {
    for (const r of decoder.push(d)) if (r.ok) inbox.push(r.value);
    wake?.();
  });
  socket.on('close', () => wake?.());
  return async () => {
    if (!inbox.length)
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no envelope within 5 s')), 5000);
        wake = () => {
          clearTimeout(timer);
          if (inbox.length) resolve();
          else reject(new Error('the connection closed'));
        };
      });
    return inbox.shift()!;
  };
}

/** A peer that speaks raw envelopes (to send what a well-typed end cannot). */
async function rawPeer(t: Test, port: number) {
  const socket = await socketTo(t, port);
  const next = reader(socket);
  const send = (e: Envelope) => socket.write(encodeFrame(e));
  const nonce = await next();
  if (nonce.t !== 'nonce') throw new Error(`expected a nonce, got ${nonce.t}`);
  send({ t: 'hello', version: RPC_PROTOCOL_VERSION, proof: proofFor(SECRET, nonce.nonce), role: 'taskworker' });
  t.equal((await next()).t, 'welcome');
  return { socket, send, next };
}

const registration: Body<ToJobManager, 'register'> = {
  host: '127.0.0.1',
  dataPort: 4100,
  numSlots: 1,
  hardware: { cpuCores: 2, physicalMemory: 1, freeMemory: 1 },
};

t.test('typed ends: calls get checked replies both ways, notes reach their handler', async (t) => {
  const jm = await jobManager(t);
  const conn: ConnectionToJobManager = new RpcConnection(await socketTo(t, jm.port), taskWorkerEnd);
  t.teardown(() => conn.close());
  await clientHandshake(conn, SECRET, 'taskworker');
  const cancelled: Array<Body<ToTaskWorker, 'cancel'>> = [];
  conn.setHandlers({
    deploy: () => null,
    cancel: (b) => {
      cancelled.push(b);
      return true;
    },
    triggerCheckpoint: () => false,
    notifyCheckpoint: () => true,
    diagnostics: () => [],
    queryState: () => ({ status: 'unknown' }),
    collectFetch: () => ({ status: 'no-sink' }),
  });
  t.same(await conn.call({ kind: 'register', body: registration }), { workerId: '127.0.0.1:4100' });
  conn.notify({ kind: 'heartbeat', body: { workerId: 'w', metrics: { a: 1 } } });
  const server = jm.conns[0]!;
  t.equal(await server.call({ kind: 'cancel', body: { jobId: 'j', attempt: 3 } }), true);
  t.same(cancelled, [{ jobId: 'j', attempt: 3 }]);
  t.same(jm.heartbeats, [{ workerId: 'w', metrics: { a: 1 } }], 'the note arrived before the reply that followed it');
  t.equal(
    await server.call({
      kind: 'triggerCheckpoint',
      body: { jobId: 'j', attempt: 3, checkpointId: 1, timestampMs: 0, kind: 'CHECKPOINT' },
    }),
    false,
  );
});

t.test('an unknown kind is answered with RPC_UNKNOWN_MESSAGE and the connection stays up', async (t) => {
  const jm = await jobManager(t);
  const peer = await rawPeer(t, jm.port);
  peer.send({ t: 'req', id: 1, kind: 'resetEverything', body: {} });
  const res = await peer.next();
  t.match(res, { t: 'res', id: 1, ok: false, code: 'RPC_UNKNOWN_MESSAGE', body: /message kind "resetEverything"/ });
  peer.send({ t: 'note', kind: 'selfDestruct', body: null });
  peer.send({ t: 'req', id: 2, kind: 'register', body: { ...registration, numSlots: 0 } });
  t.match(await peer.next(), { t: 'res', id: 2, ok: false, code: 'RPC_MALFORMED_MESSAGE', body: /numSlots/ });
  peer.send({ t: 'note', kind: 'taskState', body: { nope: true } });
  peer.send({ t: 'req', id: 3, kind: 'register', body: registration });
  t.same(await peer.next(), { t: 'res', id: 3, ok: true, body: { workerId: '127.0.0.1:4100' } }, 'still serving');
  t.match(
    jm.refused.map((e) => e.message),
    [/resetEverything/, /selfDestruct/, /numSlots/, /malformed .* "taskState"/],
  );
  t.notOk(jm.conns[0]!.closed);
});

t.test('a failing note handler is reported, a failing call handler answers with its error', async (t) => {
  const jm = await jobManager(t);
  const peer = await rawPeer(t, jm.port);
  peer.send({
    t: 'note',
    kind: 'taskState',
    body: { jobId: 'j', attempt: 0, vertexId: 'v', subtaskIndex: 0, state: 'RUNNING' },
  });
  peer.send({ t: 'req', id: 1, kind: 'register', body: registration });
  t.match(await peer.next(), { t: 'res', id: 1, ok: true });
  t.match(
    jm.refused.map((e) => e.message),
    ['taskState handler failed'],
  );
});

t.test('an envelope of unknown shape closes the connection cleanly', async (t) => {
  const jm = await jobManager(t);
  const peer = await rawPeer(t, jm.port);
  const closed = new Promise<Error | undefined>((r) => jm.conns[0]!.onClose(r));
  peer.socket.write(Buffer.from([0, 0, 0, 1, 0xc0])); // msgpack nil: not an envelope
  const err = await closed;
  t.match(err, { code: 'RPC_MALFORMED_MESSAGE', message: /unknown shape/ });
  await new Promise((r) => (peer.socket.destroyed ? r(null) : peer.socket.once('close', r)));
  t.pass('the peer saw the connection close');
});

t.test('requests before the handshake are refused', async (t) => {
  const jm = await jobManager(t);
  const socket = await socketTo(t, jm.port);
  const next = reader(socket);
  socket.write(encodeFrame({ t: 'req', id: 1, kind: 'register', body: registration }));
  const got = [await next(), await next()];
  t.match(got, [{ t: 'nonce' }, { t: 'res', id: 1, ok: false, code: 'RPC_AUTH_FAILED' }]);
});
