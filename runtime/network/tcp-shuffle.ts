/**
 * TcpShuffle: the data plane of a task worker. Listens on the data port; output channels to tasks on
 * other workers share one multiplexed TCP connection per peer; channels to tasks on the same worker are
 * in-process. Frames: `u32 length | u8 type | u8 pad[3] | u32 channelNameLength | name | body`, the header
 * padded to 8 bytes; DATA bodies are columnar element buffers (columnar-codec.ts: kinds, timestamps and one
 * column per field of the records' values; values of other shapes as msgpack), CREDIT bodies a u32 count.
 * A body is self-contained (no structure state across frames or connections).
 *
 * Flow control is credit-based: a consumer grants `buffersPerChannel` credits at registration and one more
 * each time the task polls a buffer; a producer sends a buffer only with credit, queues at most
 * `buffersPerChannel` more, and is not writable beyond that — backpressure reaches the source.
 * The first bytes on a connection are a handshake proving the shared secret (HMAC of a nonce) and the
 * protocol version; anything else is refused and the connection closed, the server keeps serving. With
 * `tls`, connections are mutual TLS first (platform/net.ts): a peer without a trusted certificate is refused
 * before the handshake and reported through `onError` with its address.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ElementKind, type StreamElement } from '../api/elements.js';
import { SluiceError } from '../errors/catalogue.js';
import { platform, type Server, type Socket, type TlsOptions } from '../platform/index.js';
import type { ColumnarElements, TaskInputChannel, TaskOutputChannel } from '../task/channel.js';
import { createLocalChannel } from '../task/local-channel.js';
import { columnarElements, decodeColumnarBuffer, encodeColumnar } from './columnar-codec.js';
import { FrameReader, FrameType, encodeFrame } from './frames.js';

export const DATA_PROTOCOL_VERSION = 3;

export interface TcpShuffleOptions {
  host: string;
  port: number;
  secret: string;
  /** Mutual TLS for every data connection, accepted and dialled (security.ssl.internal.*). */
  tls?: TlsOptions;
  buffersPerChannel?: number;
  bufferElements?: number;
  flushDelayMs?: number;
}

interface RemoteInput {
  /** Decoded data frames, as columns (the task's pollBuffer hands them on without an object per record). */
  queue: ColumnarElements[];
  /** Data frame bodies received, in bytes (the channel's numBytesIn). */
  bytes: number;
  onAvailable?: () => void;
  conn?: Peer;
}

interface Peer {
  socket: Socket;
  ready: Promise<void>;
  outputs: Map<string, RemoteOutput>;
}

interface RemoteOutput {
  credit: number;
  queued: Buffer[];
  waiters: Array<() => void>;
}

export class TcpShuffle {
  private server: Server | undefined;
  private readonly inputs = new Map<string, RemoteInput>();
  private readonly peers = new Map<string, Peer>();
  private readonly locals = new Map<string, ReturnType<typeof createLocalChannel>>();
  private readonly sockets = new Set<Socket>();
  readonly buffersPerChannel: number;
  address = { host: '', port: 0 };
  onError: (e: Error) => void = () => {};

  constructor(private readonly o: TcpShuffleOptions) {
    this.buffersPerChannel = o.buffersPerChannel ?? 8;
  }

  async start(): Promise<{ host: string; port: number }> {
    this.server = platform.net.createServer((s) => this.accept(s), {
      tls: this.o.tls,
      onRefused: (peer, e) =>
        this.onError(
          new SluiceError('TLS_HANDSHAKE_FAILED', `Refused a data connection from ${peer}: TLS: ${e.message}`),
        ),
    });
    await new Promise<void>((res, rej) => {
      this.server!.once('error', rej);
      this.server!.listen(this.o.port, this.o.host, () => res());
    });
    const a = this.server.address() as { address: string; port: number };
    this.address = { host: a.address, port: a.port };
    return this.address;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private local(id: string) {
    let l = this.locals.get(id);
    if (!l) {
      l = createLocalChannel({
        maxBuffers: this.buffersPerChannel,
        bufferElements: this.o.bufferElements,
        flushDelayMs: this.o.flushDelayMs,
      });
      this.locals.set(id, l);
    }
    return l;
  }

  createInputChannel(id: string, local: boolean): TaskInputChannel {
    if (local) return this.local(id).input;
    const inp: RemoteInput = this.inputs.get(id) ?? { queue: [], bytes: 0 };
    this.inputs.set(id, inp);
    return {
      bytesIn: () => inp.bytes,
      poll: () => {
        const b = inp.queue.shift();
        if (b && inp.conn) this.sendCredit(inp.conn.socket, id, 1);
        return b ? columnarElements(b) : null;
      },
      pollBuffer: () => {
        const b = inp.queue.shift();
        if (b && inp.conn) this.sendCredit(inp.conn.socket, id, 1);
        return b ?? null;
      },
      onAvailable: (cb) => {
        inp.onAvailable = cb;
      },
    };
  }

  createOutputChannel(id: string, remote: { host: string; port: number } | 'local'): TaskOutputChannel {
    if (remote === 'local') return this.local(id).output;
    const peer = this.peer(remote.host, remote.port);
    const out: RemoteOutput = { credit: 0, queued: [], waiters: [] };
    peer.outputs.set(id, out);
    void peer.ready.then(
      () => peer.socket.write(encodeFrame(FrameType.Open, id, Buffer.alloc(0))),
      () => {},
    );
    let current: StreamElement[] = [];
    let timer: ReturnType<typeof platform.clock.setTimeout> | undefined;
    let bytesOut = 0;
    const flush = () => {
      if (timer) {
        platform.clock.clear(timer);
        timer = undefined;
      }
      if (!current.length) return;
      const body = encodeColumnar(current);
      bytesOut += body.length;
      const frame = encodeFrame(FrameType.Data, id, body);
      current = [];
      out.queued.push(frame);
      this.pump(peer, out);
    };
    return {
      emit: (e) => {
        current.push(e);
        if (
          e.kind === ElementKind.Barrier ||
          e.kind === ElementKind.EndOfInput ||
          e.kind === ElementKind.WatermarkStatus ||
          current.length >= (this.o.bufferElements ?? 1024)
        )
          flush();
        else if (!timer) timer = platform.clock.setTimeout(flush, this.o.flushDelayMs ?? 2);
      },
      flush,
      bytesOut: () => bytesOut,
      isWritable: () => out.queued.length < this.buffersPerChannel,
      onWritable: (cb) => {
        if (out.queued.length < this.buffersPerChannel) cb();
        else out.waiters.push(cb);
      },
    };
  }

  /** Frames still waiting for credit on an output channel (for tests of the flow-control bound). */
  queuedFrames(id: string): number {
    for (const p of this.peers.values()) {
      const o = p.outputs.get(id);
      if (o) return o.queued.length;
    }
    return -1;
  }

  bufferedFrames(id: string): number {
    return this.inputs.get(id)?.queue.length ?? -1;
  }

  releaseJob(jobId: string, attempt: number): void {
    const prefix = `${jobId}/${attempt}/`;
    for (const k of [...this.inputs.keys()]) if (k.startsWith(prefix)) this.inputs.delete(k);
    for (const k of [...this.locals.keys()]) if (k.startsWith(prefix)) this.locals.delete(k);
    for (const p of this.peers.values())
      for (const k of [...p.outputs.keys()]) if (k.startsWith(prefix)) p.outputs.delete(k);
  }

  private pump(peer: Peer, out: RemoteOutput): void {
    while (out.credit > 0 && out.queued.length) {
      out.credit--;
      peer.socket.write(out.queued.shift()!);
    }
    if (out.queued.length < this.buffersPerChannel && out.waiters.length) {
      const ws = out.waiters.splice(0);
      for (const w of ws) w();
    }
  }

  private sendCredit(socket: Socket, id: string, n: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n, 0);
    socket.write(encodeFrame(FrameType.Credit, id, b));
  }

  private peer(host: string, port: number): Peer {
    const key = `${host}:${port}`;
    const p = this.peers.get(key);
    if (p) return p;
    const socket = platform.net.connect(host, port, this.o.tls);
    socket.setNoDelay(true);
    this.sockets.add(socket);
    const reader = new FrameReader();
    const peer: Peer = {
      socket,
      outputs: new Map(),
      ready: new Promise<void>((resolve, reject) => {
        socket.once('error', (e) => {
          reject(e);
          this.onError(new SluiceError('RPC_CONNECTION_LOST', `data connection to ${key} failed: ${e.message}`));
        });
        socket.on('data', (chunk: Buffer) => {
          for (const f of reader.push(chunk)) {
            if (f.type === FrameType.Nonce) {
              const proof = createHmac('sha256', this.o.secret).update(f.body).digest();
              const body = Buffer.alloc(4 + proof.length);
              body.writeUInt32BE(DATA_PROTOCOL_VERSION, 0);
              proof.copy(body, 4);
              socket.write(encodeFrame(FrameType.Hello, '', body));
              resolve();
            } else if (f.type === FrameType.Credit) {
              const o = peer.outputs.get(f.channel);
              if (o) {
                o.credit += f.body.readUInt32BE(0);
                this.pump(peer, o);
              }
            } else if (f.type === FrameType.Refused) {
              this.onError(
                new SluiceError('RPC_AUTH_FAILED', `data connection to ${key} refused: ${f.body.toString()}`),
              );
            }
          }
        });
      }),
    };
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.peers.delete(key);
    });
    this.peers.set(key, peer);
    return peer;
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    const nonce = Buffer.from(platform.random.hex(32));
    socket.write(encodeFrame(FrameType.Nonce, '', nonce));
    const reader = new FrameReader();
    let authed = false;
    const conn: Peer = { socket, ready: Promise.resolve(), outputs: new Map() };
    socket.on('data', (chunk: Buffer) => {
      let frames: ReturnType<typeof reader.push>;
      try {
        frames = reader.push(chunk);
      } catch (e) {
        return this.refuse(socket, (e as Error).message);
      }
      for (const f of frames) {
        if (!authed) {
          if (f.type !== FrameType.Hello || f.body.length < 4) return this.refuse(socket, 'expected a handshake');
          const version = f.body.readUInt32BE(0);
          if (version !== DATA_PROTOCOL_VERSION)
            return this.refuse(
              socket,
              `data protocol version ${version} is not supported (expected ${DATA_PROTOCOL_VERSION})`,
            );
          const expected = createHmac('sha256', this.o.secret).update(nonce).digest();
          const got = f.body.subarray(4);
          if (got.length !== expected.length || !timingSafeEqual(got, expected))
            return this.refuse(socket, 'wrong shared secret');
          authed = true;
          continue;
        }
        if (f.type === FrameType.Open) {
          const inp: RemoteInput = this.inputs.get(f.channel) ?? { queue: [], bytes: 0 };
          inp.conn = conn;
          this.inputs.set(f.channel, inp);
          this.sendCredit(socket, f.channel, this.buffersPerChannel);
        } else if (f.type === FrameType.Data) {
          const inp = this.inputs.get(f.channel);
          if (!inp) continue; // released channel of an old attempt
          inp.bytes += f.body.length;
          let elements: ColumnarElements;
          try {
            elements = decodeColumnarBuffer(f.body);
          } catch (e) {
            this.onError(e as Error); // never skip a buffer: the job fails over and replays instead
            return this.refuse(socket, (e as Error).message);
          }
          inp.queue.push(elements);
          inp.onAvailable?.();
        }
      }
    });
  }

  private refuse(socket: Socket, reason: string): void {
    socket.end(encodeFrame(FrameType.Refused, '', Buffer.from(reason)));
    socket.destroy();
  }
}
