// test/unit/hls/silence.test.ts: silent segments for GAP URIs, checked against real ffmpeg output and decoded by ffmpeg.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  type AudioFormat,
  buildSilentSegment,
  findAudioFormat,
  type SilentSegmentSpec,
  silentFrame,
} from '../../../src/hls/silence.js';
import { parseAdtsHeader, parseMpegAudioHeader } from '../../../src/ts/audio-frames.js';
import { PACKET_SIZE, payloadOffsetAt, pidAt, pusiAt } from '../../../src/ts/packet.js';
import { seeded } from '../../helpers/es.js';
import { makeTs, type MediaKind } from '../../helpers/media.js';
import { ccBreaks, pesTimes } from '../../helpers/ts-bytes.js';

const run = promisify(execFile);
const WRAP = 2 ** 33;
const PMT_PID = 0x1000;

/** A real ffmpeg-made stream whose format the silence must copy. */
interface Reference {
  name: string;
  kind: MediaKind;
  extra: string[];
}

// makeTs's lavfi sine is mono: '-ac 2' makes the stereo ones (libmp3lame picks joint stereo).
const REFERENCES: Reference[] = [
  { name: 'MP3 MPEG-1 mono 44.1 kHz', kind: 'mp3', extra: [] },
  { name: 'MP3 MPEG-1 stereo 48 kHz', kind: 'mp3', extra: ['-ac', '2', '-ar', '48000'] },
  {
    name: 'MP3 MPEG-1 stereo 32 kHz',
    kind: 'mp3',
    extra: ['-ac', '2', '-ar', '32000', '-b:a', '64k'],
  },
  { name: 'MP3 MPEG-2 mono 22.05 kHz', kind: 'mp3-lsf', extra: [] },
  {
    name: 'MP3 MPEG-2 stereo 24 kHz',
    kind: 'mp3',
    extra: ['-ac', '2', '-ar', '24000', '-b:a', '64k'],
  },
  { name: 'MP3 MPEG-2.5 mono 8 kHz', kind: 'mp3-lsf', extra: ['-ar', '8000', '-b:a', '8k'] },
  {
    name: 'MP3 MPEG-2.5 stereo 11.025 kHz',
    kind: 'mp3',
    extra: ['-ac', '2', '-ar', '11025', '-b:a', '32k'],
  },
  { name: 'AAC LC mono 48 kHz', kind: 'aac', extra: [] },
  { name: 'AAC LC stereo 48 kHz', kind: 'aac', extra: ['-ac', '2'] },
  { name: 'AAC LC mono 22.05 kHz', kind: 'aac', extra: ['-ar', '22050'] },
  { name: 'AAC LC stereo 44.1 kHz', kind: 'aac', extra: ['-ac', '2', '-ar', '44100'] },
  { name: 'AAC LC stereo 16 kHz', kind: 'aac', extra: ['-ac', '2', '-ar', '16000', '-b:a', '32k'] },
  {
    name: 'AAC Main stereo 32 kHz',
    kind: 'aac',
    extra: ['-ac', '2', '-ar', '32000', '-profile:a', 'aac_main'],
  },
  { name: 'H.264 + AAC LC mono 48 kHz (audio PID)', kind: 'h264', extra: [] },
];

/** What ffprobe says about a file's audio stream. */
interface Probe {
  pid: number;
  codec: string;
  sampleRate: number;
  channels: number;
  profile: string;
}

/** A reference made, probed and read. */
interface Loaded {
  ref: Reference;
  bytes: Uint8Array;
  probe: Probe;
  format: AudioFormat | null;
}

interface ProbeJson {
  streams?: {
    codec_type?: string;
    codec_name?: string;
    sample_rate?: string;
    channels?: number;
    profile?: string;
    id?: string;
  }[];
}

async function probeAudio(file: string): Promise<Probe> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-of', 'json', '-show_streams', file]);
  const audio = (JSON.parse(stdout) as ProbeJson).streams?.find((s) => s.codec_type === 'audio');
  assert.ok(audio, `no audio stream in ${file}`);
  return {
    pid: Number(audio.id),
    codec: audio.codec_name ?? '',
    sampleRate: Number(audio.sample_rate),
    channels: audio.channels ?? 0,
    profile: audio.profile ?? '',
  };
}

/** Decodes file to interleaved s16le at its own rate and channel count; stderr at warning level. */
async function decodePcm(file: string): Promise<{ pcm: Buffer; warnings: string }> {
  const { stdout, stderr } = await run(
    'ffmpeg',
    ['-hide_banner', '-v', 'warning', '-i', file, '-f', 's16le', '-c:a', 'pcm_s16le', 'pipe:1'],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  return { pcm: stdout, warnings: stderr.toString().trim() };
}

/** Audio packet PTS values as ffprobe's demuxer and parser see them. */
async function packetPts(file: string): Promise<number[]> {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-of', 'json', '-select_streams', 'a'],
    ...['-show_entries', 'packet=pts', file],
  ]);
  const json = JSON.parse(stdout) as { packets?: { pts?: number }[] };
  return (json.packets ?? []).map((p) => p.pts ?? NaN);
}

function specFor(format: AudioFormat, pid: number, over: Partial<SilentSegmentSpec> = {}) {
  return {
    program: 1,
    pmtPid: PMT_PID,
    audioPid: pid,
    streamType: format.codec === 'aac' ? 0x0f : 0x03,
    format,
    startPts: 126000,
    durationSec: 2,
    ...over,
  };
}

/** The PCR base in the adaptation field of the first packet of every PES on pid. */
function pcrBases(b: Uint8Array, pid: number): number[] {
  const out: number[] = [];
  for (let off = 0; off + PACKET_SIZE <= b.length; off += PACKET_SIZE) {
    if (pidAt(b, off) !== pid || !pusiAt(b, off)) continue;
    assert.ok(payloadOffsetAt(b, off) >= 12 && (b[off + 5] & 0x10) !== 0, 'PCR_flag');
    const p = off + 6;
    out.push(
      b[p] * 2 ** 25 + b[p + 1] * 2 ** 17 + b[p + 2] * 2 ** 9 + b[p + 3] * 2 + (b[p + 4] >> 7),
    );
  }
  return out;
}

const frameSec = (f: AudioFormat) => f.samplesPerFrame / f.sampleRate;

let dir = '';
const loaded: Loaded[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'silence-test-'));
  const made = await Promise.all(
    REFERENCES.map(async (ref) => {
      const file = await makeTs(ref.kind, 1, ref.extra);
      return { ref, file, probe: await probeAudio(file) };
    }),
  );
  for (const { ref, file, probe } of made) {
    const bytes = readFileSync(file);
    const framing = probe.codec === 'aac' ? 'adts' : 'mpeg-audio';
    loaded.push({ ref, bytes, probe, format: findAudioFormat(bytes, probe.pid, framing) });
  }
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** The loaded reference of that name. */
function reference(name: string): Loaded {
  const l = loaded.find((x) => x.ref.name === name);
  assert.ok(l, name);
  return l;
}

/** The format read from a reference, which must have been found. */
function formatOf(l: Loaded): AudioFormat {
  assert.ok(l.format, `no format found in ${l.ref.name}`);
  return l.format;
}

describe('findAudioFormat', () => {
  it('reads the sample rate and channel count ffprobe reports, for every reference', () => {
    assert.equal(loaded.length, REFERENCES.length);
    for (const l of loaded) {
      const f = formatOf(l);
      assert.equal(
        l.probe.channels,
        l.ref.name.includes('stereo') ? 2 : 1,
        `${l.ref.name} as made`,
      );
      assert.equal(f.codec, l.probe.codec, l.ref.name);
      assert.equal(f.sampleRate, l.probe.sampleRate, l.ref.name);
      assert.equal(f.channels, l.probe.channels, l.ref.name);
      if (f.codec === 'aac') {
        assert.equal(f.profile, { Main: 0, LC: 1 }[l.probe.profile], l.ref.name);
      }
    }
  });

  it('reads the header bits of each MPEG audio version', () => {
    const byName = (n: string) => formatOf(reference(n));
    const v1 = byName('MP3 MPEG-1 mono 44.1 kHz');
    assert.deepEqual([v1.versionId, v1.samplesPerFrame], [3, 1152]);
    const v2 = byName('MP3 MPEG-2 mono 22.05 kHz');
    assert.deepEqual([v2.versionId, v2.samplesPerFrame, v2.channelMode], [2, 576, 3]);
    const v25 = byName('MP3 MPEG-2.5 mono 8 kHz');
    assert.deepEqual([v25.versionId, v25.samplingFrequencyIndex, v25.samplesPerFrame], [0, 2, 576]);
  });

  it('returns null for a PID with no audio PES and for the wrong framing', () => {
    const mp3 = reference('MP3 MPEG-1 mono 44.1 kHz');
    assert.equal(findAudioFormat(mp3.bytes, 0, 'mpeg-audio'), null);
    assert.equal(findAudioFormat(mp3.bytes, 0x1234, 'mpeg-audio'), null);
    assert.equal(findAudioFormat(mp3.bytes, mp3.probe.pid, 'adts'), null);
    assert.equal(findAudioFormat(new Uint8Array(0), mp3.probe.pid, 'mpeg-audio'), null);
  });

  it('never throws on random bytes, and whatever it returns can be made silent', () => {
    const rnd = seeded(20240607);
    const byte = () => Math.floor(rnd() * 256);
    const pid = 0x100;
    const found = { 'mpeg-audio': 0, adts: 0 };
    for (let n = 0; n < 400; n++) {
      const b = new Uint8Array(Math.floor(rnd() * 6 * PACKET_SIZE));
      for (let i = 0; i < b.length; i++) b[i] = rnd() < 0.15 ? 0xff : byte();
      // Most buffers look like TS on the PID with PES starts and sync words, so the PES walk and the
      // header readers get random fields to chew on, not only garbage that fails the first check.
      if (n % 4 !== 0) {
        for (let off = 0; off + PACKET_SIZE <= b.length; off += PACKET_SIZE) {
          const start = rnd() < 0.5;
          b.set([0x47, (start ? 0x40 : 0) | (pid >> 8), pid & 0xff], off);
          if (rnd() < 0.8) b[off + 3] = 0x10 | (byte() & 0x0f);
          if (!start || rnd() < 0.2) continue;
          b.set([0, 0, 1, 0xc0, byte(), byte(), 0x80, 0x80, 5], off + 4);
          // An MP3 Layer III or an ADTS sync word with random fields after it.
          b.set([0xff, n % 2 ? 0xe2 | (byte() & 0x19) : 0xf0 | (byte() & 0x09)], off + 18);
        }
      }
      for (const framing of ['mpeg-audio', 'adts'] as const) {
        const f = findAudioFormat(b, pid, framing);
        if (!f) continue;
        found[framing]++;
        assert.ok(silentFrame(f).length > 0);
      }
    }
    // Seeded: 65 MP3 and 8 ADTS (most random channel_configuration values are refused).
    assert.ok(found['mpeg-audio'] > 20 && found.adts > 4, JSON.stringify(found));
    // A real stream with bytes flipped at random.
    const first = reference('MP3 MPEG-1 mono 44.1 kHz');
    const real = first.bytes.subarray(0, 60 * PACKET_SIZE);
    for (let n = 0; n < 100; n++) {
      const b = Uint8Array.from(real);
      for (let k = 0; k < 30; k++) b[Math.floor(rnd() * b.length)] = byte();
      const f = findAudioFormat(b, first.probe.pid, 'mpeg-audio');
      if (f) assert.ok(silentFrame(f).length > 0);
    }
  });
});

describe('silentFrame', () => {
  const mp3 = (sampleRate: number, versionId: number, sfi: number, mode: number): AudioFormat => ({
    codec: 'mp3',
    sampleRate,
    channels: mode === 3 ? 1 : 2,
    samplesPerFrame: versionId === 3 ? 1152 : 576,
    versionId,
    samplingFrequencyIndex: sfi,
    channelMode: mode,
    profile: 0,
  });

  it('MP3: lowest bitrate, no CRC, no padding, zero side info, 144 (or 72) × bitrate / rate bytes', () => {
    const cases: [AudioFormat, number][] = [
      [mp3(44100, 3, 0, 0), 104], // 144 × 32000 / 44100 = 104.5
      [mp3(48000, 3, 1, 3), 96],
      [mp3(32000, 3, 2, 1), 144],
      [mp3(22050, 2, 0, 3), 26], // 72 × 8000 / 22050 = 26.1
      [mp3(24000, 2, 1, 0), 24],
      [mp3(16000, 2, 2, 3), 36],
      [mp3(11025, 0, 0, 0), 52],
      [mp3(12000, 0, 1, 3), 48],
      [mp3(8000, 0, 2, 0), 72],
    ];
    for (const [f, bytes] of cases) {
      const frame = silentFrame(f);
      assert.equal(frame.length, bytes, `${f.sampleRate}`);
      assert.equal(parseMpegAudioHeader(frame, 0)?.frameBytes, bytes);
      assert.equal(frame[1] & 1, 1, 'protection_bit 1: no CRC');
      assert.equal(frame[2] >> 4, 1, 'bitrate_index 1');
      assert.equal(frame[2] & 2, 0, 'padding_bit 0');
      assert.equal(frame[3] >> 6, f.channelMode);
      assert.ok(frame.subarray(4).every((x) => x === 0));
    }
  });

  it('AAC: the raw_data_block bits worked out by hand from 14496-3 Tables 4.3, 4.5, 4.6, 4.50', () => {
    const aac = (sampleRate: number, sfi: number, channels: number): AudioFormat => ({
      codec: 'aac',
      sampleRate,
      channels,
      samplesPerFrame: 1024,
      versionId: 0,
      samplingFrequencyIndex: sfi,
      channelMode: channels,
      profile: 1,
    });
    // SCE: 000 0000 | global_gain 01100100 | 0 00 0 000000 0 | 0 0 0 | END 111 = 32 bits.
    const mono = silentFrame(aac(22050, 7, 1));
    assert.equal(Buffer.from(mono.subarray(7)).toString('hex'), '00c80007');
    // CPE: 001 0000 0 | (gain + 14 zero bits) × 2 | END 111 | 1 bit of alignment = 56 bits.
    const stereo = silentFrame(aac(48000, 3, 2));
    assert.equal(Buffer.from(stereo.subarray(7)).toString('hex'), '2064000190000e');
    for (const [frame, f] of [
      [mono, aac(22050, 7, 1)],
      [stereo, aac(48000, 3, 2)],
    ] as const) {
      const h = parseAdtsHeader(frame, 0);
      assert.equal(h?.frameBytes, frame.length);
      assert.equal(h?.sampleRate, f.sampleRate);
      assert.equal(frame[1] & 1, 1, 'protection_absent');
      assert.equal(((frame[5] & 0x1f) << 6) | (frame[6] >> 2), 0x7ff, 'adts_buffer_fullness');
      assert.equal(frame[6] & 3, 0, 'one raw_data_block');
    }
  });

  it('throws RangeError on a format whose fields disagree', () => {
    assert.throws(() => silentFrame({ ...mp3(44100, 3, 0, 0), sampleRate: 48000 }), RangeError);
    assert.throws(() => silentFrame({ ...mp3(44100, 3, 0, 0), channels: 1 }), RangeError);
    assert.throws(() => silentFrame({ ...mp3(44100, 3, 0, 0), versionId: 1 }), RangeError);
    const aac: AudioFormat = {
      ...mp3(48000, 0, 3, 2),
      codec: 'aac',
      samplesPerFrame: 1024,
      profile: 1,
    };
    assert.equal(silentFrame(aac).length, 14);
    assert.throws(() => silentFrame({ ...aac, channelMode: 6, channels: 6 }), RangeError);
    assert.throws(() => silentFrame({ ...aac, sampleRate: 44100 }), RangeError);
  });
});

describe('buildSilentSegment', () => {
  it('ffmpeg decodes each format without a warning to 2 s (± one frame) of zeros', async (t) => {
    for (const l of loaded) {
      const format = formatOf(l);
      const seg = buildSilentSegment(specFor(format, l.probe.pid));
      const file = join(dir, `seg-${loaded.indexOf(l)}.ts`);
      writeFileSync(file, seg.bytes);
      const [probe, { pcm, warnings }] = await Promise.all([probeAudio(file), decodePcm(file)]);
      assert.deepEqual(
        [probe.codec, probe.sampleRate, probe.channels, probe.profile],
        [l.probe.codec, l.probe.sampleRate, l.probe.channels, l.probe.profile],
        l.ref.name,
      );
      assert.equal(warnings, '', `${l.ref.name}: ffmpeg warnings`);
      assert.ok(pcm.length > 0 && pcm.every((x) => x === 0), `${l.ref.name}: silence`);
      const decodedSec = pcm.length / 2 / format.channels / format.sampleRate;
      assert.ok(Math.abs(decodedSec - seg.durationSec) <= frameSec(format), l.ref.name);
      assert.ok(Math.abs(decodedSec - 2) <= frameSec(format), l.ref.name);
      // Half a frame, and a rounding error: 32 kHz AAC asks for 62.5 frames and gets 63.
      assert.ok(Math.abs(seg.durationSec - 2) <= frameSec(format) / 2 + 1e-9, l.ref.name);
      assert.equal(seg.frames, Math.round((2 * format.sampleRate) / format.samplesPerFrame));
      assert.equal(seg.bytes.length % PACKET_SIZE, 0);
      t.diagnostic(
        `${l.ref.name}: ${seg.frames} frames, ${seg.durationSec.toFixed(4)} s built, ` +
          `${decodedSec.toFixed(4)} s decoded, ${seg.bytes.length} bytes`,
      );
    }
  });

  it('starts with PAT and a PMT listing only the audio PID as PCR_PID, with PCR before each PTS', () => {
    const l = reference('MP3 MPEG-1 mono 44.1 kHz');
    const seg = buildSilentSegment(specFor(formatOf(l), l.probe.pid));
    assert.equal(pidAt(seg.bytes, 0), 0);
    assert.equal(pidAt(seg.bytes, PACKET_SIZE), PMT_PID);
    const pmt = seg.bytes.subarray(PACKET_SIZE + 5);
    assert.equal(pmt[0], 0x02);
    assert.equal(((pmt[1] & 0x0f) << 8) | pmt[2], 18, 'section_length: one stream');
    assert.equal(((pmt[8] & 0x1f) << 8) | pmt[9], l.probe.pid, 'PCR_PID');
    assert.deepEqual([pmt[12], ((pmt[13] & 0x1f) << 8) | pmt[14]], [0x03, l.probe.pid]);
    const pts = pesTimes(seg.bytes, l.probe.pid);
    assert.deepEqual(
      pcrBases(seg.bytes, l.probe.pid),
      pts.map((p) => p - 9000),
    );
    // 7 MP3 frames of 26 ms per PES: 183 ms, as ffmpeg packs them.
    assert.equal(pts[1] - pts[0], Math.round((7 * 1152 * 90000) / 44100));
  });

  it('two consecutive segments decode as one stream: continuous PTS and continuity counters', async () => {
    for (const l of [reference('MP3 MPEG-1 stereo 48 kHz'), reference('AAC LC mono 22.05 kHz')]) {
      const format = formatOf(l);
      const a = buildSilentSegment(specFor(format, l.probe.pid, { startPts: 900000 }));
      const b = buildSilentSegment(
        specFor(format, l.probe.pid, { startPts: a.endPts, continuity: a.continuity }),
      );
      const ticks = (format.samplesPerFrame * 90000) / format.sampleRate;
      assert.equal(a.endPts, 900000 + Math.round(a.frames * ticks));
      const both = Buffer.concat([a.bytes, b.bytes]);
      for (const pid of [0, PMT_PID, l.probe.pid]) assert.equal(ccBreaks(both, pid), 0);
      assert.equal(pesTimes(b.bytes, l.probe.pid)[0], a.endPts);
      const file = join(dir, `pair-${format.codec}.ts`);
      writeFileSync(file, both);
      const [{ pcm, warnings }, pts] = await Promise.all([decodePcm(file), packetPts(file)]);
      assert.equal(warnings, '', l.ref.name);
      assert.equal(pcm.length / 2 / format.channels / format.samplesPerFrame, a.frames + b.frames);
      assert.equal(pts.length, a.frames + b.frames, 'one packet per frame');
      for (let i = 1; i < pts.length; i++) {
        assert.ok(Math.abs(pts[i] - pts[i - 1] - ticks) <= 2, `${l.ref.name}: frame ${i}`);
      }
      assert.equal(pts[a.frames], a.endPts, 'the second segment starts where the first ends');
    }
  });

  it('wraps PTS and PCR mod 2^33 and returns endPts unwrapped', async () => {
    const l = reference('AAC LC stereo 48 kHz');
    const format = formatOf(l);
    const start = WRAP - 45000; // 0.5 s before the wrap
    const seg = buildSilentSegment(specFor(format, l.probe.pid, { startPts: start }));
    assert.equal(seg.endPts, start + Math.round(seg.frames * 1920));
    assert.ok(seg.endPts > WRAP);
    const pts = pesTimes(seg.bytes, l.probe.pid);
    const expected = Array.from({ length: pts.length }, (_, k) => (start + k * 9 * 1920) % WRAP);
    assert.deepEqual(pts, expected);
    assert.ok(
      pts.some((p) => p < 45000),
      'some PES after the wrap',
    );
    assert.deepEqual(
      pcrBases(seg.bytes, l.probe.pid),
      pts.map((p) => (p - 9000 + WRAP) % WRAP),
    );
    const far = buildSilentSegment(specFor(format, l.probe.pid, { startPts: 2 * WRAP + 5 }));
    assert.equal(pesTimes(far.bytes, l.probe.pid)[0], 5);
    assert.equal(pcrBases(far.bytes, l.probe.pid)[0], WRAP - 8995);
    assert.equal(far.endPts, 2 * WRAP + 5 + seg.frames * 1920);
    const file = join(dir, 'wrap.ts');
    writeFileSync(file, seg.bytes);
    assert.equal((await decodePcm(file)).warnings, '');
  });

  it('honours framesPerPes and makes at least one frame', () => {
    const l = reference('MP3 MPEG-1 mono 44.1 kHz');
    const format = formatOf(l);
    const one = buildSilentSegment(specFor(format, l.probe.pid, { durationSec: 0 }));
    assert.equal(one.frames, 1);
    assert.equal(one.durationSec, 1152 / 44100);
    const seg = buildSilentSegment(specFor(format, l.probe.pid, { framesPerPes: 20 }));
    assert.equal(pesTimes(seg.bytes, l.probe.pid).length, Math.ceil(seg.frames / 20));
    assert.throws(
      () => buildSilentSegment(specFor(format, l.probe.pid, { durationSec: NaN })),
      RangeError,
    );
  });
});
