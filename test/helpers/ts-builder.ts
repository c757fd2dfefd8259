// test/helpers/ts-builder.ts: hermetic MPEG-TS for unit tests, built from our own PSI/PES primitives and hand-made MP3/ADTS frames (no ffmpeg).
import { seededRandom } from '../../src/random.js';
import { type AudioFormat, silentFrame } from '../../src/hls/silence.js';
import { crc32Mpeg } from '../../src/ts/crc32.js';
import { NULL_PID, PACKET_SIZE, PAT_PID, STREAM_TYPE, SYNC_BYTE } from '../../src/ts/packet.js';
import { buildPes, packetizePes } from '../../src/ts/pes.js';
import { sectionPacket } from '../../src/ts/psi.js';

/** The 33-bit PTS/PCR wrap. */
export const PTS_WRAP = 2 ** 33;

/** One elementary stream entry of a PMT. */
export interface PmtStreamSpec {
  pid: number;
  streamType: number;
  /** ES_info descriptors, already encoded (tag, length, body...). */
  descriptors?: Uint8Array;
}

/** What a PMT section says (ISO/IEC 13818-1 §2.4.4.8). */
export interface PmtSpec {
  program: number;
  pcrPid: number;
  streams: PmtStreamSpec[];
  /** version_number, 0–31 (default 0). */
  version?: number;
  /** current_next_indicator (default true). */
  currentNext?: boolean;
  /** program_info descriptors, already encoded. */
  programInfo?: Uint8Array;
}

/** What a PAT section says (ISO/IEC 13818-1 §2.4.4.3). */
export interface PatSpec {
  programs: { program: number; pmtPid: number }[];
  /** transport_stream_id (default 1). */
  tsId?: number;
  /** version_number, 0–31 (default 0). */
  version?: number;
  /** current_next_indicator (default true). */
  currentNext?: boolean;
}

/** Writes the CRC_32 over s[0, length-4) into its last 4 bytes, in place; returns s. */
export function fixCrc(s: Uint8Array): Uint8Array {
  const crc = crc32Mpeg(s, 0, s.length - 4);
  s[s.length - 4] = crc >>> 24;
  s[s.length - 3] = (crc >>> 16) & 0xff;
  s[s.length - 2] = (crc >>> 8) & 0xff;
  s[s.length - 1] = crc & 0xff;
  return s;
}

/** A long-form PSI section: header, body and CRC, section_length computed. */
function longSection(
  tableId: number,
  extension: number,
  version: number,
  currentNext: boolean,
  body: Uint8Array,
): Uint8Array {
  const s = new Uint8Array(8 + body.length + 4);
  const sectionLength = 5 + body.length + 4;
  s[0] = tableId;
  s[1] = 0xb0 | ((sectionLength >> 8) & 0x0f); // section_syntax_indicator 1, '0', reserved '11'
  s[2] = sectionLength & 0xff;
  s[3] = (extension >> 8) & 0xff;
  s[4] = extension & 0xff;
  s[5] = 0xc0 | ((version & 0x1f) << 1) | (currentNext ? 1 : 0);
  s[6] = 0; // section_number
  s[7] = 0; // last_section_number
  s.set(body, 8);
  return fixCrc(s);
}

/** A PAT section listing any number of programs (program 0 would be the NIT PID). */
export function buildPatSectionMulti(spec: PatSpec): Uint8Array {
  const body = new Uint8Array(4 * spec.programs.length);
  spec.programs.forEach((p, i) => {
    body[4 * i] = (p.program >> 8) & 0xff;
    body[4 * i + 1] = p.program & 0xff;
    body[4 * i + 2] = 0xe0 | ((p.pmtPid >> 8) & 0x1f);
    body[4 * i + 3] = p.pmtPid & 0xff;
  });
  return longSection(0x00, spec.tsId ?? 1, spec.version ?? 0, spec.currentNext ?? true, body);
}

/** A PMT section with any streams and descriptors, with its CRC. */
export function buildPmtSection(spec: PmtSpec): Uint8Array {
  const info = spec.programInfo ?? new Uint8Array(0);
  const entries = spec.streams.map((s) => {
    const d = s.descriptors ?? new Uint8Array(0);
    const e = new Uint8Array(5 + d.length);
    e[0] = s.streamType;
    e[1] = 0xe0 | ((s.pid >> 8) & 0x1f);
    e[2] = s.pid & 0xff;
    e[3] = 0xf0 | ((d.length >> 8) & 0x0f);
    e[4] = d.length & 0xff;
    e.set(d, 5);
    return e;
  });
  const body = Buffer.concat([
    Uint8Array.of(
      0xe0 | ((spec.pcrPid >> 8) & 0x1f),
      spec.pcrPid & 0xff,
      0xf0 | ((info.length >> 8) & 0x0f),
      info.length & 0xff,
    ),
    info,
    ...entries,
  ]);
  return longSection(
    0x02,
    spec.program,
    spec.version ?? 0,
    spec.currentNext ?? true,
    new Uint8Array(body),
  );
}

/** A copy of a long-form section with another version_number, CRC recomputed. */
export function withVersion(section: Uint8Array, version: number): Uint8Array {
  const s = section.slice();
  s[5] = (s[5] & 0xc1) | ((version & 0x1f) << 1);
  return fixCrc(s);
}

/** A copy of a PMT section with another version_number, CRC recomputed. */
export const withPmtVersion = withVersion;

/** A copy of a 188-byte PSI packet (pointer_field 0) whose section CRC no longer matches. */
export function withBadCrc(pkt: Uint8Array): Uint8Array {
  const p = pkt.slice();
  const start = 5 + p[4];
  const len = ((p[start + 1] & 0x0f) << 8) | p[start + 2];
  p[start + 3 + len - 1] ^= 0x01;
  return p;
}

/** A copy of a TS packet with another continuity_counter. */
export function withCc(pkt: Uint8Array, cc: number): Uint8Array {
  const p = pkt.slice();
  p[3] = (p[3] & 0xf0) | (cc & 0x0f);
  return p;
}

/** Options of packet(). */
export interface PacketOptions {
  /** payload_unit_start_indicator (default false). */
  pusi?: boolean;
  /** continuity_counter (default 0). */
  cc?: number;
  /** Adaptation field bytes after its length byte (flags first); stuffing is appended as needed. */
  adaptation?: Uint8Array;
  /** transport_error_indicator (default false). */
  tei?: boolean;
}

/**
 * One 188-byte TS packet on pid: header, an adaptation field if given or needed for stuffing, then
 * payload (ISO/IEC 13818-1 §2.4.3.2–§2.4.3.5). An empty payload with an adaptation field makes an
 * adaptation-only packet (adaptation_field_control '10'). Throws when it does not fit.
 */
export function packet(pid: number, payload: Uint8Array, opts: PacketOptions = {}): Uint8Array {
  const pkt = new Uint8Array(PACKET_SIZE);
  pkt[0] = SYNC_BYTE;
  pkt[1] = (opts.tei ? 0x80 : 0) | (opts.pusi ? 0x40 : 0) | ((pid >> 8) & 0x1f);
  pkt[2] = pid & 0xff;
  const cc = (opts.cc ?? 0) & 0x0f;
  const af = opts.adaptation;
  if (payload.length === 0) {
    const field = af ?? Uint8Array.of(0);
    if (field.length > 183) throw new RangeError('adaptation field too long');
    pkt[3] = 0x20 | cc;
    pkt[4] = 183;
    pkt.set(field, 5);
    pkt.fill(0xff, 5 + field.length);
    return pkt;
  }
  const room = PACKET_SIZE - 4;
  if (!af && payload.length === room) {
    pkt[3] = 0x10 | cc;
    pkt.set(payload, 4);
    return pkt;
  }
  // An adaptation field: its length byte, the given bytes (or a zero flags byte), 0xFF stuffing.
  const fieldBytes = af ?? (payload.length <= room - 2 ? Uint8Array.of(0) : new Uint8Array(0));
  const afLen = room - 1 - payload.length; // adaptation_field_length
  if (afLen < fieldBytes.length) throw new RangeError('payload and adaptation field do not fit');
  pkt[3] = 0x30 | cc;
  pkt[4] = afLen;
  pkt.set(fieldBytes, 5);
  pkt.fill(0xff, 5 + fieldBytes.length, 5 + afLen);
  pkt.set(payload, 5 + afLen);
  return pkt;
}

/** Adaptation field bytes (after its length byte) with a PCR (base, extension 0) and flags. */
export function pcrAdaptation(
  pcrBase: number,
  flags: { randomAccess?: boolean; discontinuity?: boolean } = {},
): Uint8Array {
  const v = ((Math.round(pcrBase) % PTS_WRAP) + PTS_WRAP) % PTS_WRAP;
  const hi = Math.floor(v / 2);
  return Uint8Array.of(
    (flags.discontinuity ? 0x80 : 0) | (flags.randomAccess ? 0x40 : 0) | 0x10,
    (hi >>> 24) & 0xff,
    (hi >>> 16) & 0xff,
    (hi >>> 8) & 0xff,
    hi & 0xff,
    ((v % 2) << 7) | 0x7e,
    0,
  );
}

/** Reads the PCR base from a packet's adaptation field; null when it has none. */
export function readPcr(pkt: Uint8Array): number | null {
  if ((pkt[3] & 0x20) === 0 || pkt[4] < 7 || (pkt[5] & 0x10) === 0) return null;
  return pkt[6] * 2 ** 25 + pkt[7] * 2 ** 17 + pkt[8] * 2 ** 9 + pkt[9] * 2 + (pkt[10] >> 7);
}

/** A null packet (PID 0x1FFF), which carries nothing and has no continuity (§2.4.3.3). */
export function nullPacket(): Uint8Array {
  return packet(NULL_PID, new Uint8Array(PACKET_SIZE - 4).fill(0xff));
}

// ---------------------------------------------------------------------------------------------
// Audio frames
// ---------------------------------------------------------------------------------------------

/** An MPEG audio frame header's fields (ISO/IEC 11172-3 §2.4.2.3, 13818-3 §2.4.2.3). */
export interface MpegHeaderFields {
  /** 2-bit ID: 3 MPEG-1, 2 MPEG-2, 0 MPEG-2.5 (1 is reserved). */
  versionId: number;
  /** 2-bit layer: 1 Layer III, 2 Layer II, 3 Layer I (0 is reserved). */
  layerBits: number;
  /** 1–14 (0 free format, 15 forbidden). */
  bitrateIndex: number;
  /** 0–2 (3 reserved). */
  srIndex: number;
  padding?: boolean;
  /** 0 stereo, 1 joint stereo, 2 dual channel, 3 single channel (default 3). */
  channelMode?: number;
}

/** The 4 header bytes of an MPEG audio frame, protection_bit 1 (no CRC). */
export function mpegAudioHeader(f: MpegHeaderFields): Uint8Array {
  return Uint8Array.of(
    0xff,
    0xe0 | ((f.versionId & 3) << 3) | ((f.layerBits & 3) << 1) | 1,
    ((f.bitrateIndex & 0x0f) << 4) | ((f.srIndex & 3) << 2) | (f.padding ? 2 : 0),
    ((f.channelMode ?? 3) & 3) << 6,
  );
}

/** ADTS header fields (ISO/IEC 14496-3 §1.A.2.2). */
export interface AdtsHeaderFields {
  /** aac_frame_length: the whole frame, header included. */
  frameBytes: number;
  /** sampling_frequency_index 0–12 (13, 14 reserved; 15 explicit). */
  srIndex: number;
  /** profile_ObjectType (default 1, LC). */
  profile?: number;
  /** channel_configuration (default 1). */
  channels?: number;
  /** protection_absent (default true: a 7-byte header). */
  protectionAbsent?: boolean;
  /** number_of_raw_data_blocks_in_frame, 0–3 (the count minus one; default 0). */
  rawBlocks?: number;
  /** ID: 0 MPEG-4, 1 MPEG-2 (default 0). */
  id?: number;
}

/** The 7 fixed+variable header bytes of an ADTS frame. */
export function adtsHeader(f: AdtsHeaderFields): Uint8Array {
  const ch = f.channels ?? 1;
  const len = f.frameBytes;
  return Uint8Array.of(
    0xff,
    0xf0 | ((f.id ?? 0) << 3) | ((f.protectionAbsent ?? true) ? 1 : 0),
    (((f.profile ?? 1) & 3) << 6) | ((f.srIndex & 0x0f) << 2) | ((ch >> 2) & 1),
    ((ch & 3) << 6) | ((len >> 11) & 3),
    (len >> 3) & 0xff,
    ((len & 7) << 5) | 0x1f,
    0xfc | ((f.rawBlocks ?? 0) & 3),
  );
}

/** Codecs tsStream can produce. */
export type BuilderCodec = 'mp3' | 'mp3-lsf' | 'mp3-8k' | 'aac';

/** The audio preset of each codec: what ffmpeg and GStreamer typically send a scanner server. */
interface CodecPreset {
  streamType: number;
  framing: 'mpeg-audio' | 'adts';
  sampleRate: number;
  samplesPerFrame: number;
  /** Makes frame n (padding varies per frame for MP3, as CBR encoders do). */
  frame(n: number): Uint8Array;
}

/** An MP3 frame of silence: header, all-zero side info and main data (decodes to zeros). */
export function mp3SilentFrame(f: MpegHeaderFields): Uint8Array {
  const header = mpegAudioHeader(f);
  const v1 = f.versionId === 3;
  const layer = 4 - f.layerBits;
  const rates = [44100, 48000, 32000];
  const sampleRate = rates[f.srIndex] / (v1 ? 1 : f.versionId === 2 ? 2 : 4);
  const kbps = v1 ? MP3_V1_L3[f.bitrateIndex] : MP3_V2_L3[f.bitrateIndex];
  if (layer !== 3 || kbps === undefined) throw new RangeError('mp3SilentFrame: Layer III only');
  const perFrame = v1 ? 144 : 72;
  const bytes = Math.floor((perFrame * kbps * 1000) / sampleRate) + (f.padding ? 1 : 0);
  const frame = new Uint8Array(bytes);
  frame.set(header, 0);
  return frame;
}

/** Layer III bitrates in kbit/s by bitrate_index (MPEG-1, then MPEG-2/2.5). */
const MP3_V1_L3 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MP3_V2_L3 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];

/** Frames of a CBR MP3 stream: padding is set whenever the running byte count falls behind. */
function cbrMp3(fields: Omit<MpegHeaderFields, 'padding'>, sampleRate: number, samples: number) {
  const kbps = (fields.versionId === 3 ? MP3_V1_L3 : MP3_V2_L3)[fields.bitrateIndex];
  const exact = ((samples / 8) * kbps * 1000) / sampleRate;
  const base = Math.floor(exact);
  return (n: number): Uint8Array => {
    // Frame n is padded when floor((n+1)·exact) − floor(n·exact) exceeds the base size.
    const padding = Math.floor((n + 1) * exact) - Math.floor(n * exact) > base;
    return mp3SilentFrame({ ...fields, padding });
  };
}

const AAC_FORMAT: AudioFormat = {
  codec: 'aac',
  sampleRate: 44100,
  channels: 1,
  samplesPerFrame: 1024,
  versionId: 0,
  samplingFrequencyIndex: 4,
  channelMode: 1,
  profile: 1,
};

const PRESETS: Record<BuilderCodec, CodecPreset> = {
  // MPEG-1 Layer III, 44.1 kHz mono, 128 kbit/s: 417 or 418 bytes a frame.
  mp3: {
    streamType: STREAM_TYPE.mpeg1Audio,
    framing: 'mpeg-audio',
    sampleRate: 44100,
    samplesPerFrame: 1152,
    frame: cbrMp3({ versionId: 3, layerBits: 1, bitrateIndex: 9, srIndex: 0 }, 44100, 1152),
  },
  // MPEG-2 Layer III (LSF), 22.05 kHz mono, 16 kbit/s: 52 or 53 bytes a frame.
  'mp3-lsf': {
    streamType: STREAM_TYPE.mpeg2Audio,
    framing: 'mpeg-audio',
    sampleRate: 22050,
    samplesPerFrame: 576,
    frame: cbrMp3({ versionId: 2, layerBits: 1, bitrateIndex: 2, srIndex: 0 }, 22050, 576),
  },
  // MPEG-2.5 Layer III, 8 kHz mono, 8 kbit/s: 72 bytes a frame.
  'mp3-8k': {
    streamType: STREAM_TYPE.mpeg2Audio,
    framing: 'mpeg-audio',
    sampleRate: 8000,
    samplesPerFrame: 576,
    frame: cbrMp3({ versionId: 0, layerBits: 1, bitrateIndex: 1, srIndex: 2 }, 8000, 576),
  },
  // AAC-LC in ADTS, 44.1 kHz mono: silence.ts's silent raw_data_block (11 bytes a frame).
  aac: {
    streamType: STREAM_TYPE.adts,
    framing: 'adts',
    sampleRate: 44100,
    samplesPerFrame: 1024,
    frame: () => silentFrame(AAC_FORMAT),
  },
};

/** The framing, rate and frame length of a codec preset. */
export function codecInfo(codec: BuilderCodec): {
  streamType: number;
  framing: 'mpeg-audio' | 'adts';
  sampleRate: number;
  samplesPerFrame: number;
  frameTicks: number;
} {
  const p = PRESETS[codec];
  return {
    streamType: p.streamType,
    framing: p.framing,
    sampleRate: p.sampleRate,
    samplesPerFrame: p.samplesPerFrame,
    frameTicks: (p.samplesPerFrame * 90000) / p.sampleRate,
  };
}

/** n consecutive frames of a codec preset, concatenated (frame numbers from first). */
export function audioFrames(codec: BuilderCodec, n: number, first = 0): Buffer {
  const p = PRESETS[codec];
  return Buffer.concat(Array.from({ length: n }, (_, k) => p.frame(first + k)));
}

// ---------------------------------------------------------------------------------------------
// Whole streams
// ---------------------------------------------------------------------------------------------

/** What tsStream builds. */
export interface TsStreamOptions {
  codec: BuilderCodec;
  /** Length of the audio, rounded to whole frames (at least one). */
  seconds: number;
  /** Frames per PES (default 4). */
  framesPerPes?: number;
  /** PTS of the first frame, 90 kHz; may exceed 2^33 (written mod 2^33). Default 126000. */
  startPts?: number;
  /** program_number (default 1). */
  program?: number;
  /** PMT PID (default 0x1000, as ffmpeg). */
  pmtPid?: number;
  /** Audio PID (default 0x100, as ffmpeg). */
  audioPid?: number;
  /** PAT+PMT are repeated before the first PES at or after each multiple of this (default 0.1 s). */
  psiEverySec?: number;
  /** PCR on the first packet of each PES, 0.1 s ahead of its PTS (default true); false sets PCR_PID 0x1FFF. */
  pcr?: boolean;
  /** PMT version_number (default 0). */
  pmtVersion?: number;
  /** Continuity counters to start from (default 0 each). */
  cc?: { pat: number; pmt: number; audio: number };
}

/** A built stream and what a reader should find in it. */
export interface BuiltStream {
  /** Whole 188-byte packets. */
  bytes: Buffer;
  /** Unwrapped PTS of each PES, in order. */
  pesPts: number[];
  /** The frame count of each PES. */
  pesFrames: number[];
  frames: number;
  /** 90 kHz ticks per frame (not always whole). */
  frameTicks: number;
  /** frames × samplesPerFrame / sampleRate. */
  durationSec: number;
  streamType: number;
  framing: 'mpeg-audio' | 'adts';
  sampleRate: number;
  samplesPerFrame: number;
  program: number;
  pmtPid: number;
  audioPid: number;
  /** The PMT section as sent. */
  pmtSection: Uint8Array;
  /** Continuity counters the next packet on each PID would carry. */
  nextCc: { pat: number; pmt: number; audio: number };
}

const AUDIO_STREAM_ID = 0xc0;
const PCR_LEAD_TICKS = 9000;

/** Builds a single-program audio TS: PAT+PMT repeated, then PES of real frames with exact PTS. */
export function buildTsStream(opts: TsStreamOptions): BuiltStream {
  const preset = PRESETS[opts.codec];
  const program = opts.program ?? 1;
  const pmtPid = opts.pmtPid ?? 0x1000;
  const audioPid = opts.audioPid ?? 0x100;
  const perPes = Math.max(1, Math.floor(opts.framesPerPes ?? 4));
  const startPts = opts.startPts ?? 126000;
  const usePcr = opts.pcr ?? true;
  const frameTicks = (preset.samplesPerFrame * 90000) / preset.sampleRate;
  const frames = Math.max(
    1,
    Math.round((opts.seconds * preset.sampleRate) / preset.samplesPerFrame),
  );
  const psiTicks = Math.max(1, (opts.psiEverySec ?? 0.1) * 90000);
  const pat = buildPatSectionMulti({ programs: [{ program, pmtPid }] });
  const pmtSection = buildPmtSection({
    program,
    pcrPid: usePcr ? audioPid : NULL_PID,
    streams: [{ pid: audioPid, streamType: preset.streamType }],
    version: opts.pmtVersion ?? 0,
  });
  let { pat: patCc, pmt: pmtCc, audio: audioCc } = opts.cc ?? { pat: 0, pmt: 0, audio: 0 };
  const parts: Uint8Array[] = [];
  const pesPts: number[] = [];
  const pesFrames: number[] = [];
  let nextPsi = startPts;
  for (let first = 0; first < frames; first += perPes) {
    const count = Math.min(perPes, frames - first);
    const pts = Math.round(startPts + first * frameTicks);
    if (pts >= nextPsi) {
      parts.push(sectionPacket(PAT_PID, pat, patCc), sectionPacket(pmtPid, pmtSection, pmtCc));
      patCc = (patCc + 1) & 0x0f;
      pmtCc = (pmtCc + 1) & 0x0f;
      while (nextPsi <= pts) nextPsi += psiTicks;
    }
    const es = Buffer.concat(Array.from({ length: count }, (_, k) => preset.frame(first + k)));
    const af = usePcr ? pcrAdaptation(pts - PCR_LEAD_TICKS) : null;
    const out = packetizePes(audioPid, buildPes(AUDIO_STREAM_ID, pts, es), audioCc, af);
    parts.push(out.packets);
    audioCc = out.nextCc;
    pesPts.push(pts);
    pesFrames.push(count);
  }
  return {
    bytes: Buffer.concat(parts),
    pesPts,
    pesFrames,
    frames,
    frameTicks,
    durationSec: (frames * preset.samplesPerFrame) / preset.sampleRate,
    streamType: preset.streamType,
    framing: preset.framing,
    sampleRate: preset.sampleRate,
    samplesPerFrame: preset.samplesPerFrame,
    program,
    pmtPid,
    audioPid,
    pmtSection,
    nextCc: { pat: patCc, pmt: pmtCc, audio: audioCc },
  };
}

/** The bytes of buildTsStream(opts): an aligned single-program audio TS. */
export function tsStream(opts: TsStreamOptions): Buffer {
  return buildTsStream(opts).bytes;
}

/** Each 188-byte packet of an aligned buffer, as views. */
export function splitPackets(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off + PACKET_SIZE <= b.length; off += PACKET_SIZE) {
    out.push(b.subarray(off, off + PACKET_SIZE));
  }
  return out;
}

/** Concatenates packets and buffers into one Buffer. */
export function concat(...parts: Uint8Array[]): Buffer {
  return Buffer.concat(parts);
}

/** A small seeded generator in [0, 1) (mulberry32), for property-style loops. */
export const rng = seededRandom;

/** A random integer in [lo, hi] from r. */
export function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}
