// src/ingest/ts-timeline.ts: scanTimeline (pure): where a TS file's timing-stream PES start, and how long one pass of it lasts.
import { parsePesTime } from 'mux.js/cjs/m2ts/probe.js';
import { hasPayloadAt, PACKET_SIZE, PAT_PID, pidAt, pusiAt, SYNC_BYTE } from '../ts/packet.js';
import { pesFrameTicks } from '../ts/pes-region.js';
import { ProgramTracker } from '../ts/program.js';
import { ptsDelta, TICKS } from '../ts/timestamps.js';

/** A point to pace by: the bytes from offset on are due at ticks after the first timestamp. */
export interface TimelineMark {
  offset: number;
  ticks: number;
}

/** What a file source needs to play a TS file in real time and loop it seamlessly. */
export interface TsTimeline {
  /** The file cut to whole packets, starting at the first sync byte. */
  bytes: Uint8Array;
  /** Ascending by offset and ticks; the first is {offset 0, ticks 0}. */
  marks: TimelineMark[];
  /** Raw 33-bit DTS of the first timing-stream PES. */
  firstDts: number;
  /** Length of one pass in whole 90 kHz ticks: first DTS to the end of the last access unit. */
  loopTicks: number;
  /** Payload-carrying packets per PID, mod 16 (what the CC advances by in one pass). */
  ccStep: Uint8Array;
}

function firstSync(b: Uint8Array): number {
  for (let i = 0; i + PACKET_SIZE < b.length; i++) {
    if (b[i] === SYNC_BYTE && b[i + PACKET_SIZE] === SYNC_BYTE) return i;
  }
  return b.length >= PACKET_SIZE && b[0] === SYNC_BYTE ? 0 : -1;
}

/**
 * Walks the file once. Marks come from the DTS (PTS when there is no DTS) of the timing stream:
 * the video, else the first audio of the first program, as the segmenter chooses it. Throws when
 * the file is no MPEG-TS or has no timestamps to pace by.
 */
export function scanTimeline(file: Uint8Array): TsTimeline {
  const start = firstSync(file);
  if (start < 0) throw new Error('no MPEG-TS packets found');
  const bytes = file.subarray(
    start,
    start + Math.floor((file.length - start) / PACKET_SIZE) * PACKET_SIZE,
  );
  const tracker = new ProgramTracker(null);
  const ccCount = new Uint32Array(8192);
  const marks: TimelineMark[] = [{ offset: 0, ticks: 0 }];
  let first: number | null = null;
  let prevRaw = 0;
  let ticks = 0;
  let lastStep = 0;
  let lastPesOffset = -1;
  for (let off = 0; off < bytes.length; off += PACKET_SIZE) {
    const pid = pidAt(bytes, off);
    if (hasPayloadAt(bytes, off)) ccCount[pid]++;
    if (pid === PAT_PID) tracker.onPat(bytes, off);
    else if (pid === tracker.pmtPid) tracker.onPmt(bytes, off);
    const timing = tracker.current?.timing;
    if (!timing || pid !== timing.pid || !pusiAt(bytes, off)) continue;
    const t = parsePesTime(bytes.subarray(off, off + PACKET_SIZE));
    if (!t) continue;
    lastPesOffset = off;
    if (first === null) {
      first = t.dts;
      prevRaw = t.dts;
      continue;
    }
    const step = ptsDelta(t.dts, prevRaw);
    prevRaw = t.dts;
    if (step <= 0) continue;
    lastStep = step;
    ticks += step;
    marks.push({ offset: off, ticks });
  }
  const timing = tracker.current?.timing;
  if (first === null || !timing) throw new Error('no audio or video timestamps to pace by');
  const lastPes =
    timing.kind === 'video' ? null : pesTicksAt(bytes, lastPesOffset, timing.pid, timing.kind);
  const ccStep = new Uint8Array(8192);
  for (let p = 0; p < 8192; p++) ccStep[p] = ccCount[p] & 0x0f;
  return {
    bytes,
    marks,
    firstDts: first,
    loopTicks: Math.round(ticks + (lastPes ?? lastStep)),
    ccStep,
  };
}

function pesTicksAt(
  bytes: Uint8Array,
  off: number,
  pid: number,
  kind: 'mpeg-audio' | 'adts',
): number | null {
  return off < 0 ? null : pesFrameTicks(bytes.subarray(off), pid, kind);
}

/** Seconds of one pass, for logs. */
export function loopSeconds(t: TsTimeline): number {
  return t.loopTicks / TICKS;
}
