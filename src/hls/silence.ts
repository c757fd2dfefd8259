// src/hls/silence.ts: silent MP3/ADTS frames and whole silent TS segments (for EXT-X-GAP URIs), built from bits, no encoder (pure).
import { parseAdtsHeader, parseMpegAudioHeader } from '../ts/audio-frames.js';
import { crc32Mpeg } from '../ts/crc32.js';
import {
  hasPayloadAt,
  PACKET_SIZE,
  payloadOffsetAt,
  pidAt,
  pusiAt,
  SYNC_BYTE,
} from '../ts/packet.js';
import { buildPes, packetizePes, pesDataOffset } from '../ts/pes.js';
import { patPacket, sectionPacket } from '../ts/psi.js';

/** What a silent frame must match: codec, rate, channels and the header bits that say so. */
export interface AudioFormat {
  codec: 'mp3' | 'aac';
  sampleRate: number;
  channels: number;
  /** PCM samples per frame: 1152 (MPEG-1 Layer III), 576 (MPEG-2/2.5 Layer III), 1024 (AAC). */
  samplesPerFrame: number;
  /** MP3: the 2-bit version ID (3 MPEG-1, 2 MPEG-2, 0 MPEG-2.5). ADTS: the 1-bit ID (0 MPEG-4, 1 MPEG-2). */
  versionId: number;
  /** MP3: the 2-bit sampling_frequency (ISO/IEC 11172-3 §2.4.2.3). ADTS: sampling_frequency_index (14496-3 Table 1.18). */
  samplingFrequencyIndex: number;
  /** MP3: mode (0 stereo, 1 joint stereo, 2 dual channel, 3 single channel). ADTS: channel_configuration (1 or 2). */
  channelMode: number;
  /** ADTS profile_ObjectType (audio object type − 1: 0 Main, 1 LC, 3 LTP); 0 for MP3. */
  profile: number;
}

/** A silent segment to build; timestamps are 90 kHz ticks. */
export interface SilentSegmentSpec {
  program: number;
  pmtPid: number;
  audioPid: number;
  /** 0x03/0x04 MP3, 0x0F AAC (ISO/IEC 13818-1 Table 2-34). */
  streamType: number;
  format: AudioFormat;
  /** PTS of the first frame; may exceed 2^33 (written mod 2^33). */
  startPts: number;
  durationSec: number;
  /** 'nearest' (default): the frame count nearest durationSec; 'at-most': never longer (an LL part). */
  fit?: 'nearest' | 'at-most';
  /** Frames per PES; by default as many as fit in 0.2 s (at least 1). */
  framesPerPes?: number;
  /** Continuity counters to start from (default 0 each). */
  continuity?: { pat: number; pmt: number; audio: number };
}

/** A built silent segment and where the next one continues. */
export interface SilentSegment {
  bytes: Uint8Array;
  /** frames × samplesPerFrame / sampleRate. */
  durationSec: number;
  frames: number;
  /** startPts + the duration in ticks rounded to a whole tick, unwrapped. */
  endPts: number;
  /** The next continuity counters, for the segment that follows. */
  continuity: { pat: number; pmt: number; audio: number };
}

const TICKS = 90000;
const WRAP = 2 ** 33;
/** PCR is written this far (90 kHz) before each PES's PTS. */
const PCR_LEAD_TICKS = 9000;
const MAX_PES_SEC = 0.2;
/** Bytes of a PES collected before giving up on finding a frame header in it. */
const SCAN_LIMIT = 8192;
const AUDIO_STREAM_ID = 0xc0;

// ---------------------------------------------------------------------------------------------
// Reading the format from a segment
// ---------------------------------------------------------------------------------------------

/** The format of the first MP3 (Layer III) or ADTS frame header found in the first usable PES on pid; null if none. */
export function findAudioFormat(
  segment: Uint8Array,
  pid: number,
  framing: 'mpeg-audio' | 'adts',
): AudioFormat | null {
  const read = framing === 'adts' ? readAdtsFormat : readMp3Format;
  for (const es of pesPayloads(segment, pid)) {
    const format = firstFormat(es, read);
    if (format) return format;
  }
  return null;
}

/** The elementary-stream data (PES header stripped, capped at SCAN_LIMIT) of each PES starting on pid. */
function* pesPayloads(b: Uint8Array, pid: number): Generator<Uint8Array> {
  let parts: Uint8Array[] | null = null;
  let size = 0;
  for (let off = 0; off + PACKET_SIZE <= b.length; off += PACKET_SIZE) {
    if (b[off] !== SYNC_BYTE || pidAt(b, off) !== pid || !hasPayloadAt(b, off)) continue;
    const start = off + payloadOffsetAt(b, off);
    if (start >= off + PACKET_SIZE) continue;
    if (pusiAt(b, off)) {
      const es = parts && esOf(parts);
      if (es) yield es;
      parts = [];
      size = 0;
    }
    if (!parts || size >= SCAN_LIMIT) continue;
    parts.push(b.subarray(start, off + PACKET_SIZE));
    size += off + PACKET_SIZE - start;
  }
  const es = parts && esOf(parts);
  if (es) yield es;
}

/** The ES data of one collected PES; null when it is not a PES. */
function esOf(parts: Uint8Array[]): Uint8Array | null {
  const pes = Buffer.concat(parts);
  const at = pesDataOffset(pes);
  return at && pes.subarray(at.dataOffset);
}

/**
 * The format of the frame that starts es (aligned encoders: ffmpeg, GStreamer); otherwise of the
 * first header whose frame is followed by another header, so a stray sync word in the data of an
 * unaligned PES is not taken for a frame.
 */
function firstFormat(
  es: Uint8Array,
  read: (b: Uint8Array, i: number) => { format: AudioFormat; frameBytes: number } | null,
): AudioFormat | null {
  const aligned = read(es, 0);
  if (aligned) return aligned.format;
  for (let i = 1; i + 4 <= es.length; i++) {
    if (es[i] !== 0xff) continue;
    const here = read(es, i);
    const next = here && read(es, i + here.frameBytes);
    if (here && next?.format.sampleRate === here.format.sampleRate) return here.format;
  }
  return null;
}

/** An MPEG audio Layer III header at b[i] as an AudioFormat; null for other layers or no header. */
function readMp3Format(
  b: Uint8Array,
  i: number,
): { format: AudioFormat; frameBytes: number } | null {
  const info = parseMpegAudioHeader(b, i);
  if (!info || ((b[i + 1] >> 1) & 3) !== 1) return null; // layer '01' = Layer III
  const channelMode = b[i + 3] >> 6;
  return {
    frameBytes: info.frameBytes,
    format: {
      codec: 'mp3',
      sampleRate: info.sampleRate,
      channels: channelMode === 3 ? 1 : 2,
      samplesPerFrame: info.samples,
      versionId: (b[i + 1] >> 3) & 3,
      samplingFrequencyIndex: (b[i + 2] >> 2) & 3,
      channelMode,
      profile: 0,
    },
  };
}

/** An ADTS header at b[i] as an AudioFormat; null for SSR, PCE-defined or >2 channels, or no header. */
function readAdtsFormat(
  b: Uint8Array,
  i: number,
): { format: AudioFormat; frameBytes: number } | null {
  const info = parseAdtsHeader(b, i);
  if (!info) return null;
  const profile = b[i + 2] >> 6;
  const channelConfiguration = ((b[i + 2] & 1) << 2) | (b[i + 3] >> 6);
  if (profile === 2 || channelConfiguration < 1 || channelConfiguration > 2) return null;
  return {
    frameBytes: info.frameBytes,
    format: {
      codec: 'aac',
      sampleRate: info.sampleRate,
      channels: channelConfiguration,
      samplesPerFrame: 1024, // one raw_data_block per silent frame
      versionId: (b[i + 1] >> 3) & 1,
      samplingFrequencyIndex: (b[i + 2] >> 2) & 0x0f,
      channelMode: channelConfiguration,
      profile,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Silent frames
// ---------------------------------------------------------------------------------------------

/** One frame that decodes to silence in format; throws RangeError on a format it cannot express. */
export function silentFrame(format: AudioFormat): Uint8Array {
  return format.codec === 'mp3' ? silentMp3Frame(format) : silentAdtsFrame(format);
}

/**
 * A Layer III frame (ISO/IEC 11172-3 §2.4.1.3, 13818-3 §2.4.1.3): header with protection_bit 1
 * (no CRC), bitrate_index 1 (the lowest legal bitrate: 32 kbit/s MPEG-1, 8 kbit/s MPEG-2/2.5),
 * padding_bit 0; then an all-zero side_info (main_data_begin 0, and part2_3_length 0 in every
 * granule and channel, so no scale factors or Huffman data are read); then zeros to the frame
 * length, which the decoder takes as ancillary data.
 */
function silentMp3Frame(f: AudioFormat): Uint8Array {
  const header = [
    0xff,
    0xe0 | ((f.versionId & 3) << 3) | (1 << 1) | 1, // syncword, ID, layer '01' (III), protection_bit 1
    (1 << 4) | ((f.samplingFrequencyIndex & 3) << 2), // bitrate_index 1, sampling_frequency, padding 0
    (f.channelMode & 3) << 6, // mode; mode_extension, copyright, original, emphasis 0
  ];
  const info = parseMpegAudioHeader(Uint8Array.from(header), 0);
  const mpeg1 = f.versionId === 3;
  // side_info: 17/32 bytes (MPEG-1 mono/stereo), 9/17 bytes (MPEG-2/2.5 mono/stereo).
  const sideInfo = mpeg1 ? (f.channelMode === 3 ? 17 : 32) : f.channelMode === 3 ? 9 : 17;
  const consistent =
    info !== null &&
    [0, 2, 3].includes(f.versionId) &&
    [0, 1, 2].includes(f.samplingFrequencyIndex) &&
    [0, 1, 2, 3].includes(f.channelMode) &&
    info.sampleRate === f.sampleRate &&
    info.samples === f.samplesPerFrame &&
    f.channels === (f.channelMode === 3 ? 1 : 2) &&
    info.frameBytes >= 4 + sideInfo;
  if (!consistent || !info) throw new RangeError(`no silent MP3 frame for ${formatText(f)}`);
  const frame = new Uint8Array(info.frameBytes); // 144 (or 72) × bitrate / sampleRate, zero-filled
  frame.set(header, 0);
  return frame;
}

/** Bits written most significant first into a growing byte array. */
class BitWriter {
  private readonly bytes: number[] = [];
  private bits = 0;

  /** Appends the low n bits of value. */
  put(n: number, value: number): this {
    for (let k = n - 1; k >= 0; k--) {
      if (this.bits % 8 === 0) this.bytes.push(0);
      if ((value >> k) & 1) this.bytes[this.bytes.length - 1] |= 0x80 >> (this.bits % 8);
      this.bits++;
    }
    return this;
  }

  /** The bytes written, the last one zero-padded (byte_alignment()). */
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** Any value works: with max_sfb = 0 there are no scale factors for global_gain to start from. */
const GLOBAL_GAIN = 100;
const ID_SCE = 0;
const ID_CPE = 1;
const ID_END = 7;
const ONLY_LONG_SEQUENCE = 0;

/**
 * individual_channel_stream(common_window = 0, scale_flag = 0) with no spectral data
 * (ISO/IEC 14496-3 §4.4.2.7 Table 4.50; 13818-7 §8.3):
 *   global_gain (8); ics_info(); section_data(); scale_factor_data();
 *   pulse_data_present (1); tns_data_present (1); gain_control_data_present (1); spectral_data()
 * section_data, scale_factor_data and spectral_data loop over sfb < max_sfb, so with max_sfb = 0
 * they are empty and every spectral coefficient is zero.
 */
function silentIcs(w: BitWriter): void {
  w.put(8, GLOBAL_GAIN);
  // ics_info() (Table 4.6): ics_reserved_bit (1), window_sequence (2), window_shape (1), then for a
  // non-EIGHT_SHORT_SEQUENCE: max_sfb (6), predictor_data_present (1).
  w.put(1, 0).put(2, ONLY_LONG_SEQUENCE).put(1, 0).put(6, 0).put(1, 0);
  w.put(1, 0).put(1, 0).put(1, 0); // pulse_data_present, tns_data_present, gain_control_data_present
}

/**
 * raw_data_block() (14496-3 Table 4.3) of silence: mono is
 *   single_channel_element(): id_syn_ele = ID_SCE (3), element_instance_tag (4), individual_channel_stream(0, 0)
 * stereo is
 *   channel_pair_element(): id_syn_ele = ID_CPE (3), element_instance_tag (4), common_window (1) = 0,
 *   individual_channel_stream(0, 0), individual_channel_stream(0, 0)
 * then id_syn_ele = ID_END and byte_alignment(). Mono is 32 bits, stereo 55 bits padded to 56.
 */
function silentRawDataBlock(channels: number): Uint8Array {
  const w = new BitWriter();
  if (channels === 1) {
    w.put(3, ID_SCE).put(4, 0);
    silentIcs(w);
  } else {
    w.put(3, ID_CPE).put(4, 0).put(1, 0);
    silentIcs(w);
    silentIcs(w);
  }
  return w.put(3, ID_END).done();
}

/**
 * adts_frame() (14496-3 §1.A.2.2, 13818-7 §6.2): adts_fixed_header() + adts_variable_header() with
 * protection_absent 1 (7 bytes, no adts_error_check), then one raw_data_block().
 */
function silentAdtsFrame(f: AudioFormat): Uint8Array {
  const supported =
    (f.channelMode === 1 || f.channelMode === 2) &&
    f.channels === f.channelMode &&
    (f.profile === 0 || f.profile === 1 || f.profile === 3) &&
    (f.versionId === 0 || f.versionId === 1) &&
    Number.isInteger(f.samplingFrequencyIndex) &&
    f.samplingFrequencyIndex >= 0 &&
    f.samplingFrequencyIndex <= 12 &&
    f.samplesPerFrame === 1024;
  if (!supported) throw new RangeError(`no silent AAC frame for ${formatText(f)}`);
  const block = silentRawDataBlock(f.channels);
  const length = 7 + block.length;
  const w = new BitWriter();
  // adts_fixed_header(): syncword 0xFFF (12), ID (1), layer '00' (2), protection_absent (1),
  // profile_ObjectType (2), sampling_frequency_index (4), private_bit (1), channel_configuration (3),
  // original_copy (1), home (1).
  w.put(12, 0xfff).put(1, f.versionId).put(2, 0).put(1, 1);
  w.put(2, f.profile).put(4, f.samplingFrequencyIndex).put(1, 0).put(3, f.channelMode);
  w.put(1, 0).put(1, 0);
  // adts_variable_header(): copyright_identification_bit (1), copyright_identification_start (1),
  // aac_frame_length (13, header included), adts_buffer_fullness (11, 0x7FF = variable rate),
  // number_of_raw_data_blocks_in_frame (2, the count minus one).
  w.put(1, 0).put(1, 0).put(13, length).put(11, 0x7ff).put(2, 0);
  const frame = new Uint8Array(length);
  frame.set(w.done(), 0);
  frame.set(block, 7);
  if (parseAdtsHeader(frame, 0)?.sampleRate !== f.sampleRate) {
    throw new RangeError(`no silent AAC frame for ${formatText(f)}`);
  }
  return frame;
}

function formatText(f: AudioFormat): string {
  return JSON.stringify(f);
}

// ---------------------------------------------------------------------------------------------
// Silent segments
// ---------------------------------------------------------------------------------------------

/** A PMT section (ISO/IEC 13818-1 §2.4.4.8), version 0, listing one stream, PCR on that stream. */
export function buildPmtSection(program: number, pid: number, streamType: number): Uint8Array {
  const s = new Uint8Array(21);
  s[0] = 0x02; // table_id
  s[1] = 0xb0; // section_syntax_indicator 1, '0', reserved '11', section_length (high 4 bits) 0
  s[2] = 18; // section_length: the 9 bytes after it, one 5-byte ES entry and CRC_32
  s[3] = (program >> 8) & 0xff;
  s[4] = program & 0xff;
  s[5] = 0xc1; // reserved '11', version_number 0, current_next_indicator 1
  s[6] = 0; // section_number
  s[7] = 0; // last_section_number
  s[8] = 0xe0 | ((pid >> 8) & 0x1f); // reserved '111', PCR_PID
  s[9] = pid & 0xff;
  s[10] = 0xf0; // reserved '1111', program_info_length 0
  s[11] = 0;
  s[12] = streamType & 0xff;
  s[13] = 0xe0 | ((pid >> 8) & 0x1f); // reserved '111', elementary_PID
  s[14] = pid & 0xff;
  s[15] = 0xf0; // reserved '1111', ES_info_length 0
  s[16] = 0;
  const crc = crc32Mpeg(s, 0, 17);
  s[17] = crc >>> 24;
  s[18] = (crc >>> 16) & 0xff;
  s[19] = (crc >>> 8) & 0xff;
  s[20] = crc & 0xff;
  return s;
}

/** Adaptation field bytes after its length: flags (random_access, PCR_flag) and a PCR with extension 0. */
export function pcrField(pcrBase: number): Uint8Array {
  const v = ((Math.round(pcrBase) % WRAP) + WRAP) % WRAP;
  const hi = Math.floor(v / 2); // the top 32 of the 33 bits
  return Uint8Array.from([
    0x50,
    (hi >>> 24) & 0xff,
    (hi >>> 16) & 0xff,
    (hi >>> 8) & 0xff,
    hi & 0xff,
    ((v % 2) << 7) | 0x7e, // last base bit, 6 reserved bits, extension bit 8 = 0
    0, // program_clock_reference_extension low 8 bits
  ]);
}

/** A whole TS segment of silence in format: PAT, a one-stream PMT, then PES of silent frames with PCR. */
export function buildSilentSegment(spec: SilentSegmentSpec): SilentSegment {
  const { format } = spec;
  if (!Number.isFinite(spec.durationSec) || !Number.isFinite(spec.startPts)) {
    throw new RangeError('durationSec and startPts must be finite');
  }
  const frame = silentFrame(format);
  const exact = (spec.durationSec * format.sampleRate) / format.samplesPerFrame;
  const frames = Math.max(1, spec.fit === 'at-most' ? Math.floor(exact + 1e-9) : Math.round(exact));
  const perPes = Math.max(
    1,
    Math.floor(spec.framesPerPes ?? (MAX_PES_SEC * format.sampleRate) / format.samplesPerFrame),
  );
  const frameTicks = (format.samplesPerFrame * TICKS) / format.sampleRate;
  const cc = spec.continuity ?? { pat: 0, pmt: 0, audio: 0 };
  const parts: Uint8Array[] = [
    patPacket(spec.program, spec.pmtPid, cc.pat),
    sectionPacket(
      spec.pmtPid,
      buildPmtSection(spec.program, spec.audioPid, spec.streamType),
      cc.pmt,
    ),
  ];
  let audioCc = cc.audio;
  for (let first = 0; first < frames; first += perPes) {
    const count = Math.min(perPes, frames - first);
    const data = new Uint8Array(count * frame.length);
    for (let k = 0; k < count; k++) data.set(frame, k * frame.length);
    const pts = Math.round(spec.startPts + first * frameTicks);
    const pes = buildPes(AUDIO_STREAM_ID, pts, data);
    const out = packetizePes(spec.audioPid, pes, audioCc, pcrField(pts - PCR_LEAD_TICKS));
    parts.push(out.packets);
    audioCc = out.nextCc;
  }
  const durationSec = (frames * format.samplesPerFrame) / format.sampleRate;
  return {
    bytes: Buffer.concat(parts),
    durationSec,
    frames,
    endPts: spec.startPts + Math.round(frames * frameTicks),
    continuity: { pat: (cc.pat + 1) & 0x0f, pmt: (cc.pmt + 1) & 0x0f, audio: audioCc },
  };
}
