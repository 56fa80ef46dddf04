/**
 * Control-plane RPC between the job manager and task workers over one TCP connection: frames of
 * frame-codec.ts, typed by the message tables of messages.ts. One end sends the messages of one direction
 * and receives those of the other: `call` sends a request and resolves with its checked reply, `notify`
 * sends a one-way note, and every received message is checked (protocol.ts) before the handler of its kind
 * runs. The first exchange is authenticated: the server sends a nonce, the client answers with its
 * protocol version and HMAC-SHA256(secret, nonce); a wrong version or proof closes the connection with a
 * clear error.
 *
 * Invariants: messages on a connection are delivered in order; a request gets exactly one response or is
 * rejected when the connection closes; a received message of an unknown kind or with a malformed body is
 * answered with an error (request) or reported through `onRefused` (note), and the connection stays up;
 * handlers never throw into the socket (errors become replies); an undecodable frame closes the connection.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type ErrorCode, ErrorCodes, isSluiceError, SluiceError } from '../errors/catalogue.js';
import { platform, type Socket } from '../platform/index.js';
import { type Envelope, encodeFrame, FrameDecoder } from './frame-codec.js';
import {
  type CallKind,
  type Direction,
  type DirectionSpec,
  decodeMessage,
  decodeReply,
  dispatchMessage,
  type Handlers,
  type Message,
  type NoteKind,
  type Reply,
} from './protocol.js';

/** 2: messages name their `kind` (was `method`) and are checked against the message tables; 3: `diagnostics`; 4: `queryState`; 5: `collect`; 6: collect sinks are fetched by offset (`collectSinkOpened`, `collectSinkEnded`, `collectFetch`). */
export const RPC_PROTOCOL_VERSION = 6;

type HandshakeEnvelope = Extract<Envelope, { t: 'nonce' | 'hello' | 'welcome' | 'refused' }>;

/** The direction an end sends and the one it receives. */
export interface Ends<Out extends DirectionSpec, In extends DirectionSpec> {
  readonly sends: Direction<Out>;
  readonly receives: Direction<In>;
}

export function proofFor(secret: string, nonce: string): string {
  return createHmac('sha256', secret).update(nonce).digest('hex');
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ErrorCodes, code);
}

export class RpcConnection<Out extends DirectionSpec, In extends DirectionSpec> {
  private readonly decoder = new FrameDecoder();
  private nextId = 1;
  private readonly pending = new Map<number, { settle: (ok: boolean, body: unknown, code?: string) => void }>();
  private closedError: Error | undefined;
  private readonly closeListeners: Array<(err?: Error) => void> = [];
  /** Handshake steps (see acceptHandshake / clientHandshake). */
  onHandshake: (e: HandshakeEnvelope) => void = () => {};
  /** A received message this end refused (unknown kind, malformed body) or a note whose handler failed. */
  onRefused: (e: Error) => void = () => {};
  peerId = '';

  /** `handlers` may come later (`setHandlers`, after the handshake); until then requests are refused. */
  constructor(
    readonly socket: Socket,
    private readonly ends: Ends<Out, In>,
    private handlers?: Handlers<In>,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.close(e));
    socket.on('close', () =>
      this.close(
        new SluiceError(
          'RPC_CONNECTION_LOST',
          `connection to ${this.peerId || `${socket.remoteAddress}:${socket.remotePort}`} closed`,
        ),
      ),
    );
  }

  setHandlers(h: Handlers<In>): void {
    this.handlers = h;
  }

  /** Sends one envelope (the handshake's steps; messages go through `call` and `notify`). */
  send(e: Envelope): void {
    if (this.closedError) return;
    this.socket.write(encodeFrame(e));
  }

  /** Sends a request and resolves with its reply, checked against the call's reply schema. */
  call<K extends CallKind<Out>>(m: Message<Out, K>, timeoutMs = 30_000): Promise<Reply<Out, K>> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    const kind: K = m.kind;
    return new Promise<Reply<Out, K>>((resolve, reject) => {
      const timer = platform.clock.setTimeout(() => {
        this.pending.delete(id);
        reject(new SluiceError('RPC_CONNECTION_LOST', `RPC ${kind} to ${this.peerId} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        settle: (ok, body, code) => {
          platform.clock.clear(timer);
          if (!ok) return reject(new SluiceError(isErrorCode(code) ? code : 'TASK_FAILED', String(body)));
          const reply = decodeReply(this.ends.sends, kind, body);
          if (reply.ok) resolve(reply.value);
          else reject(reply.error);
        },
      });
      this.send({ t: 'req', id, kind, body: m.body });
    });
  }

  /** Sends a one-way notification. */
  notify<K extends NoteKind<Out>>(m: Message<Out, K>): void {
    this.send({ t: 'note', kind: m.kind, body: m.body });
  }

  onClose(cb: (err?: Error) => void): void {
    if (this.closedError) cb(this.closedError);
    else this.closeListeners.push(cb);
  }

  close(err?: Error): void {
    if (this.closedError) return;
    this.closedError = err ?? new SluiceError('RPC_CONNECTION_LOST', 'connection closed');
    for (const p of this.pending.values()) p.settle(false, this.closedError.message, 'RPC_CONNECTION_LOST');
    this.pending.clear();
    this.socket.destroy();
    for (const l of this.closeListeners) l(err);
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  private onData(d: Buffer): void {
    for (const r of this.decoder.push(d)) {
      if (!r.ok) return this.close(r.error);
      this.dispatch(r.value);
      if (this.closedError) return;
    }
  }

  private dispatch(e: Envelope): void {
    switch (e.t) {
      case 'res': {
        const p = this.pending.get(e.id);
        if (!p) return;
        this.pending.delete(e.id);
        p.settle(e.ok, e.body, e.code);
        return;
      }
      case 'req':
        return this.onRequest(e.id, e.kind, e.body);
      case 'note':
        return this.onNote(e.kind, e.body);
      default:
        return this.onHandshake(e);
    }
  }

  private onRequest(id: number, kind: string, body: unknown): void {
    const fail = (err: Error) =>
      this.send({ t: 'res', id, ok: false, body: err.message, code: isSluiceError(err) ? err.code : undefined });
    const handlers = this.handlers;
    if (!handlers) return fail(new SluiceError('RPC_AUTH_FAILED', 'handshake first'));
    const m = decodeMessage(this.ends.receives, 'call', kind, body);
    if (!m.ok) {
      this.onRefused(m.error);
      return fail(m.error);
    }
    Promise.resolve()
      .then(() => dispatchMessage(handlers, m.value))
      .then(
        (reply) => this.send({ t: 'res', id, ok: true, body: reply ?? null }),
        (err: unknown) => fail(err instanceof Error ? err : new Error(String(err))),
      );
  }

  private onNote(kind: string, body: unknown): void {
    const handlers = this.handlers;
    if (!handlers) return this.onRefused(new SluiceError('RPC_AUTH_FAILED', `note "${kind}" before the handshake`));
    const m = decodeMessage(this.ends.receives, 'note', kind, body);
    if (!m.ok) return this.onRefused(m.error);
    Promise.resolve()
      .then(() => dispatchMessage(handlers, m.value))
      .catch((err: unknown) => this.onRefused(err instanceof Error ? err : new Error(String(err))));
  }
}

/** Server side of the handshake: resolves once the peer proved the secret and version. */
export function acceptHandshake<Out extends DirectionSpec, In extends DirectionSpec>(
  conn: RpcConnection<Out, In>,
  secret: string,
  timeoutMs: number,
): Promise<{ role: string }> {
  const nonce = platform.random.hex(32);
  return new Promise((resolve, reject) => {
    const timer = platform.clock.setTimeout(() => {
      conn.close(new SluiceError('RPC_AUTH_FAILED', 'no handshake within the timeout'));
      reject(new SluiceError('RPC_AUTH_FAILED', 'no handshake within the timeout'));
    }, timeoutMs);
    // A peer that goes away before it says hello ends the wait at once (no 5 s timer left behind).
    conn.onClose((e) => {
      platform.clock.clear(timer);
      reject(e ?? new SluiceError('RPC_CONNECTION_LOST', 'closed during handshake'));
    });
    const refuse = (code: ErrorCode, message: string) => {
      conn.send({ t: 'refused', code, message });
      conn.socket.end();
      reject(new SluiceError(code, message));
    };
    conn.onHandshake = (m) => {
      platform.clock.clear(timer);
      conn.onHandshake = () => {};
      if (m.t !== 'hello') return refuse('RPC_PROTOCOL_VERSION', 'expected a hello message');
      if (m.version !== RPC_PROTOCOL_VERSION)
        return refuse(
          'RPC_PROTOCOL_VERSION',
          `protocol version ${m.version} is not supported; this job manager speaks version ${RPC_PROTOCOL_VERSION}`,
        );
      const expected = Buffer.from(proofFor(secret, nonce));
      const got = Buffer.from(m.proof);
      if (expected.length !== got.length || !timingSafeEqual(expected, got))
        return refuse('RPC_AUTH_FAILED', 'wrong shared secret (sluice.security.secret)');
      conn.send({ t: 'welcome' });
      resolve({ role: m.role });
    };
    conn.send({ t: 'nonce', nonce });
  });
}

/**
 * Client side of the handshake. A connection closed before the server's first message (its nonce) rejects
 * with `beforeGreeting: true`: whatever listens there did not speak this protocol to us (e.g. a control plane
 * that requires TLS), unlike a sluice server that greeted and then went away.
 */
export function clientHandshake<Out extends DirectionSpec, In extends DirectionSpec>(
  conn: RpcConnection<Out, In>,
  secret: string,
  role: string,
  version = RPC_PROTOCOL_VERSION,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let greeted = false;
    conn.onClose((e) => {
      const closed = e ?? new SluiceError('RPC_CONNECTION_LOST', 'closed during handshake');
      reject(greeted ? closed : Object.assign(closed, { beforeGreeting: true }));
    });
    conn.onHandshake = (m) => {
      greeted = true;
      if (m.t === 'nonce') conn.send({ t: 'hello', version, proof: proofFor(secret, m.nonce), role });
      else if (m.t === 'welcome') resolve();
      else if (m.t === 'refused') reject(new SluiceError(isErrorCode(m.code) ? m.code : 'RPC_AUTH_FAILED', m.message));
    };
  });
}
