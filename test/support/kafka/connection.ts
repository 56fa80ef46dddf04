/**
 * Connection: one client TCP connection — splits the byte stream into size-prefixed request frames, decodes
 * the request header (v1: api key, version, correlation id, client id), dispatches to the handler and writes
 * size-prefixed responses (header v0: correlation id).
 * Invariants: requests are handled as they arrive (so a long-polling Fetch does not delay the processing of
 * a later Produce or Heartbeat) but responses are written strictly in request order, as Kafka clients
 * require; a malformed frame, an unknown API or an unsupported version (other than ApiVersions, which is
 * answered with UNSUPPORTED_VERSION) closes the connection.
 */
import type { Socket } from 'node:net';
import { ApiKey, ErrorCode, SUPPORTED_VERSIONS, isSupported } from './protocol/api-keys.js';
import { Reader } from './protocol/reader.js';
import { Writer } from './protocol/writer.js';
import type { BrokerContext, Handler, RequestHeader } from './handlers/context.js';

const MAX_FRAME = 100 * 1024 * 1024;

export class Connection {
  private pending: Buffer = Buffer.alloc(0);
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: BrokerContext,
    private readonly handlers: ReadonlyMap<number, Handler>,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => {
      this.closed = true;
    });
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 4) {
      const size = this.pending.readInt32BE(0);
      if (size < 0 || size > MAX_FRAME) {
        this.close();
        return;
      }
      if (this.pending.length < 4 + size) return;
      const frame = this.pending.subarray(4, 4 + size);
      this.pending = this.pending.subarray(4 + size);
      this.dispatch(frame);
      if (this.closed) return;
    }
  }

  private dispatch(frame: Buffer): void {
    let header: RequestHeader;
    const r = new Reader(frame);
    try {
      header = { apiKey: r.int16(), apiVersion: r.int16(), correlationId: r.int32(), clientId: r.nullableString() };
    } catch {
      this.close();
      return;
    }
    const response = this.handle(header, r);
    this.tail = this.tail.then(async () => {
      const body = await response;
      if (body === null || this.closed) return;
      const out = Buffer.allocUnsafe(8 + body.length);
      out.writeInt32BE(4 + body.length, 0);
      out.writeInt32BE(header.correlationId, 4);
      body.copy(out, 8);
      this.socket.write(out);
    });
  }

  /** The response body, or null for "no response" (acks=0) and for a connection being closed. */
  private async handle(header: RequestHeader, r: Reader): Promise<Buffer | null> {
    const w = new Writer();
    if (header.apiKey === ApiKey.ApiVersions && !isSupported(header.apiKey, header.apiVersion)) {
      w.int16(ErrorCode.UNSUPPORTED_VERSION).array(SUPPORTED_VERSIONS, (w, [k, min, max]) =>
        w.int16(k).int16(min).int16(max),
      );
      return w.toBuffer();
    }
    const handler = this.handlers.get(header.apiKey);
    if (handler === undefined || !isSupported(header.apiKey, header.apiVersion)) {
      this.close();
      return null;
    }
    try {
      const respond = await handler(this.ctx, header, r, w);
      return respond === false ? null : w.toBuffer();
    } catch (e) {
      if (!this.ctx.closing)
        process.stderr.write(
          `kafka broker: api ${header.apiKey} v${header.apiVersion} failed: ${(e as Error).stack ?? String(e)}\n`,
        );
      this.close();
      return null;
    }
  }
}
