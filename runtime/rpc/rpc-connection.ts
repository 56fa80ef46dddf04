/**
 * Control-plane RPC between the job manager and task workers: length-prefixed msgpack messages over one
 * TCP connection, with request/response correlation and one-way notifications. The first exchange is
 * authenticated: the server sends a nonce, the client answers with its protocol version and
 * HMAC-SHA256(secret, nonce); a wrong version or proof closes the connection with a clear error.
 *
 * Invariants: messages on a connection are delivered in order; a request gets exactly one response or
 * is rejected when the connection closes; handlers never throw into the socket (errors become replies).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Packr, Unpackr } from 'msgpackr';
import { SluiceError } from '../errors/catalogue.js';
import { platform, type Socket } from '../platform/index.js';

export const RPC_PROTOCOL_VERSION = 1;
const packr = new Packr({ useRecords: false, moreTypes: true });
const unpackr = new Unpackr({ useRecords: false, moreTypes: true });

type Msg =
  | { t: 'nonce'; nonce: string }
  | { t: 'hello'; version: number; proof: string; role: string }
  | { t: 'welcome' }
  | { t: 'refused'; code: string; message: string }
  | { t: 'req'; id: number; method: string; body: unknown }
  | { t: 'res'; id: number; ok: boolean; body: unknown; code?: string }
  | { t: 'note'; method: string; body: unknown };

export type Handler = (method: string, body: unknown, conn: RpcConnection) => unknown | Promise<unknown>;

export function proofFor(secret: string, nonce: string): string {
  return createHmac('sha256', secret).update(nonce).digest('hex');
}

export class RpcConnection {
  private buf: Buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private closedError: Error | undefined;
  private readonly closeListeners: Array<(err?: Error) => void> = [];
  onMessage: (m: Msg) => void = () => {};
  peerId = '';

  constructor(
    readonly socket: Socket,
    private handler: Handler,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.close(e));
    socket.on('close', () =>
      this.close(
        new SluiceError(
          'RPC_CONNECTION_LOST',
          `connection to ${this.peerId || socket.remoteAddress + ':' + socket.remotePort} closed`,
        ),
      ),
    );
  }

  setHandler(h: Handler): void {
    this.handler = h;
  }

  send(m: Msg): void {
    if (this.closedError) return;
    const body = packr.pack(m);
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32BE(body.length, 0);
    this.socket.write(Buffer.concat([head, body]));
  }

  request<T = unknown>(method: string, body: unknown, timeoutMs = 30_000): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = platform.clock.setTimeout(() => {
        this.pending.delete(id);
        reject(
          new SluiceError('RPC_CONNECTION_LOST', `RPC ${method} to ${this.peerId} timed out after ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          platform.clock.clear(timer);
          resolve(v as T);
        },
        reject: (e) => {
          platform.clock.clear(timer);
          reject(e);
        },
      });
      this.send({ t: 'req', id, method, body });
    });
  }

  notify(method: string, body: unknown): void {
    this.send({ t: 'note', method, body });
  }

  onClose(cb: (err?: Error) => void): void {
    if (this.closedError) cb(this.closedError);
    else this.closeListeners.push(cb);
  }

  close(err?: Error): void {
    if (this.closedError) return;
    this.closedError = err ?? new SluiceError('RPC_CONNECTION_LOST', 'connection closed');
    for (const p of this.pending.values()) p.reject(this.closedError);
    this.pending.clear();
    this.socket.destroy();
    for (const l of this.closeListeners) l(err);
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    while (this.buf.length >= 4) {
      const len = this.buf.readUInt32BE(0);
      if (len > 512 * 1024 * 1024)
        return this.close(new SluiceError('RPC_PROTOCOL_VERSION', 'oversized RPC frame; wrong protocol?'));
      if (this.buf.length < 4 + len) break;
      let m: Msg;
      try {
        m = unpackr.unpack(this.buf.subarray(4, 4 + len)) as Msg;
      } catch {
        return this.close(new SluiceError('RPC_PROTOCOL_VERSION', 'undecodable RPC frame; wrong protocol?'));
      }
      this.buf = this.buf.subarray(4 + len);
      this.dispatch(m);
    }
  }

  private dispatch(m: Msg): void {
    if (m.t === 'res') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.body);
      else p.reject(new SluiceError((m.code as never) ?? 'TASK_FAILED', String(m.body)));
      return;
    }
    if (m.t === 'req') {
      Promise.resolve()
        .then(() => this.handler(m.method, m.body, this))
        .then(
          (body) => this.send({ t: 'res', id: m.id, ok: true, body: body ?? null }),
          (e: Error) =>
            this.send({ t: 'res', id: m.id, ok: false, body: e?.message ?? String(e), code: (e as SluiceError).code }),
        );
      return;
    }
    if (m.t === 'note') {
      Promise.resolve()
        .then(() => this.handler(m.method, m.body, this))
        .catch(() => {});
      return;
    }
    this.onMessage(m);
  }
}

/** Server side of the handshake: resolves once the peer proved the secret and version. */
export function acceptHandshake(conn: RpcConnection, secret: string, timeoutMs: number): Promise<{ role: string }> {
  const nonce = platform.random.hex(32);
  return new Promise((resolve, reject) => {
    const timer = platform.clock.setTimeout(() => {
      conn.close(new SluiceError('RPC_AUTH_FAILED', 'no handshake within the timeout'));
      reject(new SluiceError('RPC_AUTH_FAILED', 'no handshake within the timeout'));
    }, timeoutMs);
    conn.onMessage = (m) => {
      platform.clock.clear(timer);
      if (m.t !== 'hello') return refuse('RPC_PROTOCOL_VERSION', 'expected a hello message');
      if (m.version !== RPC_PROTOCOL_VERSION)
        return refuse(
          'RPC_PROTOCOL_VERSION',
          `protocol version ${m.version} is not supported; this job manager speaks version ${RPC_PROTOCOL_VERSION}`,
        );
      const expected = Buffer.from(proofFor(secret, nonce));
      const got = Buffer.from(String(m.proof));
      if (expected.length !== got.length || !timingSafeEqual(expected, got))
        return refuse('RPC_AUTH_FAILED', 'wrong shared secret (sluice.security.secret)');
      conn.send({ t: 'welcome' });
      resolve({ role: m.role });
    };
    const refuse = (code: string, message: string) => {
      conn.send({ t: 'refused', code, message });
      conn.socket.end();
      reject(new SluiceError(code as never, message));
    };
    conn.send({ t: 'nonce', nonce });
  });
}

/** Client side of the handshake. */
export function clientHandshake(
  conn: RpcConnection,
  secret: string,
  role: string,
  version = RPC_PROTOCOL_VERSION,
): Promise<void> {
  return new Promise((resolve, reject) => {
    conn.onClose((e) => reject(e ?? new SluiceError('RPC_CONNECTION_LOST', 'closed during handshake')));
    conn.onMessage = (m) => {
      if (m.t === 'nonce') conn.send({ t: 'hello', version, proof: proofFor(secret, m.nonce), role });
      else if (m.t === 'welcome') resolve();
      else if (m.t === 'refused') reject(new SluiceError(m.code as never, m.message));
    };
  });
}
