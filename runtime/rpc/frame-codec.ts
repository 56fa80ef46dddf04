/**
 * The control-plane wire format: each frame is a 4-byte big-endian length and a msgpack envelope. An
 * envelope is a handshake step (nonce, hello, welcome, refused) or carries a message: a request with a
 * correlation id, its response, or a one-way note, each naming the message `kind` and carrying its `body`.
 * `encodeFrame` is the one encoder; `FrameDecoder` the one decoder, which checks each envelope's shape
 * (bodies are checked against the message tables by the connection, see protocol.ts).
 *
 * Invariants: the handshake envelopes keep their shape across protocol versions, so a peer of another
 * version is told so instead of failing to decode; a frame longer than MAX_FRAME_BYTES, bytes that are
 * not msgpack, or an envelope of an unknown shape are fatal to the connection (the peer speaks something
 * else), never to the process.
 */
import { Packr, Unpackr } from 'msgpackr';
import { z } from 'zod';
import { SluiceError } from '../errors/catalogue.js';
import type { Decoded } from './protocol.js';

export const MAX_FRAME_BYTES = 512 * 1024 * 1024;
const packr = new Packr({ useRecords: false, moreTypes: true });
const unpackr = new Unpackr({ useRecords: false, moreTypes: true });

const envelope = z.discriminatedUnion('t', [
  z.object({ t: z.literal('nonce'), nonce: z.string() }),
  z.object({ t: z.literal('hello'), version: z.number(), proof: z.string(), role: z.string() }),
  z.object({ t: z.literal('welcome') }),
  z.object({ t: z.literal('refused'), code: z.string(), message: z.string() }),
  z.object({ t: z.literal('req'), id: z.int().nonnegative(), kind: z.string(), body: z.unknown() }),
  z.object({
    t: z.literal('res'),
    id: z.int().nonnegative(),
    ok: z.boolean(),
    body: z.unknown(),
    code: z.string().optional(),
  }),
  z.object({ t: z.literal('note'), kind: z.string(), body: z.unknown() }),
]);
export type Envelope = z.output<typeof envelope>;

export function encodeFrame(e: Envelope): Buffer {
  const body = packr.pack(e);
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

/**
 * Splits a byte stream into envelopes. Chunks of an incomplete frame are kept as a list and joined once
 * the frame is complete, so a frame of n bytes costs O(n) copying however many chunks it arrives in (a
 * task's acknowledgement can be tens of MiB; joining on every chunk was quadratic and held the frames
 * queued behind it, heartbeats included). After a fatal result it yields nothing more.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private size = 0;
  private failed = false;

  /** Envelopes completed by `chunk`, in order; a failed result is the last one. */
  push(chunk: Buffer): Array<Decoded<Envelope>> {
    if (this.failed) return [];
    this.chunks.push(chunk);
    this.size += chunk.length;
    const out: Array<Decoded<Envelope>> = [];
    while (this.size >= 4) {
      if (this.chunks[0]!.length < 4) this.chunks = [Buffer.concat(this.chunks, this.size)];
      const len = this.chunks[0]!.readUInt32BE(0);
      if (len > MAX_FRAME_BYTES)
        return this.fail(out, 'RPC_PROTOCOL_VERSION', `oversized RPC frame (${len} bytes); wrong protocol?`);
      if (this.size < 4 + len) break;
      const buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
      const frame = buf.subarray(4, 4 + len);
      const rest = buf.subarray(4 + len);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.size = rest.length;
      let raw: unknown;
      try {
        raw = unpackr.unpack(frame);
      } catch {
        return this.fail(out, 'RPC_PROTOCOL_VERSION', 'undecodable RPC frame; wrong protocol?');
      }
      const parsed = envelope.safeParse(raw);
      if (!parsed.success) {
        const t = raw && typeof raw === 'object' && 't' in raw ? JSON.stringify(raw.t) : 'none';
        return this.fail(out, 'RPC_MALFORMED_MESSAGE', `RPC envelope of unknown shape (t: ${t}); wrong protocol?`);
      }
      out.push({ ok: true, value: parsed.data });
    }
    return out;
  }

  private fail(
    out: Array<Decoded<Envelope>>,
    code: 'RPC_PROTOCOL_VERSION' | 'RPC_MALFORMED_MESSAGE',
    message: string,
  ): Array<Decoded<Envelope>> {
    this.failed = true;
    this.chunks = [];
    this.size = 0;
    out.push({ ok: false, error: new SluiceError(code, message) });
    return out;
  }
}
