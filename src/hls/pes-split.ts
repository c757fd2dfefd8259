// src/hls/pes-split.ts: cutting a multi-frame audio PES at the frame boundary nearest a grid point (pure).
import { type AudioFraming, frameTicks, scanFrames } from '../ts/audio-frames.js';
import { PACKET_SIZE } from '../ts/packet.js';
import { collectPesRegion } from '../ts/pes-region.js';
import {
  packetizedLength,
  packetizePesInto,
  pesDataOffset,
  PTS_ONLY_HEADER_BYTES,
  writePesHeader,
} from '../ts/pes.js';

/** An adaptation field of flags only: random_access_indicator set. Never written to (packetizePes copies it). */
const RANDOM_ACCESS_AF = Uint8Array.of(0x40);

/**
 * Where the cut goes relative to the audio PES that straddles the grid point. A split's head and
 * tail are views of the SplitBuffers the plan was made with: append them before the next plan.
 */
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
 * Where splits put their head and tail: one pair of buffers reused from cut to cut, so a segmenter
 * that splits 18,000 PES (10 h batch) allocates nothing per cut. A split's head and tail are views
 * of these, valid until the next split made with the same SplitBuffers.
 */
export class SplitBuffers {
  head: Uint8Array;
  tail: Uint8Array;
  readonly header = new Uint8Array(PTS_ONLY_HEADER_BYTES);

  /** initialBytes: each buffer's starting size (0: grown to each split's exact size). */
  constructor(initialBytes = 0) {
    this.head = new Uint8Array(initialBytes);
    this.tail = new Uint8Array(initialBytes);
  }

  /** The head buffer with room for n bytes. */
  headRoom(n: number): Uint8Array {
    if (this.head.length < n) this.head = new Uint8Array(Math.max(n, this.head.length * 2));
    return this.head;
  }

  /** The tail buffer with room for n bytes. */
  tailRoom(n: number): Uint8Array {
    if (this.tail.length < n) this.tail = new Uint8Array(Math.max(n, this.tail.length * 2));
    return this.tail;
  }
}

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
  into: SplitBuffers = new SplitBuffers(0),
): SplitDecision {
  const f = pesFrames(region, pid, framing);
  if (!f)
    return gridPts - pesPts < nextPts - gridPts ? { kind: 'before-pes' } : { kind: 'after-pes' };
  const k = Math.round((gridPts - pesPts) / f.frameTicks);
  return splitAt(f, pid, pesPts, k, into);
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
  into: SplitBuffers = new SplitBuffers(0),
): SplitDecision | null {
  const f = pesFrames(region, pid, framing);
  if (!f) return null;
  // A hair of tolerance: frame times are fractional ticks, the limit is whole milliseconds.
  const k = Math.floor((limitPts - pesPts + 0.5) / f.frameTicks);
  return splitAt(f, pid, pesPts, k, into);
}

/** Splits the PES after its first k frames (k ≤ 0: before it; k ≥ all: after it), into the buffers of into. */
function splitAt(
  f: PesFrames,
  pid: number,
  pesPts: number,
  kWanted: number,
  into: SplitBuffers,
): SplitDecision {
  const n = f.offsets.length;
  const k = Math.max(0, Math.min(n, kWanted));
  if (k === 0) return { kind: 'before-pes' };
  if (k === n) return { kind: 'after-pes' };
  const cut = f.offsets[k];
  const splitPts = pesPts + Math.round(k * f.frameTicks);
  const id = f.header.streamId;
  const before = f.data.subarray(0, cut);
  const after = f.data.subarray(cut);
  const header = into.header;
  const firstBytes = packetizedLength(PTS_ONLY_HEADER_BYTES + before.length, f.firstAf);
  let othersBytes = 0;
  for (const p of f.others) othersBytes += p.length;
  const head = into.headRoom(firstBytes + othersBytes);
  writePesHeader(header, 0, id, pesPts, before.length);
  const nextCc = packetizePesInto(head, 0, pid, header, before, f.firstCc, f.firstAf);
  let at = firstBytes;
  for (const p of f.others) {
    head.set(p, at);
    at += p.length;
  }
  // Every audio frame is a random access point: flag the second half's first packet as one.
  const secondBytes = packetizedLength(PTS_ONLY_HEADER_BYTES + after.length, RANDOM_ACCESS_AF);
  const tail = into.tailRoom(secondBytes);
  writePesHeader(header, 0, id, splitPts, after.length);
  packetizePesInto(tail, 0, pid, header, after, nextCc, RANDOM_ACCESS_AF);
  const made = (firstBytes + secondBytes) / PACKET_SIZE;
  return {
    kind: 'split',
    head: head.subarray(0, at),
    tail: tail.subarray(0, secondBytes),
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
