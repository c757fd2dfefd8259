// test/unit/helpers/ts-builder.test.ts: the hermetic TS builder checked with our own readers and mux.js: PSI, PES timing, CC, PCR and frames are what a real encoder would send.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePesTime, parsePmt } from 'mux.js/cjs/m2ts/probe.js';
import { frameTicks, parseMpegAudioHeader, scanFrames } from '../../../src/ts/audio-frames.js';
import { crc32Mpeg } from '../../../src/ts/crc32.js';
import { ccAt, PACKET_SIZE, PAT_PID, pidAt, pusiAt, STREAM_TYPE } from '../../../src/ts/packet.js';
import { ProgramTracker } from '../../../src/ts/program.js';
import { patPrograms, readPmt, readSection } from '../../../src/ts/psi.js';
import { segmentReads, elementaryStreams } from '../../helpers/es.js';
import {
  adtsHeader,
  audioFrames,
  buildPmtSection,
  buildTsStream,
  type BuilderCodec,
  codecInfo,
  mpegAudioHeader,
  nullPacket,
  packet,
  pcrAdaptation,
  PTS_WRAP,
  readPcr,
  splitPackets,
  tsStream,
  withPmtVersion,
} from '../../helpers/ts-builder.js';
import { ccBreaks, pesTimes } from '../../helpers/ts-bytes.js';

const CODECS: BuilderCodec[] = ['mp3', 'mp3-lsf', 'mp3-8k', 'aac'];

describe('packet()', () => {
  it('a full payload: header only, adaptation_field_control 01', () => {
    const p = packet(0x100, new Uint8Array(184).fill(7), { pusi: true, cc: 9 });
    assert.deepEqual([...p.subarray(0, 4)], [0x47, 0x41, 0x00, 0x19]);
    assert.equal(p[4], 7);
  });

  it('a short payload is padded with adaptation-field stuffing (control 11)', () => {
    const p = packet(0x1fff, Uint8Array.of(1, 2, 3), { cc: 17, tei: true });
    assert.deepEqual([...p.subarray(0, 6)], [0x47, 0x9f, 0xff, 0x31, 180, 0x00]);
    assert.deepEqual([...p.subarray(185)], [1, 2, 3]);
    assert.ok(p.subarray(6, 185).every((x) => x === 0xff));
    assert.equal(packet(1, new Uint8Array(183))[4], 0, '1 byte short: adaptation_field_length 0');
  });

  it('given adaptation bytes come first; no payload makes an adaptation-only packet (10)', () => {
    const af = pcrAdaptation(2 ** 33 - 1);
    const p = packet(0x100, Uint8Array.of(9), { adaptation: af });
    assert.deepEqual([...p.subarray(5, 12)], [...af]);
    assert.equal(readPcr(p), 2 ** 33 - 1);
    const only = packet(0x100, new Uint8Array(0), { adaptation: af });
    assert.equal(only[3] & 0x30, 0x20);
    assert.equal(only[4], 183);
    assert.throws(() => packet(1, new Uint8Array(185)), RangeError);
    assert.throws(() => packet(1, new Uint8Array(180), { adaptation: af }), RangeError);
  });

  it('a null packet is PID 0x1FFF, full of 0xFF', () => {
    const n = nullPacket();
    assert.equal(pidAt(n, 0), 0x1fff);
    assert.ok(n.subarray(4).every((x) => x === 0xff));
  });
});

describe('sections', () => {
  it('buildPmtSection: a valid CRC and what mux.js reads', () => {
    const s = buildPmtSection({
      program: 1,
      pcrPid: 0x100,
      streams: [
        { pid: 0x100, streamType: 3 },
        { pid: 0x101, streamType: 0x15, descriptors: new Uint8Array(9) },
      ],
    });
    assert.equal(crc32Mpeg(s), 0);
    const pkt = packet(0x1000, Buffer.concat([Uint8Array.of(0), s]), { pusi: true });
    assert.deepEqual(parsePmt(pkt), { 0x100: 3, 0x101: 0x15 });
  });

  it('withPmtVersion changes version_number only and keeps the CRC valid', () => {
    const s = buildPmtSection({
      program: 1,
      pcrPid: 0x100,
      streams: [{ pid: 0x100, streamType: 3 }],
    });
    const v = withPmtVersion(s, 31);
    assert.equal((v[5] >> 1) & 0x1f, 31);
    assert.equal(v[5] & 0xc1, s[5] & 0xc1);
    assert.equal(crc32Mpeg(v), 0);
    assert.deepEqual([...v.subarray(6, -4)], [...s.subarray(6, -4)]);
  });
});

describe('frames', () => {
  it('MP3 presets: CBR padding keeps the byte rate exact over many frames', () => {
    for (const [codec, kbps] of [
      ['mp3', 128],
      ['mp3-lsf', 16],
      ['mp3-8k', 8],
    ] as const) {
      const info = codecInfo(codec);
      const n = 1000;
      const bytes = audioFrames(codec, n).length;
      const exact = (n * info.samplesPerFrame * kbps * 1000) / 8 / info.sampleRate;
      assert.ok(Math.abs(bytes - exact) < 1, `${codec}: ${bytes} vs ${exact}`);
    }
  });

  it('every preset frame parses with our header readers at the preset rate', () => {
    for (const codec of CODECS) {
      const info = codecInfo(codec);
      const scan = scanFrames(audioFrames(codec, 50), info.framing);
      assert.equal(scan?.offsets.length, 50, codec);
      assert.equal(scan?.sampleRate, info.sampleRate);
      assert.equal(frameTicks(scan ?? { samples: 0, sampleRate: 1 }), info.frameTicks);
    }
  });

  it('header builders write the fields they are given', () => {
    const h = mpegAudioHeader({
      versionId: 2,
      layerBits: 1,
      bitrateIndex: 4,
      srIndex: 1,
      padding: true,
      channelMode: 0,
    });
    assert.deepEqual(parseMpegAudioHeader(h, 0), {
      frameBytes: 97,
      samples: 576,
      sampleRate: 24000,
    }); // 72 × 32000 / 24000 + 1
    assert.equal(h[3] >> 6, 0);
    const a = adtsHeader({ frameBytes: 0x1abc, srIndex: 11, channels: 2, profile: 1 });
    assert.equal(((a[3] & 3) << 11) | (a[4] << 3) | (a[5] >> 5), 0x1abc);
    assert.equal(((a[2] & 1) << 2) | (a[3] >> 6), 2);
  });
});

describe('tsStream', () => {
  for (const codec of CODECS) {
    it(`${codec}: PAT → PMT → audio, readable by ProgramTracker, psi.ts and mux.js`, () => {
      const s = buildTsStream({ codec, seconds: 3, program: 7, pmtPid: 0x1234, audioPid: 0x150 });
      assert.equal(s.bytes.length % PACKET_SIZE, 0);
      const ps = splitPackets(s.bytes);
      assert.ok(ps.every((p) => p[0] === 0x47));
      assert.deepEqual(
        [pidAt(ps[0], 0), pidAt(ps[1], 0), pidAt(ps[2], 0)],
        [PAT_PID, 0x1234, 0x150],
      );
      const pat = readSection(ps[0], 0);
      assert.ok(typeof pat !== 'string');
      assert.deepEqual(patPrograms(pat), [{ program: 7, pmtPid: 0x1234 }]);
      const pmt = readSection(ps[1], 0);
      assert.ok(typeof pmt !== 'string');
      assert.deepEqual(readPmt(pmt, ps[1]), {
        program: 7,
        version: 0,
        pcrPid: 0x150,
        streams: [{ pid: 0x150, streamType: codecInfo(codec).streamType }],
      });
      const t = new ProgramTracker(null);
      assert.equal(t.onPat(ps[0], 0).kind, 'pat');
      assert.deepEqual(t.onPmt(ps[1], 0), { kind: 'pmt', change: 'first' });
      assert.equal(t.current?.timing?.kind, codecInfo(codec).framing);
    });

    it(`${codec}: PES timestamps are exact, CC is continuous, frames are all there`, () => {
      const s = buildTsStream({ codec, seconds: 2.5, framesPerPes: 3 });
      const fd = codecInfo(codec).frameTicks;
      assert.deepEqual(pesTimes(s.bytes, s.audioPid), s.pesPts);
      assert.deepEqual(
        s.pesPts,
        s.pesFrames.map((_, i) => Math.round(126000 + 3 * i * fd)),
      );
      assert.equal(
        s.pesFrames.reduce((a, b) => a + b, 0),
        s.frames,
      );
      assert.ok(Math.abs(s.durationSec - 2.5) <= s.samplesPerFrame / s.sampleRate / 2);
      for (const pid of [PAT_PID, s.pmtPid, s.audioPid])
        assert.equal(ccBreaks(s.bytes, pid), 0, `PID ${pid}`);
      const es = elementaryStreams(s.bytes).get(s.audioPid);
      assert.ok(es);
      assert.equal(scanFrames(es, s.framing)?.offsets.length, s.frames);
      assert.deepEqual(es, audioFrames(codec, s.frames));
    });
  }

  it('PCR on the first packet of each PES, 0.1 s before its PTS; pcr: false sets PCR_PID 0x1FFF', () => {
    const s = buildTsStream({ codec: 'mp3', seconds: 1 });
    const starts = splitPackets(s.bytes).filter((p) => pidAt(p, 0) === s.audioPid && pusiAt(p, 0));
    assert.deepEqual(
      starts.map((p) => readPcr(p)),
      s.pesPts.map((t) => t - 9000),
    );
    const none = buildTsStream({ codec: 'mp3', seconds: 1, pcr: false });
    const pmt = splitPackets(none.bytes)[1];
    const sec = readSection(pmt, 0);
    assert.ok(typeof sec !== 'string');
    assert.equal(readPmt(sec, pmt)?.pcrPid, 0x1fff);
    assert.ok(splitPackets(none.bytes).every((p) => readPcr(p) === null));
  });

  it('PAT and PMT repeat every psiEverySec, in pairs, with their own CCs', () => {
    const s = buildTsStream({ codec: 'aac', seconds: 2, framesPerPes: 1, psiEverySec: 0.5 });
    const ps = splitPackets(s.bytes);
    const pats = ps.map((p, i) => [p, i] as const).filter(([p]) => pidAt(p, 0) === PAT_PID);
    assert.equal(pats.length, 4);
    for (const [, i] of pats) assert.equal(pidAt(ps[i + 1], 0), s.pmtPid);
    assert.deepEqual(
      pats.map(([p]) => ccAt(p, 0)),
      [0, 1, 2, 3],
    );
    assert.deepEqual(s.nextCc.pat, 4);
  });

  it('startPts past 2^33 wraps on the wire and stays unwrapped in pesPts', () => {
    const start = PTS_WRAP - 5000;
    const s = buildTsStream({ codec: 'mp3', seconds: 1, startPts: start });
    const wire = pesTimes(s.bytes, s.audioPid);
    assert.deepEqual(
      wire,
      s.pesPts.map((t) => t % PTS_WRAP),
    );
    assert.ok(
      wire.some((t) => t < 5000),
      'wrapped',
    );
  });

  it('continuity counters start where asked (to continue another stream)', () => {
    const s = buildTsStream({ codec: 'mp3', seconds: 0.5, cc: { pat: 5, pmt: 9, audio: 15 } });
    const ps = splitPackets(s.bytes);
    assert.equal(ccAt(ps[0], 0), 5);
    assert.equal(ccAt(ps[1], 0), 9);
    assert.equal(ccAt(ps[2], 0), 15);
    const next = tsStream({ codec: 'mp3', seconds: 0.5, cc: s.nextCc });
    assert.equal(ccBreaks(Buffer.concat([s.bytes, next]), s.audioPid), 0);
  });

  it('pmtVersion is written into the PMT', () => {
    const s = buildTsStream({ codec: 'mp3', seconds: 0.2, pmtVersion: 9 });
    const sec = readSection(splitPackets(s.bytes)[1], 0);
    assert.ok(typeof sec !== 'string');
    assert.equal(sec.version, 9);
  });

  it('the Segmenter cuts it into 2 s segments, as it does ffmpeg output', () => {
    const s = buildTsStream({ codec: 'mp3', seconds: 7, framesPerPes: 4 });
    const run = segmentReads(s.bytes, [], { segmentDurationSec: 2, targetDurationSec: 2 });
    assert.equal(run.segments.length, 4);
    for (const d of run.durations.slice(0, 3)) assert.ok(Math.abs(d - 2) < 0.03, String(d));
    const total = run.durations.reduce((a, b) => a + b, 0);
    assert.ok(
      Math.abs(total - s.durationSec) <= 1 / 90000,
      `${total} vs ${s.durationSec} (to a 90 kHz tick)`,
    );
    for (const seg of run.segments) {
      const first = splitPackets(seg)[0];
      assert.equal(pidAt(first, 0), PAT_PID, 'each segment starts with a PAT');
      assert.ok(parsePesTime(splitPackets(seg)[2]) !== null, 'then PMT, then a PES start');
    }
  });

  it('STREAM_TYPE of each preset', () => {
    assert.equal(codecInfo('mp3').streamType, STREAM_TYPE.mpeg1Audio);
    assert.equal(codecInfo('mp3-lsf').streamType, STREAM_TYPE.mpeg2Audio);
    assert.equal(codecInfo('aac').streamType, STREAM_TYPE.adts);
  });
});
