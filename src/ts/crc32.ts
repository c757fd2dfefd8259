// src/ts/crc32.ts: CRC-32/MPEG-2 (poly 0x04C11DB7, no reflection, init 0xFFFFFFFF) used by PSI sections.

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32/MPEG-2 of b[start, end). A whole section including its CRC yields 0. */
export function crc32Mpeg(b: Uint8Array, start = 0, end = b.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = ((crc << 8) ^ TABLE[((crc >>> 24) ^ b[i]) & 0xff]) >>> 0;
  return crc >>> 0;
}
