/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the checksum of record batch v2, computed over the
 * bytes from the attributes field to the end of the batch.
 * Invariant: crc32c(Buffer.from('123456789')) === 0xE3069283 (the standard check value; tested).
 */
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32c(buf: Buffer, start = 0, end = buf.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = TABLE[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
