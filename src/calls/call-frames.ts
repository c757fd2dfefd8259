// src/calls/call-frames.ts: the audio frames inside our TS segments, each with its PTS and wall time, and the frames of a call's time span (pure).
import {
  type AudioFraming,
  frameTicks,
  parseAdtsHeader,
  parseMpegAudioHeader,
} from '../ts/audio-frames.js';
import {
  hasPayloadAt,
  PACKET_SIZE,
  PAT_PID,
  payloadOffsetAt,
  pidAt,
  pusiAt,
  STREAM_TYPE,
  SYNC_BYTE,
} from '../ts/packet.js';
import { pesDataOffset } from '../ts/pes.js';
import { patPrograms, readPmt, readSection } from '../ts/psi.js';
import { ptsDelta, TICKS } from '../ts/timestamps.js';

/** The audio stream of a segment: where it is and how its frames are timed. */
export interface AudioTrack {
  program: number;
  pmtPid: number;
  audioPid: number;
  /** 0x03/0x04 MPEG audio, 0x0F ADTS. */
  streamType: number;
  framing: AudioFraming;
  /** PCM samples per frame and the sample rate (the first frame's). */
  samples: number;
  sampleRate: number;
}

/** One whole audio frame: its bytes (header included) as the segment carries them. */
export interface AudioFrame {
  data: Uint8Array;
  /** 33-bit PTS, 90 kHz. */
  pts: number;
  /** Wall-clock start: the segment's PROGRAM-DATE-TIME plus the PTS distance from its first frame. */
  wallMs: number;
}

/** A segment's audio. */
export interface SegmentAudio {
  track: AudioTrack;
  frames: AudioFrame[];
}

function readPts(pes: Uint8Array): number | null {
  if (pes.length < 14 || (pes[7] & 0x80) === 0) return null;
  const b = pes;
  // ISO/IEC 13818-1 §2.4.3.7: PTS[32..30], PTS[29..15], PTS[14..0], each followed by a marker bit.
  return (
    ((b[9] >> 1) & 0x07) * 2 ** 30 +
    ((b[10] << 7) | (b[11] >> 1)) * 2 ** 15 +
    ((b[12] << 7) | (b[13] >> 1))
  );
}

interface Pes {
  pts: number | null;
  data: Uint8Array;
}

/** The program's PAT/PMT and the PES packets on its audio PID. */
function demux(
  ts: Uint8Array,
): { track: Omit<AudioTrack, 'samples' | 'sampleRate'>; pes: Pes[] } | null {
  let program = -1;
  let pmtPid = -1;
  let track: Omit<AudioTrack, 'samples' | 'sampleRate'> | null = null;
  const pes: Pes[] = [];
  let parts: Uint8Array[] | null = null;
  const finish = (): void => {
    if (!parts) return;
    const whole = Buffer.concat(parts);
    const at = pesDataOffset(whole);
    if (at) pes.push({ pts: readPts(whole), data: whole.subarray(at.dataOffset) });
    parts = null;
  };
  for (let off = 0; off + PACKET_SIZE <= ts.length; off += PACKET_SIZE) {
    if (ts[off] !== SYNC_BYTE || !hasPayloadAt(ts, off)) continue;
    const pid = pidAt(ts, off);
    if (pid === PAT_PID && pmtPid < 0) {
      const s = readSection(ts, off);
      const first = typeof s === 'object' ? patPrograms(s)[0] : undefined;
      if (first) ({ program, pmtPid } = first);
    } else if (pid === pmtPid && !track) {
      const s = readSection(ts, off);
      const pmt = typeof s === 'object' ? readPmt(s, ts.subarray(off, off + PACKET_SIZE)) : null;
      const audio = pmt?.streams.find((e) =>
        [STREAM_TYPE.mpeg1Audio, STREAM_TYPE.mpeg2Audio, STREAM_TYPE.adts].some(
          (t) => t === e.streamType,
        ),
      );
      if (audio) {
        const framing = audio.streamType === STREAM_TYPE.adts ? 'adts' : 'mpeg-audio';
        track = { program, pmtPid, audioPid: audio.pid, streamType: audio.streamType, framing };
      }
    } else if (track && pid === track.audioPid) {
      if (pusiAt(ts, off)) {
        finish();
        parts = [];
      }
      parts?.push(ts.subarray(off + payloadOffsetAt(ts, off), off + PACKET_SIZE));
    }
  }
  finish();
  return track ? { track, pes } : null;
}

/**
 * The whole audio frames of one of our segments (PAT and PMT first, as every segment and part
 * starts), timed from pdtMs. A frame takes the PTS of the PES it starts at, or the one before it
 * plus whole frames (ISO/IEC 13818-1 §2.4.3.7: a PTS refers to the first access unit that begins
 * in the PES). Bytes that are no frame header are skipped; a frame cut short at the end is left out.
 */
export function segmentAudio(ts: Uint8Array, pdtMs: number): SegmentAudio | null {
  const d = demux(ts);
  if (!d) return null;
  const parse = d.track.framing === 'adts' ? parseAdtsHeader : parseMpegAudioHeader;
  const es = Buffer.concat(d.pes.map((p) => p.data));
  const starts: { at: number; pts: number | null }[] = [];
  let at = 0;
  for (const p of d.pes) {
    starts.push({ at, pts: p.pts });
    at += p.data.length;
  }
  const frames: AudioFrame[] = [];
  let timing: { samples: number; sampleRate: number } | null = null;
  let pesIndex = -1;
  let base: number | null = null;
  let sincePes = 0;
  let firstPts: number | null = null;
  for (let i = 0; i < es.length;) {
    const h = parse(es, i);
    if (!h || (timing && (h.samples !== timing.samples || h.sampleRate !== timing.sampleRate))) {
      i++;
      continue;
    }
    if (i + h.frameBytes > es.length) break;
    timing ??= { samples: h.samples, sampleRate: h.sampleRate };
    while (pesIndex + 1 < starts.length && starts[pesIndex + 1].at <= i) {
      pesIndex++;
      const p = starts[pesIndex].pts;
      if (p !== null) {
        base = p;
        sincePes = 0;
      }
    }
    const tick = frameTicks(timing);
    if (base !== null) {
      const pts = Math.round(base + sincePes * tick) % 2 ** 33;
      firstPts ??= pts;
      const wallMs = pdtMs + (ptsDelta(pts, firstPts) / TICKS) * 1000;
      frames.push({ data: es.subarray(i, i + h.frameBytes), pts, wallMs });
    }
    sincePes++;
    i += h.frameBytes;
  }
  if (!timing) return null;
  return { track: { ...d.track, ...timing }, frames };
}

/** A stretch of frames that play back to back (no discontinuity between them). */
export interface FrameRun {
  track: AudioTrack;
  frames: AudioFrame[];
}

/** One segment's audio, and whether the playlist marked it EXT-X-DISCONTINUITY. */
export interface TimedSegment {
  audio: SegmentAudio;
  discontinuity: boolean;
}

function sameTrack(a: AudioTrack, b: AudioTrack): boolean {
  return (
    a.audioPid === b.audioPid &&
    a.streamType === b.streamType &&
    a.samples === b.samples &&
    a.sampleRate === b.sampleRate
  );
}

/**
 * The frames of [startMs, endMs): those whose middle lies inside it, so the cut is at frame
 * boundaries and the audio lasts the span to within one frame wherever the segments cover it.
 * A new run starts at a discontinuity, a change of format, or a PTS that does not follow on.
 */
export function callFrames(
  segments: readonly TimedSegment[],
  startMs: number,
  endMs: number,
): FrameRun[] {
  const runs: FrameRun[] = [];
  let run: FrameRun | null = null;
  let lastPts: number | null = null;
  for (const seg of segments) {
    const { track } = seg.audio;
    const tick = frameTicks(track);
    const halfMs = ((tick / TICKS) * 1000) / 2;
    let breakHere = seg.discontinuity;
    for (const f of seg.audio.frames) {
      const mid = f.wallMs + halfMs;
      if (mid < startMs || mid >= endMs) {
        lastPts = null;
        continue;
      }
      const follows =
        run !== null &&
        !breakHere &&
        sameTrack(run.track, track) &&
        lastPts !== null &&
        Math.abs(ptsDelta(f.pts, lastPts) - tick) <= 1;
      if (!follows) {
        run = { track, frames: [] };
        runs.push(run);
      }
      breakHere = false;
      run?.frames.push(f);
      lastPts = f.pts;
    }
  }
  return runs;
}

/** Seconds of audio in runs: frames × samples per frame / sample rate. */
export function runsDurationSec(runs: readonly FrameRun[]): number {
  return runs.reduce((s, r) => s + (r.frames.length * r.track.samples) / r.track.sampleRate, 0);
}
