// src/hls/gap-media.ts: GapMedia (pure): the silence behind each EXT-X-GAP URI, in the stream's current audio format, on its timeline.
import { STREAM_TYPE } from '../ts/packet.js';
import type { ProgramState } from '../ts/program.js';
import { TICKS } from '../ts/timestamps.js';
import {
  type AudioFormat,
  buildSilentSegment,
  findAudioFormat,
  type SilentSegment,
} from './silence.js';

/** Where the silence goes: the published program's audio stream and its format. */
interface GapSource {
  program: number;
  pmtPid: number;
  audioPid: number;
  streamType: number;
  format: AudioFormat;
}

/**
 * Before any audio was seen: MPEG-2 Layer III, 22.05 kHz mono (the --capture default), on the PIDs
 * ffmpeg uses. Only a stream whose first real segment never came can need it.
 */
const FALLBACK: GapSource = {
  program: 1,
  pmtPid: 0x1000,
  audioPid: 0x100,
  streamType: STREAM_TYPE.mpeg2Audio,
  format: {
    codec: 'mp3',
    sampleRate: 22050,
    channels: 1,
    samplesPerFrame: 576,
    versionId: 2,
    samplingFrequencyIndex: 0,
    channelMode: 3,
    profile: 0,
  },
};

const AUDIO_TYPES: ReadonlySet<number> = new Set([
  STREAM_TYPE.mpeg1Audio,
  STREAM_TYPE.mpeg2Audio,
  STREAM_TYPE.adts,
]);

/**
 * RFC 8216bis §4.4.4.7 lets a GAP URI hold nothing ("SHOULD NOT be loaded by clients"), but ffmpeg,
 * VLC and older players load every URI, and a 404 stops them. So each GAP URI is a real segment:
 * silent frames built without an encoder (silence.ts) in the codec, sample rate and channel count of
 * the last real segment, with timestamps that go on from where it ended, and continuity counters
 * that run on from one GAP segment to the next.
 */
export class GapMedia {
  private source: GapSource | null = null;
  /** The last real segment, read for its format only when a GAP needs it (not on every segment). */
  private last: { bytes: Uint8Array; program: ProgramState | null } | null = null;
  private nextPts = 0;
  private continuity = { pat: 0, pmt: 0, audio: 0 };

  /** A real segment was published: remember it and where its timeline ends. */
  onSegment(
    bytes: Uint8Array,
    startTicks: number,
    durationSec: number,
    program: ProgramState | null,
  ): void {
    this.nextPts = startTicks + Math.round(durationSec * TICKS);
    this.last = { bytes, program };
  }

  /**
   * The silence for the next GAP segment, about durationSec long (whole frames, within one frame),
   * or for a GAP part: fit 'at-most' never runs past durationSec (the PART-TARGET).
   */
  next(durationSec: number, fit: 'nearest' | 'at-most' = 'nearest'): SilentSegment {
    if (this.last) {
      this.source = sourceOf(this.last.bytes, this.last.program) ?? this.source;
      this.last = null;
    }
    const src = this.source ?? FALLBACK;
    const seg = buildSilentSegment({
      ...src,
      startPts: this.nextPts,
      durationSec,
      fit,
      // One frame per PES, as GStreamer muxes: dozens of packets per second even at the lowest
      // bitrate, where several frames per PES make a file too small for ffmpeg to probe as TS.
      framesPerPes: 1,
      continuity: this.continuity,
    });
    this.nextPts = seg.endPts;
    this.continuity = seg.continuity;
    return seg;
  }
}

/** The program's first audio stream and the format of its first frame in bytes, or null. */
function sourceOf(bytes: Uint8Array, program: ProgramState | null): GapSource | null {
  const audio = program?.streams.find((s) => AUDIO_TYPES.has(s.streamType));
  if (!program || !audio) return null;
  const framing = audio.streamType === STREAM_TYPE.adts ? 'adts' : 'mpeg-audio';
  const format = findAudioFormat(bytes, audio.pid, framing);
  if (!format) return null;
  return {
    program: program.program,
    pmtPid: program.pmtPid,
    audioPid: audio.pid,
    streamType: audio.streamType,
    format,
  };
}
