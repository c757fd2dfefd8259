// src/hls/pes-split.ts: cutting a multi-frame audio PES at the frame boundary nearest a grid point (pure).
import { type AudioFraming, frameTicks, scanFrames } from '../ts/audio-frames.js';
import { PACKET_SIZE } from '../ts/packet.js';
import { collectPesRegion } from '../ts/pes-region.js';
import { buildPes, packetizePes, pesDataOffset } from '../ts/pes.js';

/** Where the cut goes relative to the audio PES that straddles the grid point. */
export type SplitDecision =
  | { kind: 'before-pes' }
  | { kind: 'after-pes' }
  | {
      kind: 'split';
      /** Ends the current segment: the first frames as one PES, then the region's other packets. */
      head: Uint8Array;
      /** Starts the next segment: the remaining frames as one PES with its own PTS. */
      tail: Uint8Array;
      /** Timestamp (same scale as pesPts) of the first frame in tail. */
      splitPts: number;
      /** Added (mod 16) to later packets' CC on the PID so the counter stays continuous. */
      ccShift: number;
      frames: number;
      framesBefore: number;
    };

/**
 * Decides how to cut at gridPts, given region = the packets from the straddling PES's first packet
 * up to (not including) the next PES start on pid, whose timestamp is nextPts. Only this PES is
 * re-packetised; the region's other packets keep their bytes and order.
 */
export function planAudioCut(
  region: Uint8Array,
  pid: number,
  framing: AudioFraming,
  pesPts: number,
  nextPts: number,
  gridPts: number,
): SplitDecision {
  const nearestEdge: SplitDecision =
    gridPts - pesPts < nextPts - gridPts ? { kind: 'before-pes' } : { kind: 'after-pes' };
  const { pes, others, firstAf, firstCc, count } = collectPesRegion(region, pid);
  const header = pesDataOffset(pes);
  if (!header) return nearestEdge;
  const data = pes.subarray(header.dataOffset);
  const scan = scanFrames(data, framing);
  if (!scan) return nearestEdge;
  const n = scan.offsets.length;
  const fd = frameTicks(scan);
  const k = Math.max(0, Math.min(n, Math.round((gridPts - pesPts) / fd)));
  if (k === 0) return { kind: 'before-pes' };
  if (k === n) return { kind: 'after-pes' };
  const cut = scan.offsets[k];
  const splitPts = pesPts + Math.round(k * fd);
  const first = packetizePes(
    pid,
    buildPes(header.streamId, pesPts, data.subarray(0, cut)),
    firstCc,
    firstAf,
  );
  // Every audio frame is a random access point: flag the second half's first packet as one.
  const second = packetizePes(
    pid,
    buildPes(header.streamId, splitPts, data.subarray(cut)),
    first.nextCc,
    Uint8Array.of(0x40),
  );
  const made = (first.packets.length + second.packets.length) / PACKET_SIZE;
  return {
    kind: 'split',
    head: Buffer.concat([first.packets, ...others]),
    tail: second.packets,
    splitPts,
    ccShift: (((made - count) % 16) + 16) % 16,
    frames: n,
    framesBefore: k,
  };
}
