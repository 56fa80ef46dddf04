/**
 * Data-plane frame codec: `u32 totalLength | u8 type | 3 bytes pad | u16 channelLength | 6 bytes pad |
 * channel (utf8) padded to 8 | body`. The header is 16 bytes and the channel name is padded so the body
 * starts 8-byte aligned relative to the frame (typed-array views of it need no copy). A streaming reader
 * handles frames split across TCP chunks and many frames per chunk.
 */
export const enum FrameType {
  Nonce = 1,
  Hello = 2,
  Refused = 3,
  Open = 4,
  Data = 5,
  Credit = 6,
}

export interface Frame {
  type: FrameType;
  channel: string;
  body: Buffer;
}

const HEADER = 16;
const MAX_FRAME = 256 * 1024 * 1024;

const pad8 = (n: number) => (n + 7) & ~7;

export function encodeFrame(type: FrameType, channel: string, body: Uint8Array): Buffer {
  const name = Buffer.from(channel, 'utf8');
  const nameLen = pad8(name.length);
  const total = HEADER + nameLen + body.length;
  const b = Buffer.allocUnsafe(total);
  b.fill(0, 0, HEADER + nameLen);
  b.writeUInt32BE(total, 0);
  b.writeUInt8(type, 4);
  b.writeUInt16BE(name.length, 8);
  name.copy(b, HEADER);
  b.set(body, HEADER + nameLen);
  return b;
}

export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    let off = 0;
    while (this.buf.length - off >= HEADER) {
      const total = this.buf.readUInt32BE(off);
      if (total < HEADER || total > MAX_FRAME)
        throw new Error(`bad frame length ${total}; not a sluice data connection?`);
      if (this.buf.length - off < total) break;
      const type = this.buf.readUInt8(off + 4) as FrameType;
      const nameLen = this.buf.readUInt16BE(off + 8);
      const channel = this.buf.toString('utf8', off + HEADER, off + HEADER + nameLen);
      const body = this.buf.subarray(off + HEADER + pad8(nameLen), off + total);
      out.push({ type, channel, body });
      off += total;
    }
    this.buf = off === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(off);
    return out;
  }
}
