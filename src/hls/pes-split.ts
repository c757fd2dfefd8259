// src/hls/pes-split.ts: cutting a multi-frame audio PES at the frame boundary nearest a grid point (pure).
import { type AudioFraming, frameTicks, scanFrames } from '../ts/audio-frames.js';
import { PACKET_SIZE } from '../ts/packet.js';
import { collectPesRegion } from '../ts/pes-region.js';
import { packetizePesParts, pesDataOffset, pesHeader } from '../ts/pes.js';

/** An adaptation field of flags only: random_access_indicator set. Never written to (packetizePes copies it). */
const RANDOM_ACCESS_AF = Uint8Array.of(0x40);

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

/** The frames of the PES at the start of region: what a cut inside it needs. */
interface PesFrames {
  header: { streamId: number; dataOffset: number };
  data: Uint8Array;
  offsets: number[];
  frameTicks: number;
  others: Uint8Array[];
  firstAf: Uint8Array | null;
  firstCc: number;
  count: number;
}

function pesFrames(region: Uint8Array, pid: number, framing: AudioFraming): PesFrames | null {
  const { pes, others, firstAf, firstCc, count } = collectPesRegion(region, pid);
  const header = pesDataOffset(pes);
  if (!header) return null;
  const data = pes.subarray(header.dataOffset);
  const scan = scanFrames(data, framing);
  if (!scan) return null;
  return {
    header,
    data,
    offsets: scan.offsets,
    frameTicks: frameTicks(scan),
    others,
    firstAf,
    firstCc,
    count,
  };
}

/**
 * Decides how to cut at gridPts, given region = the packets from the straddling PES's first packet
 * up to (not including) the next PES start on pid, whose timestamp is nextPts. Only this PES is
 * re-packetised; the region's other packets keep their bytes and order. The cut goes on the frame
 * boundary nearest gridPts.
 */
export function planAudioCut(
  region: Uint8Array,
  pid: number,
  framing: AudioFraming,
  pesPts: number,
  nextPts: number,
  gridPts: number,
): SplitDecision {
  const f = pesFrames(region, pid, framing);
  if (!f)
    return gridPts - pesPts < nextPts - gridPts ? { kind: 'before-pes' } : { kind: 'after-pes' };
  const k = Math.round((gridPts - pesPts) / f.frameTicks);
  return splitAt(f, pid, pesPts, k);
}

/**
 * Decides where a part that may not end after limitPts ends within the PES at the start of region:
 * on the last frame boundary at or before limitPts (RFC 8216bis §4.4.4.9: "The duration of a
 * Partial Segment MUST be less than or equal to the Part Target Duration"). Null when the PES is
 * not made of whole frames of one format (the caller cuts on the PES boundary).
 */
export function planPartCut(
  region: Uint8Array,
  pid: number,
  framing: AudioFraming,
  pesPts: number,
  limitPts: number,
): SplitDecision | null {
  const f = pesFrames(region, pid, framing);
  if (!f) return null;
  // A hair of tolerance: frame times are fractional ticks, the limit is whole milliseconds.
  const k = Math.floor((limitPts - pesPts + 0.5) / f.frameTicks);
  return splitAt(f, pid, pesPts, k);
}

/** Splits the PES after its first k frames (k ≤ 0: before it; k ≥ all: after it). */
function splitAt(f: PesFrames, pid: number, pesPts: number, kWanted: number): SplitDecision {
  const n = f.offsets.length;
  const k = Math.max(0, Math.min(n, kWanted));
  if (k === 0) return { kind: 'before-pes' };
  if (k === n) return { kind: 'after-pes' };
  const cut = f.offsets[k];
  const splitPts = pesPts + Math.round(k * f.frameTicks);
  const id = f.header.streamId;
  const before = f.data.subarray(0, cut);
  const after = f.data.subarray(cut);
  const first = packetizePesParts(
    pid,
    pesHeader(id, pesPts, before.length),
    before,
    f.firstCc,
    f.firstAf,
  );
  // Every audio frame is a random access point: flag the second half's first packet as one.
  const second = packetizePesParts(
    pid,
    pesHeader(id, splitPts, after.length),
    after,
    first.nextCc,
    RANDOM_ACCESS_AF,
  );
  const made = (first.packets.length + second.packets.length) / PACKET_SIZE;
  return {
    kind: 'split',
    head: f.others.length ? Buffer.concat([first.packets, ...f.others]) : first.packets,
    tail: second.packets,
    splitPts,
    ccShift: (((made - f.count) % 16) + 16) % 16,
    frames: n,
    framesBefore: k,
  };
}

/** The frame duration (90 kHz ticks) of the PES at the start of region; null if not whole frames. */
export function pesFrameDuration(
  region: Uint8Array,
  pid: number,
  framing: AudioFraming,
): number | null {
  return pesFrames(region, pid, framing)?.frameTicks ?? null;
}

/** The frame duration and frame count of the PES at the start of region; null if not whole frames. */
export function pesFrameLayout(
  region: Uint8Array,
  pid: number,
  framing: AudioFraming,
): { frameTicks: number; frames: number } | null {
  const f = pesFrames(region, pid, framing);
  return f && { frameTicks: f.frameTicks, frames: f.offsets.length };
}
