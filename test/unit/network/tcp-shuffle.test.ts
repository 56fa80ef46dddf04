/**
 * Data plane over real loopback TCP: order across many frames, credit-based flow control keeping
 * in-flight buffers at the bound while a consumer trickles, and handshake refusal without the secret.
 */
import t from 'tap';
import { connect } from 'node:net';
import { ElementKind, type StreamElement } from '../../../runtime/api/elements.js';
import { DATA_PROTOCOL_VERSION, TcpShuffle } from '../../../runtime/network/tcp-shuffle.js';
import { FrameReader, FrameType, encodeFrame } from '../../../runtime/network/frames.js';

async function pair(t: { teardown(fn: () => unknown): void }, buffersPerChannel = 4) {
  const a = new TcpShuffle({
    host: '127.0.0.1',
    port: 0,
    secret: 's3cret',
    buffersPerChannel,
    bufferElements: 64,
    flushDelayMs: 1,
  });
  const b = new TcpShuffle({
    host: '127.0.0.1',
    port: 0,
    secret: 's3cret',
    buffersPerChannel,
    bufferElements: 64,
    flushDelayMs: 1,
  });
  t.teardown(() => Promise.all([a.close(), b.close()]));
  await a.start();
  const addrB = await b.start();
  return { a, b, addrB };
}

const rec = (v: number): StreamElement => ({ kind: ElementKind.Record, value: v, timestamp: NaN });
const until = async (cond: () => boolean, what: string, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
};

t.test('frames survive arbitrary chunking', async (t) => {
  const frames = [
    encodeFrame(FrameType.Data, 'x/1', Buffer.from('hello')),
    encodeFrame(FrameType.Credit, 'channel-two', Buffer.from([0, 0, 0, 3])),
  ];
  const all = Buffer.concat(frames);
  for (const cut of [1, 5, 16, 17, all.length - 1]) {
    const r = new FrameReader();
    const got = [...r.push(all.subarray(0, cut)), ...r.push(all.subarray(cut))];
    t.same(
      got.map((f) => [f.type, f.channel, f.body.toString('hex')]),
      [
        [FrameType.Data, 'x/1', Buffer.from('hello').toString('hex')],
        [FrameType.Credit, 'channel-two', '00000003'],
      ],
    );
  }
});

t.test('records arrive in order across the network', async (t) => {
  const { a, b, addrB } = await pair(t);
  const input = b.createInputChannel('j/0/e/0/0', false);
  const out = a.createOutputChannel('j/0/e/0/0', addrB);
  const got: number[] = [];
  let sent = 0;
  const N = 20_000;
  while (got.length < N) {
    while (sent < N && out.isWritable()) out.emit(rec(sent++));
    out.flush();
    let b2: ReturnType<typeof input.poll>;
    while ((b2 = input.poll())) for (const e of b2) if (e.kind === ElementKind.Record) got.push(e.value as number);
    await new Promise((r) => setImmediate(r));
  }
  t.same(got, [...Array(N).keys()]);
});

t.test('a trickling consumer keeps in-flight buffers at the bound and backpressures the producer', async (t) => {
  const bound = 3;
  const { a, b, addrB } = await pair(t, bound);
  const id = 'j/0/e/0/1';
  const input = b.createInputChannel(id, false);
  const out = a.createOutputChannel(id, addrB);
  let produced = 0;
  let maxQueued = 0;
  let maxBuffered = 0;
  let blockedSeen = 0;
  let consumed = 0;
  for (let step = 0; step < 60; step++) {
    while (out.isWritable()) {
      for (let i = 0; i < 64; i++) out.emit(rec(produced++));
    }
    blockedSeen++;
    await until(() => b.bufferedFrames(id) >= 1, 'a buffer to arrive');
    maxQueued = Math.max(maxQueued, a.queuedFrames(id));
    maxBuffered = Math.max(maxBuffered, b.bufferedFrames(id));
    const batch = input.poll(); // the consumer takes one buffer per step: a trickle
    consumed += batch?.length ?? 0;
  }
  t.ok(maxQueued <= bound, `sender queue ${maxQueued} <= ${bound}`);
  t.ok(maxBuffered <= bound, `receiver buffers ${maxBuffered} <= ${bound}`);
  t.equal(blockedSeen, 60, 'the producer saw isWritable() === false at every step');
  t.ok(produced - consumed <= 64 * (2 * bound + 2), `in flight ${produced - consumed} records stays bounded`);
});

/** Connects, answers the nonce with `version` and a zero HMAC; resolves with the refusal reason. */
function refusedHello(
  t: { teardown(fn: () => unknown): void },
  addr: { host: string; port: number },
  version: number,
): Promise<string> {
  const s = connect({ host: addr.host, port: addr.port });
  t.teardown(() => s.destroy());
  const reader = new FrameReader();
  return new Promise<string>((resolve) => {
    s.on('data', (d) => {
      for (const f of reader.push(d)) {
        if (f.type === FrameType.Nonce) {
          const body = Buffer.alloc(36);
          body.writeUInt32BE(version, 0);
          s.write(encodeFrame(FrameType.Hello, '', body));
        } else if (f.type === FrameType.Refused) resolve(f.body.toString());
      }
    });
  });
}

t.test('a connection without the secret is refused and the server keeps serving', async (t) => {
  const { a, b, addrB } = await pair(t);
  t.match(await refusedHello(t, addrB, DATA_PROTOCOL_VERSION), /wrong shared secret/);
  t.match(
    await refusedHello(t, addrB, DATA_PROTOCOL_VERSION - 1),
    new RegExp(`data protocol version ${DATA_PROTOCOL_VERSION - 1} is not supported`),
    'a peer speaking the previous data format is refused by version',
  );
  const input = b.createInputChannel('j/0/e/1/0', false);
  const out = a.createOutputChannel('j/0/e/1/0', addrB);
  out.emit(rec(42));
  out.flush();
  await until(() => b.bufferedFrames('j/0/e/1/0') === 1, 'data after the refused peer');
  t.same(input.poll(), [rec(42)]);
});

t.test(
  'values of many shapes cross the wire unchanged (records defined per frame, no state across frames)',
  async (t) => {
    const { a, b, addrB } = await pair(t);
    const input = b.createInputChannel('j/0/e/2/0', false);
    const out = a.createOutputChannel('j/0/e/2/0', addrB);
    const values: unknown[] = [];
    for (let i = 0; i < 300; i++)
      values.push({
        [`f${i % 150}`]: i,
        nested: { [`g${i % 7}`]: [i, `s${i}`, { deep: i % 2 === 0 ? null : true }] },
        ts: i * 1.5,
      });
    values.push(
      { big: 2n ** 62n },
      { when: new Date(1_700_000_000_000) },
      { bytes: Buffer.from('sluice') },
      ['mixed', 1, { kind: 0 }],
      'plain',
      -0.5,
    );
    for (const v of values) out.emit({ kind: ElementKind.Record, value: v, timestamp: 7 });
    out.flush();
    const got: StreamElement[] = [];
    await until(() => {
      for (let buf = input.poll(); buf; buf = input.poll()) got.push(...buf);
      return got.length === values.length;
    }, 'every value across several frames');
    t.strictSame(
      got.map((e) => (e as { value: unknown }).value),
      values,
    );
    t.ok(got.every((e) => e.kind === ElementKind.Record && (e as { timestamp: number }).timestamp === 7));
  },
);
