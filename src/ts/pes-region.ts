// src/ts/pes-region.ts: one PES's packets on a PID within a region of TS packets: its payload gathered, its audio frame duration (pure).
import { type AudioFraming, frameTicks, scanFrames } from './audio-frames.js';
import { ccAt, PACKET_SIZE, payloadOffsetAt, pidAt } from './packet.js';
import { pesDataOffset } from './pes.js';

/** A region split into the PID's PES bytes and every other packet, with what re-packetising needs. */
export interface PesRegion {
  /**
   * The PID's payloads concatenated: one PES, header included. A view of a scratch buffer that
   * the next call reuses: read it, or copy it, before calling again.
   */
  pes: Uint8Array;
  /** The region's packets on other PIDs, in order. */
  others: Uint8Array[];
  /** The adaptation field of the PID's first packet, after its length byte; null when it has none. */
  firstAf: Uint8Array | null;
  /** The continuity counter of the PID's first packet, or -1 when the region has none. */
  firstCc: number;
  /** Packets on the PID. */
  count: number;
}

/** The buffer pes views are taken from, grown as needed (one allocation, not one per PES: perf, 10 h batch). */
let scratch = new Uint8Array(64 * 1024);

/** Gathers the packets of region (whole packets from offset 0) that are on pid. */
export function collectPesRegion(region: Uint8Array, pid: number): PesRegion {
  const others: Uint8Array[] = [];
  let firstAf: Uint8Array | null = null;
  let firstCc = -1;
  let count = 0;
  let bytes = 0;
  for (let off = 0; off + PACKET_SIZE <= region.length; off += PACKET_SIZE) {
    if (pidAt(region, off) !== pid) {
      others.push(region.subarray(off, off + PACKET_SIZE));
      continue;
    }
    const payload = payloadOffsetAt(region, off);
    if (count === 0) {
      firstCc = ccAt(region, off);
      if (payload > 5) firstAf = Uint8Array.prototype.slice.call(region, off + 5, off + payload);
    }
    count++;
    bytes += PACKET_SIZE - payload;
  }
  // A plain Uint8Array (a Buffer's views cost more, and callers take many of them).
  if (scratch.length < bytes) scratch = new Uint8Array(Math.max(bytes, scratch.length * 2));
  const pes = scratch.subarray(0, bytes);
  let at = 0;
  for (let off = 0; off + PACKET_SIZE <= region.length && at < bytes; off += PACKET_SIZE) {
    if (pidAt(region, off) !== pid) continue;
    const payload = payloadOffsetAt(region, off);
    pes.set(region.subarray(off + payload, off + PACKET_SIZE), at);
    at += PACKET_SIZE - payload;
  }
  return { pes, others, firstAf, firstCc, count };
}

/** The duration in 90 kHz ticks of the frames in the PES at the start of region; null if unknown. */
export function pesFrameTicks(
  region: Uint8Array,
  pid: number,
  framing: AudioFraming,
): number | null {
  const { pes } = collectPesRegion(region, pid);
  const at = pesDataOffset(pes);
  const scan = at && scanFrames(pes.subarray(at.dataOffset), framing);
  return scan ? scan.offsets.length * frameTicks(scan) : null;
}
