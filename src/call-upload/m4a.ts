// src/call-upload/m4a.ts: adtsToM4a: a call's ADTS AAC frames as an .m4a (ISO BMFF: ftyp, moov, mdat) with the frames' raw data unchanged, for OpenMHz, which takes only .m4a or .mp3 (pure).

/** The AudioSpecificConfig fields an ADTS header carries (ISO/IEC 13818-7 §6.2). */
interface AdtsConfig {
  /** Audio object type: the header's profile + 1 (2 = AAC LC). */
  objectType: number;
  frequencyIndex: number;
  channelConfig: number;
}

/** ISO/IEC 14496-3 Table 1.18: sampling_frequency_index → Hz. */
const FREQUENCIES = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

function adtsConfig(h: Uint8Array): AdtsConfig | null {
  if (h.length < 7 || h[0] !== 0xff || ((h[1] ?? 0) & 0xf6) !== 0xf0) return null;
  const b2 = h[2] ?? 0;
  const b3 = h[3] ?? 0;
  return {
    objectType: (b2 >> 6) + 1,
    frequencyIndex: (b2 >> 2) & 0x0f,
    channelConfig: ((b2 & 0x01) << 2) | (b3 >> 6),
  };
}

/** The raw_data_block after the header: 7 bytes, or 9 with a CRC (protection_absent = 0). */
function payload(frame: Uint8Array): Uint8Array {
  const crc = ((frame[1] ?? 0) & 0x01) === 0;
  return frame.subarray(crc ? 9 : 7);
}

function u32(n: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function u16(n: number): Uint8Array {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n & 0xffff);
  return b;
}

/** A box: size, type, then its content. */
function box(type: string, ...content: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(content);
  return Buffer.concat([u32(8 + body.length), Buffer.from(type, 'latin1'), body]);
}

/** A full box: box with version and flags first. */
function fullBox(
  type: string,
  version: number,
  flags: number,
  ...content: Uint8Array[]
): Uint8Array {
  return box(type, u32(((version & 0xff) << 24) | (flags & 0xffffff)), ...content);
}

/** ISO/IEC 14496-1 §7.2.2.3 descriptor: tag, size (one byte: every one here is < 128), body. */
function descriptor(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag, body.length]), body]);
}

/** The unity matrix of mvhd and tkhd (ISO/IEC 14496-12 §8.2.2). */
const MATRIX = Buffer.concat(
  [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000].map((n) => u32(n)),
);

/** AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1): 5 bits object type, 4 frequency index, 4 channels, 3 zero. */
function audioSpecificConfig(c: AdtsConfig): Uint8Array {
  const v = (c.objectType << 11) | (c.frequencyIndex << 7) | (c.channelConfig << 3);
  return u16(v);
}

function moov(
  c: AdtsConfig,
  sizes: number[],
  samplesPerFrame: number,
  dataOffset: number,
): Uint8Array {
  const rate = FREQUENCIES[c.frequencyIndex] ?? 44100;
  const duration = sizes.length * samplesPerFrame;
  const total = sizes.reduce((s, n) => s + n, 0);
  const seconds = duration / rate;
  const avgBitrate = seconds > 0 ? Math.round((total * 8) / seconds) : 0;
  const maxSize = sizes.reduce((m, n) => Math.max(m, n), 0);
  const esds = fullBox(
    'esds',
    0,
    0,
    descriptor(
      0x03,
      u16(1), // ES_ID
      Buffer.from([0]), // no dependsOn, URL or OCR stream
      descriptor(
        0x04,
        Buffer.from([0x40, (0x05 << 2) | 1]), // Audio ISO/IEC 14496-3; AudioStream, upstream 0, reserved 1
        Buffer.from([(maxSize >> 16) & 0xff, (maxSize >> 8) & 0xff, maxSize & 0xff]),
        u32(avgBitrate),
        u32(avgBitrate),
        descriptor(0x05, audioSpecificConfig(c)),
      ),
      descriptor(0x06, Buffer.from([0x02])), // SLConfigDescriptor: predefined for MP4
    ),
  );
  const channels = c.channelConfig === 0 ? 2 : Math.min(c.channelConfig, 8);
  const mp4a = box(
    'mp4a',
    Buffer.alloc(6), // reserved
    u16(1), // data_reference_index
    Buffer.alloc(8), // version, revision, vendor
    u16(channels),
    u16(16), // samplesize
    u16(0), // pre_defined
    u16(0), // reserved
    u32((rate << 16) >>> 0), // samplerate, 16.16
    esds,
  );
  const stbl = box(
    'stbl',
    fullBox('stsd', 0, 0, u32(1), mp4a),
    fullBox('stts', 0, 0, u32(1), u32(sizes.length), u32(samplesPerFrame)),
    fullBox('stsc', 0, 0, u32(1), u32(1), u32(sizes.length), u32(1)),
    fullBox('stsz', 0, 0, u32(0), u32(sizes.length), ...sizes.map((n) => u32(n))),
    fullBox('stco', 0, 0, u32(1), u32(dataOffset)),
  );
  const minf = box(
    'minf',
    fullBox('smhd', 0, 0, u16(0), u16(0)),
    box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1))),
    stbl,
  );
  const mdia = box(
    'mdia',
    fullBox('mdhd', 0, 0, u32(0), u32(0), u32(rate), u32(duration), u16(0x55c4), u16(0)), // language "und"
    fullBox(
      'hdlr',
      0,
      0,
      u32(0),
      Buffer.from('soun', 'latin1'),
      Buffer.alloc(12),
      Buffer.from('SoundHandler\0', 'latin1'),
    ),
    minf,
  );
  const tkhd = fullBox(
    'tkhd',
    0,
    0x000007, // enabled, in movie, in preview
    u32(0),
    u32(0),
    u32(1), // track_ID
    u32(0),
    u32(duration),
    Buffer.alloc(8),
    u16(0), // layer
    u16(0), // alternate_group
    u16(0x0100), // volume 1.0
    u16(0),
    MATRIX,
    u32(0), // width
    u32(0), // height
  );
  const mvhd = fullBox(
    'mvhd',
    0,
    0,
    u32(0),
    u32(0),
    u32(rate),
    u32(duration),
    u32(0x00010000), // rate 1.0
    u16(0x0100), // volume 1.0
    Buffer.alloc(10),
    MATRIX,
    Buffer.alloc(24), // pre_defined
    u32(2), // next_track_ID
  );
  return box('moov', mvhd, box('trak', tkhd, mdia));
}

/**
 * The frames (each a whole ADTS frame, header included) as an .m4a: one AAC track in one chunk,
 * moov before mdat so a player can start at once. Frames whose header differs from the first's
 * (another rate or channel layout after a discontinuity) are left out: one track has one config.
 * Throws when the first frame is no ADTS frame.
 */
export function adtsToM4a(frames: readonly Uint8Array[], samplesPerFrame = 1024): Uint8Array {
  const first = frames[0];
  const config = first ? adtsConfig(first) : null;
  if (!config) throw new Error('not ADTS audio');
  const same = (f: Uint8Array): boolean => {
    const c = adtsConfig(f);
    return (
      c !== null &&
      c.objectType === config.objectType &&
      c.frequencyIndex === config.frequencyIndex &&
      c.channelConfig === config.channelConfig
    );
  };
  const data = frames.filter(same).map(payload);
  const sizes = data.map((d) => d.length);
  const ftyp = box(
    'ftyp',
    Buffer.from('M4A ', 'latin1'),
    u32(0),
    Buffer.from('M4A isomiso2mp41', 'latin1'),
  );
  // moov's size does not depend on the offset it holds: build it once to learn it.
  const moovSize = moov(config, sizes, samplesPerFrame, 0).length;
  const dataOffset = ftyp.length + moovSize + 8;
  const mdatSize = 8 + sizes.reduce((s, n) => s + n, 0);
  return Buffer.concat([
    ftyp,
    moov(config, sizes, samplesPerFrame, dataOffset),
    u32(mdatSize),
    Buffer.from('mdat', 'latin1'),
    ...data,
  ]);
}
