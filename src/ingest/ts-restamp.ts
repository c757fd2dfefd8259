// src/ingest/ts-restamp.ts: restampPacket (pure): shifts PCR, PTS and DTS and advances continuity counters, for seamless loops.
import { hasPayloadAt, PACKET_SIZE, pidAt, pusiAt } from '../ts/packet.js';

const WRAP = 2 ** 33;

/** How one pass of a looped file is shifted. */
export interface RestampShift {
  /** Added to every PCR base, PTS and DTS (90 kHz ticks, modulo 2^33). */
  ticks: number;
  /** Added (mod 16) to the continuity counter of payload packets, per PID. */
  cc: Uint8Array;
}

/**
 * The shift for pass n (0 = the file as it is) of a file whose one pass lasts loopTicks and advances
 * each PID's counter by ccStep: timestamps continue where the last pass ended, and so do the counters
 * (ISO/IEC 13818-1 §2.4.3.3: continuity_counter increments per payload packet of a PID).
 */
export function passShift(pass: number, loopTicks: number, ccStep: Uint8Array): RestampShift {
  const cc = new Uint8Array(ccStep.length);
  for (let p = 0; p < ccStep.length; p++) cc[p] = (ccStep[p] * pass) & 0x0f;
  return { ticks: (pass * loopTicks) % WRAP, cc };
}

function readTimestamp(b: Uint8Array, at: number): number {
  return (
    ((b[at] >> 1) & 0x07) * 2 ** 30 +
    (b[at + 1] << 22) +
    ((b[at + 2] >> 1) << 15) +
    (b[at + 3] << 7) +
    (b[at + 4] >> 1)
  );
}

/** Rewrites the 33-bit timestamp at `at` (5-byte PES form), keeping its 4-bit prefix and marker bits. */
function shiftTimestamp(b: Uint8Array, at: number, ticks: number): void {
  const v = (readTimestamp(b, at) + ticks) % WRAP;
  const hi = Math.floor(v / 2 ** 30) & 0x7;
  const mid = Math.floor(v / 2 ** 15) & 0x7fff;
  const lo = v % 2 ** 15;
  b[at] = (b[at] & 0xf1) | (hi << 1);
  b[at + 1] = mid >> 7;
  b[at + 2] = ((mid & 0x7f) << 1) | 1;
  b[at + 3] = lo >> 7;
  b[at + 4] = ((lo & 0x7f) << 1) | 1;
}

/** Shifts the 33-bit program_clock_reference_base at `at`; the 9-bit extension is left alone. */
function shiftPcr(b: Uint8Array, at: number, ticks: number): void {
  const base =
    b[at] * 2 ** 25 + (b[at + 1] << 17) + (b[at + 2] << 9) + (b[at + 3] << 1) + (b[at + 4] >> 7);
  const v = (base + ticks) % WRAP;
  b[at] = Math.floor(v / 2 ** 25) & 0xff;
  b[at + 1] = Math.floor(v / 2 ** 17) & 0xff;
  b[at + 2] = Math.floor(v / 2 ** 9) & 0xff;
  b[at + 3] = Math.floor(v / 2) & 0xff;
  b[at + 4] = (b[at + 4] & 0x7f) | ((v & 1) << 7);
}

/** stream_ids whose PES packets have no optional header (ISO/IEC 13818-1 Table 2-21 conditions). */
function hasPesHeader(streamId: number): boolean {
  return ![0xbc, 0xbe, 0xbf, 0xf0, 0xf1, 0xff, 0xf2, 0xf8].includes(streamId);
}

/** Applies a shift in place to the packet at off: PCR (adaptation field), PTS/DTS (PES header), CC. */
export function restampPacket(b: Uint8Array, off: number, shift: RestampShift): void {
  const pid = pidAt(b, off);
  const afc = (b[off + 3] >> 4) & 0x3;
  let payload = off + 4;
  if (afc & 0x2) {
    const afLen = b[off + 4];
    // ISO/IEC 13818-1 §2.4.3.4: PCR_flag is bit 4 of the flags byte; the PCR follows it.
    if (afLen >= 7 && b[off + 5] & 0x10) shiftPcr(b, off + 6, shift.ticks);
    payload = off + 5 + afLen;
  }
  if (hasPayloadAt(b, off)) {
    const h = b[off + 3];
    b[off + 3] = (h & 0xf0) | (((h & 0x0f) + shift.cc[pid]) & 0x0f);
  }
  if (!pusiAt(b, off) || !(afc & 0x1) || payload + 14 > off + PACKET_SIZE) return;
  if (b[payload] !== 0 || b[payload + 1] !== 0 || b[payload + 2] !== 1) return;
  if (!hasPesHeader(b[payload + 3])) return;
  const flags = b[payload + 7] >> 6;
  if (flags & 0x2) shiftTimestamp(b, payload + 9, shift.ticks);
  if (flags === 0x3 && payload + 19 <= off + PACKET_SIZE)
    shiftTimestamp(b, payload + 14, shift.ticks);
}

/** Returns a shifted copy of whole packets (bytes.length a multiple of 188). */
export function restampPackets(bytes: Uint8Array, shift: RestampShift): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (let off = 0; off + PACKET_SIZE <= out.length; off += PACKET_SIZE)
    restampPacket(out, off, shift);
  return out;
}
