// src/ts/pes.ts: PES header reading and writing, and packetising a PES into 188-byte TS packets (ISO/IEC 13818-1 §2.4.3.6).
import { PACKET_SIZE, SYNC_BYTE } from './packet.js';

/** Where a PES's elementary-stream data starts, and its stream_id; null when bytes are no PES start. */
export function pesDataOffset(pes: Uint8Array): { streamId: number; dataOffset: number } | null {
  if (pes.length < 9 || pes[0] !== 0 || pes[1] !== 0 || pes[2] !== 1) return null;
  const streamId = pes[3];
  const dataOffset = 9 + pes[8];
  if (dataOffset > pes.length) return null;
  return { streamId, dataOffset };
}

/** Writes a 33-bit timestamp in the 5-byte PES form with the given 4-bit prefix. */
function writeTimestamp(out: Uint8Array, at: number, prefix: number, ts: number): void {
  const v = ((ts % 2 ** 33) + 2 ** 33) % 2 ** 33;
  const hi = Math.floor(v / 2 ** 30) & 0x7;
  const mid = Math.floor(v / 2 ** 15) & 0x7fff;
  const lo = v & 0x7fff;
  out[at] = (prefix << 4) | (hi << 1) | 1;
  out[at + 1] = mid >> 7;
  out[at + 2] = ((mid & 0x7f) << 1) | 1;
  out[at + 3] = lo >> 7;
  out[at + 4] = ((lo & 0x7f) << 1) | 1;
}

/** PES_packet_length, flags and a PTS: the 14 bytes before the data of a PES with a PTS only. */
export const PTS_ONLY_HEADER_BYTES = 14;

/** Writes the header of a PES with a PTS only (as audio encoders write it) for dataLength bytes of data into out at at. */
export function writePesHeader(
  out: Uint8Array,
  at: number,
  streamId: number,
  pts: number,
  dataLength: number,
): void {
  out[at] = 0;
  out[at + 1] = 0;
  out[at + 2] = 1;
  out[at + 3] = streamId;
  const len = 8 + dataLength;
  out[at + 4] = len <= 0xffff ? len >> 8 : 0;
  out[at + 5] = len <= 0xffff ? len & 0xff : 0;
  out[at + 6] = 0x80; // '10', not scrambled, no priority, no alignment flag
  out[at + 7] = 0x80; // PTS only
  out[at + 8] = 5;
  writeTimestamp(out, at + 9, 0x2, pts);
}

/** Builds a PES with a PTS only (as audio encoders write it) around data. */
export function buildPes(streamId: number, pts: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(PTS_ONLY_HEADER_BYTES + data.length);
  writePesHeader(out, 0, streamId, pts, data.length);
  out.set(data, PTS_ONLY_HEADER_BYTES);
  return out;
}

const NO_BYTES = new Uint8Array(0);

/**
 * Splits pes into TS packets on pid. The first packet carries PUSI and, if given, the adaptation
 * field bytes firstAf (length byte excluded); the last packet is padded with adaptation-field
 * stuffing. CC starts at cc. Returns the packets and the next CC.
 */
export function packetizePes(
  pid: number,
  pes: Uint8Array,
  cc: number,
  firstAf: Uint8Array | null,
): { packets: Uint8Array; nextCc: number } {
  const packets = new Uint8Array(packetizedLength(pes.length, firstAf));
  const nextCc = packetizePesInto(packets, 0, pid, NO_BYTES, pes, cc, firstAf);
  return { packets, nextCc };
}

/** Copies bytes [from, from + n) of head ++ data into dst at at. */
function copyJoined(
  dst: Uint8Array,
  at: number,
  head: Uint8Array,
  data: Uint8Array,
  from: number,
  n: number,
): void {
  const h = head.length;
  if (from < h) {
    const k = Math.min(n, h - from);
    dst.set(head.subarray(from, from + k), at);
    at += k;
    from += k;
    n -= k;
  }
  if (n > 0) dst.set(data.subarray(from - h, from - h + n), at);
}

/** Bytes of the TS packets that packetizePes() makes of total PES bytes. */
export function packetizedLength(total: number, firstAf: Uint8Array | null): number {
  const firstRoom = PACKET_SIZE - 4 - (firstAf ? firstAf.length + 1 : 0);
  return (1 + Math.max(0, Math.ceil((total - firstRoom) / (PACKET_SIZE - 4)))) * PACKET_SIZE;
}

/**
 * packetizePes() of the PES head ++ data (a header from writePesHeader() and the frames) into
 * packets from byte start, which must have packetizedLength() bytes of room. The two parts are not
 * joined first: a split audio PES is packetised straight from the bytes it was cut from, into a
 * buffer its caller keeps for every cut. Returns the next CC.
 */
export function packetizePesInto(
  packets: Uint8Array,
  start: number,
  pid: number,
  head: Uint8Array,
  data: Uint8Array,
  cc: number,
  firstAf: Uint8Array | null,
): number {
  const total = head.length + data.length;
  const firstRoom = PACKET_SIZE - 4 - (firstAf ? firstAf.length + 1 : 0);
  const count = packetizedLength(total, firstAf) / PACKET_SIZE;
  let pos = 0;
  for (let n = 0; n < count; n++) {
    const base = start + n * PACKET_SIZE;
    const first = n === 0;
    packets[base] = SYNC_BYTE;
    packets[base + 1] = (first ? 0x40 : 0) | ((pid >> 8) & 0x1f);
    packets[base + 2] = pid & 0xff;
    const af = first ? firstAf : null;
    const room = first ? firstRoom : PACKET_SIZE - 4;
    const take = Math.min(room, total - pos);
    const stuffing = room - take;
    let at = base + 4;
    if (af) {
      // adaptation_field_length counts the given field bytes plus 0xFF stuffing after them.
      packets[base + 3] = 0x30 | (cc & 0x0f);
      packets[base + 4] = af.length + stuffing;
      packets.set(af, base + 5);
      packets.fill(0xff, base + 5 + af.length, base + 5 + af.length + stuffing);
      at = base + 5 + af.length + stuffing;
    } else if (stuffing > 0) {
      // The whole field is stuffing: its length byte, then a zero flags byte, then 0xFF.
      packets[base + 3] = 0x30 | (cc & 0x0f);
      packets[base + 4] = stuffing - 1;
      if (stuffing > 1) {
        packets[base + 5] = 0;
        packets.fill(0xff, base + 6, base + 4 + stuffing);
      }
      at = base + 4 + stuffing;
    } else {
      packets[base + 3] = 0x10 | (cc & 0x0f);
    }
    copyJoined(packets, at, head, data, pos, take);
    pos += take;
    cc = (cc + 1) & 0x0f;
  }
  return cc;
}
