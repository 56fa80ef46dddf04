/**
 * Reader: decodes Kafka's non-flexible primitive types (big-endian ints, int16-length strings, int32-length
 * bytes and arrays, zig-zag varints) from one request body.
 * Invariants: reads never go past the buffer (a short read throws RangeError, which the connection turns
 * into a closed socket, as a real broker does on a malformed frame); null strings/bytes/arrays come back as null.
 */
export class Reader {
  offset: number;
  constructor(
    readonly buf: Buffer,
    offset = 0,
  ) {
    this.offset = offset;
  }

  private need(n: number): void {
    if (this.offset + n > this.buf.length)
      throw new RangeError(`short read: need ${n} at ${this.offset}/${this.buf.length}`);
  }

  int8(): number {
    this.need(1);
    const v = this.buf.readInt8(this.offset);
    this.offset += 1;
    return v;
  }
  bool(): boolean {
    return this.int8() !== 0;
  }
  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  /** int64 as a JS number: offsets, timestamps and producer ids in this broker stay below 2^53. */
  int64(): number {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return Number(v);
  }

  nullableString(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    this.need(len);
    const s = this.buf.toString('utf8', this.offset, this.offset + len);
    this.offset += len;
    return s;
  }

  string(): string {
    return this.nullableString() ?? '';
  }

  nullableBytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) return null;
    this.need(len);
    const b = this.buf.subarray(this.offset, this.offset + len);
    this.offset += len;
    return b;
  }

  bytes(): Buffer {
    return this.nullableBytes() ?? Buffer.alloc(0);
  }

  nullableArray<T>(item: (r: Reader) => T): T[] | null {
    const n = this.int32();
    if (n < 0) return null;
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this));
    return out;
  }

  array<T>(item: (r: Reader) => T): T[] {
    return this.nullableArray(item) ?? [];
  }

  /** Zig-zag varint (records inside a batch). */
  varint(): number {
    let shift = 0;
    let result = 0;
    for (;;) {
      this.need(1);
      const b = this.buf[this.offset++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 63) throw new RangeError('varint too long');
    }
    // zig-zag decode without 32-bit truncation
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  }

  skip(n: number): void {
    this.need(n);
    this.offset += n;
  }
  remaining(): number {
    return this.buf.length - this.offset;
  }
}
