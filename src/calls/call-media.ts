// src/calls/call-media.ts: a call's own media from its frames: TS chunks for its VOD playlist, and the MP3/AAC download with ID3 tags (pure).
import { buildPmtSection, pcrField } from '../hls/silence.js';
import { type Id3Frame, id3Tag } from '../id3/id3v2.js';
import { buildPes, packetizePes } from '../ts/pes.js';
import { patPacket, sectionPacket } from '../ts/psi.js';
import type { AudioFrame, AudioTrack, FrameRun } from './call-frames.js';
import type { CallRow } from './call-format.js';

/** Longest chunk of a call's playlist, seconds (EXT-X-TARGETDURATION is its ceiling). */
export const CHUNK_SEC = 2;

/** One file of a call's VOD playlist: frames of one run, at most CHUNK_SEC long. */
export interface Chunk {
  track: AudioTrack;
  frames: AudioFrame[];
  /** frames × samples per frame / sample rate: the EXTINF, exact. */
  durationSec: number;
  /** The first chunk of a run after the first: EXT-X-DISCONTINUITY. */
  discontinuity: boolean;
  /** EXT-X-PROGRAM-DATE-TIME: the first frame's wall time. */
  wallMs: number;
}

/** Cuts runs into chunks of whole frames, none longer than CHUNK_SEC. */
export function planChunks(runs: readonly FrameRun[]): Chunk[] {
  const out: Chunk[] = [];
  runs.forEach((run, r) => {
    const frameSec = run.track.samples / run.track.sampleRate;
    const per = Math.max(1, Math.floor(CHUNK_SEC / frameSec + 1e-9));
    for (let i = 0; i < run.frames.length; i += per) {
      const frames = run.frames.slice(i, i + per);
      out.push({
        track: run.track,
        frames,
        durationSec: frames.length * frameSec,
        discontinuity: r > 0 && i === 0,
        wallMs: frames[0]?.wallMs ?? 0,
      });
    }
  });
  return out;
}

/** MPEG audio stream_id (ISO/IEC 13818-1 Table 2-22: 110x xxxx), for MP3 and AAC alike. */
const AUDIO_STREAM_ID = 0xc0;
/** PCR this far (90 kHz) before each PES's PTS, as the GAP silence writes it. */
const PCR_LEAD_TICKS = 9000;

interface Counters {
  pat: number;
  pmt: number;
  audio: number;
}

/**
 * One chunk as TS: PAT, a PMT of just the audio stream (PCR on it), then one PES per frame with
 * the frame's own PTS and a PCR: the layout our parts have with --capture, which hls.js, Safari
 * and ffmpeg read. The frames' bytes are copied unchanged.
 */
function muxChunk(c: Chunk, cc: Counters): Uint8Array {
  const { track } = c;
  const parts: Uint8Array[] = [
    patPacket(track.program, track.pmtPid, cc.pat),
    sectionPacket(
      track.pmtPid,
      buildPmtSection(track.program, track.audioPid, track.streamType),
      cc.pmt,
    ),
  ];
  cc.pat = (cc.pat + 1) & 0x0f;
  cc.pmt = (cc.pmt + 1) & 0x0f;
  for (const f of c.frames) {
    const pes = buildPes(AUDIO_STREAM_ID, f.pts, f.data);
    const out = packetizePes(track.audioPid, pes, cc.audio, pcrField(f.pts - PCR_LEAD_TICKS));
    parts.push(out.packets);
    cc.audio = out.nextCc;
  }
  return Buffer.concat(parts);
}

/** Chunk n of chunks as TS, its continuity counters following on from the chunks before it. */
export function chunkTs(chunks: readonly Chunk[], n: number): Uint8Array | null {
  if (!Number.isInteger(n) || n < 0 || n >= chunks.length) return null;
  const cc: Counters = { pat: 0, pmt: 0, audio: 0 };
  let out: Uint8Array | null = null;
  // Muxing the chunks before n is how their packet counts are known (a call is a few hundred KB).
  for (let i = 0; i <= n; i++) out = muxChunk(chunks[i], cc);
  return out;
}

/** The date as ID3v2.4 TDRC writes it (§4.2.5: yyyy-MM-ddTHH:mm:ss, UTC here). */
function id3Date(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/**
 * The download's tags: title = the label (else the frequency, else "Call"), the date, the
 * frequency, the talkgroup and channel, the call key, and TLEN (the audio's length in ms).
 */
export function callTags(call: CallRow, durationSec: number): Id3Frame[] {
  const mhz = call.freq === null ? null : `${(call.freq / 1e6).toFixed(4)} MHz`;
  const frames: Id3Frame[] = [
    { id: 'TIT2', text: call.label ?? mhz ?? 'Call' },
    { id: 'TDRC', text: id3Date(call.id) },
    { id: 'TLEN', text: String(Math.round(durationSec * 1000)) },
    { id: 'TSSE', text: 'scanner-hls' },
    { id: 'TXXX', description: 'call', value: String(call.id) },
  ];
  if (mhz !== null) frames.push({ id: 'TXXX', description: 'frequency', value: mhz });
  if (call.talkgroup !== null)
    frames.push({ id: 'TXXX', description: 'talkgroup', value: call.talkgroup });
  if (call.channel !== null)
    frames.push({ id: 'TXXX', description: 'channel', value: String(call.channel) });
  return frames;
}

/** The MP3 (or ADTS) file: the ID3v2.4 tag, then every frame of the runs, byte for byte. */
export function callDownload(runs: readonly FrameRun[], tags: readonly Id3Frame[]): Uint8Array {
  return Buffer.concat([id3Tag(tags), ...runs.flatMap((r) => r.frames.map((f) => f.data))]);
}
