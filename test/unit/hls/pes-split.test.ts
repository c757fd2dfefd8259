// test/unit/hls/pes-split.test.ts: planAudioCut decisions (before-pes, after-pes, split at the nearest frame boundary) with exact PTS, kept packets and CC shift; pesFrameTicks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePesTime } from 'mux.js/cjs/m2ts/probe.js';
import { planAudioCut, type SplitDecision } from '../../../src/hls/pes-split.js';
import { pesFrameTicks } from '../../../src/ts/pes-region.js';
import {
  ccAt,
  PACKET_SIZE,
  payloadOffsetAt,
  pidAt,
  pusiAt,
  randomAccessAt,
} from '../../../src/ts/packet.js';
import { buildPes, packetizePes } from '../../../src/ts/pes.js';
import {
  audioFrames,
  type BuilderCodec,
  codecInfo,
  packet,
  pcrAdaptation,
  PTS_WRAP,
  randInt,
  readPcr,
  rng,
  splitPackets,
} from '../../helpers/ts-builder.js';

const PID = 0x100;
const OTHER = 0x1ff;

interface Region {
  region: Buffer;
  es: Buffer;
  /** Byte offset of each frame in es. */
  offsets: number[];
  /** Packets on PID in the region. */
  count: number;
  others: Uint8Array[];
  pcr: number | null;
}

interface RegionOptions {
  codec: BuilderCodec;
  frames: number;
  pts: number;
  cc?: number;
  pcr?: boolean;
  /** Payload bytes per packet after the first (default: full packets, as packetizePes makes). */
  chunk?: (n: number) => number;
  /** Insert one OTHER-PID packet after each of these PID packet indexes. */
  othersAfter?: number[];
}

/** One audio PES of real frames on PID, as an encoder might packetise it, plus other-PID packets. */
function makeRegion(o: RegionOptions): Region {
  const frames = Array.from({ length: o.frames }, (_, k) => audioFrames(o.codec, 1, k));
  const offsets: number[] = [];
  let at = 0;
  for (const f of frames) {
    offsets.push(at);
    at += f.length;
  }
  const es = Buffer.concat(frames);
  const pes = buildPes(0xc0, o.pts, es);
  const cc0 = o.cc ?? 0;
  const pcr = o.pcr ? o.pts - 9000 : null;
  const af = pcr === null ? null : pcrAdaptation(pcr);
  let pidPackets: Uint8Array[];
  if (!o.chunk) {
    pidPackets = splitPackets(packetizePes(PID, pes, cc0, af).packets);
  } else {
    pidPackets = [];
    let pos = 0;
    for (let n = 0; pos < pes.length || n === 0; n++) {
      const room = 184 - (n === 0 && af ? af.length + 1 : 0);
      const take = Math.min(pes.length - pos, n === 0 ? room : Math.min(room, o.chunk(n)));
      pidPackets.push(
        packet(PID, pes.subarray(pos, pos + take), {
          pusi: n === 0,
          cc: cc0 + n,
          adaptation: n === 0 && af ? af : undefined,
        }),
      );
      pos += take;
    }
  }
  const others: Uint8Array[] = [];
  const parts: Uint8Array[] = [];
  pidPackets.forEach((p, i) => {
    parts.push(p);
    if (o.othersAfter?.includes(i)) {
      const other = packet(OTHER, Uint8Array.of(others.length, 0xab), { cc: others.length });
      others.push(other);
      parts.push(other);
    }
  });
  return { region: Buffer.concat(parts), es, offsets, count: pidPackets.length, others, pcr };
}

/** The PES on PID in packets: its PTS (mux.js), ES data, CCs and the first packet. */
function readPes(bytes: Uint8Array) {
  const ps = splitPackets(bytes).filter((p) => pidAt(p, 0) === PID);
  const payload = Buffer.concat(ps.map((p) => p.subarray(payloadOffsetAt(p, 0))));
  return {
    packets: ps,
    pts: parsePesTime(ps[0])?.pts ?? -1,
    data: payload.subarray(9 + payload[8]),
    ccs: ps.map((p) => ccAt(p, 0)),
    pusi: ps.map((p) => pusiAt(p, 0)),
  };
}

type Split = Extract<SplitDecision, { kind: 'split' }>;

function asSplit(d: SplitDecision): Split {
  if (d.kind !== 'split') assert.fail(`expected a split, got ${d.kind}`);
  return d;
}

/** Checks every property of a split of r at frame k. */
function checkSplit(r: Region, d: Split, o: RegionOptions, k: number, label: string): void {
  const fd = codecInfo(o.codec).frameTicks;
  assert.equal(d.frames, o.frames, label);
  assert.equal(d.framesBefore, k, label);
  assert.equal(d.splitPts, o.pts + Math.round(k * fd), `${label}: splitPts`);
  const head = readPes(d.head);
  const tail = readPes(d.tail);
  // The frames are cut at a frame boundary and nothing is lost or reordered.
  assert.deepEqual(head.data, r.es.subarray(0, r.offsets[k]), `${label}: head frames`);
  assert.deepEqual(tail.data, r.es.subarray(r.offsets[k]), `${label}: tail frames`);
  // ISO/IEC 13818-1 §2.4.3.7: each half is a PES with its own PTS (mod 2^33 on the wire).
  assert.equal(head.pts, o.pts % PTS_WRAP, `${label}: head PTS`);
  assert.equal(tail.pts, d.splitPts % PTS_WRAP, `${label}: tail PTS`);
  assert.deepEqual(
    head.pusi,
    head.packets.map((_, i) => i === 0),
    label,
  );
  assert.deepEqual(
    tail.pusi,
    tail.packets.map((_, i) => i === 0),
    label,
  );
  // §2.4.3.3: the counter runs on from the region's first CC through head and tail, and the
  // packets after the region, shifted by ccShift, continue it.
  const cc0 = o.cc ?? 0;
  const all = [...head.ccs, ...tail.ccs];
  assert.deepEqual(
    all,
    all.map((_, i) => (cc0 + i) % 16),
    `${label}: CC`,
  );
  assert.equal((cc0 + r.count + d.ccShift) % 16, (cc0 + all.length) % 16, `${label}: ccShift`);
  assert.ok(d.ccShift >= 0 && d.ccShift < 16);
  // The other PIDs' packets keep their bytes and order, after the head PES.
  const headOthers = splitPackets(d.head).filter((p) => pidAt(p, 0) !== PID);
  assert.deepEqual(
    headOthers.map((p) => Buffer.from(p)),
    r.others.map((p) => Buffer.from(p)),
    label,
  );
  const firstOther = splitPackets(d.head).findIndex((p) => pidAt(p, 0) !== PID);
  if (firstOther >= 0)
    assert.equal(firstOther, head.packets.length, `${label}: others after the PES`);
  assert.ok(
    splitPackets(d.tail).every((p) => pidAt(p, 0) === PID),
    label,
  );
  // §2.4.3.5: the head keeps the original adaptation field (PCR); the tail starts on a random access point.
  if (r.pcr !== null) assert.equal(readPcr(head.packets[0]), r.pcr, `${label}: PCR kept`);
  assert.ok(randomAccessAt(tail.packets[0], 0), `${label}: random_access_indicator`);
  assert.equal(d.head.length % PACKET_SIZE, 0);
  assert.equal(d.tail.length % PACKET_SIZE, 0);
}

describe('planAudioCut', () => {
  const o: RegionOptions = { codec: 'mp3', frames: 8, pts: 900000, cc: 5, pcr: true };
  const fd = codecInfo('mp3').frameTicks;
  const next = o.pts + Math.round(8 * fd);

  it('a grid point within half a frame of the PES start: cut before the PES', () => {
    const r = makeRegion(o);
    assert.deepEqual(planAudioCut(r.region, PID, 'mpeg-audio', o.pts, next, o.pts), {
      kind: 'before-pes',
    });
    assert.deepEqual(planAudioCut(r.region, PID, 'mpeg-audio', o.pts, next, o.pts + 0.49 * fd), {
      kind: 'before-pes',
    });
    assert.deepEqual(planAudioCut(r.region, PID, 'mpeg-audio', o.pts, next, o.pts - 5 * fd), {
      kind: 'before-pes',
    });
  });

  it('a grid point within half a frame of the PES end: cut after the PES', () => {
    const r = makeRegion(o);
    for (const grid of [o.pts + 7.51 * fd, next, next + 3 * fd]) {
      assert.deepEqual(planAudioCut(r.region, PID, 'mpeg-audio', o.pts, next, grid), {
        kind: 'after-pes',
      });
    }
  });

  it('a grid point inside: split at the nearest frame boundary, tail PTS = PTS + round(k × frame)', () => {
    const r = makeRegion(o);
    for (let k = 1; k < 8; k++) {
      for (const f of [-0.49, 0, 0.49]) {
        const d = asSplit(
          planAudioCut(r.region, PID, 'mpeg-audio', o.pts, next, o.pts + (k + f) * fd),
        );
        checkSplit(r, d, o, k, `k ${k} f ${f}`);
      }
    }
  });

  it('exact PTS: 3 frames of 44.1 kHz MP3 after PTS 900000 is 900000 + round(3 × 2351.02) = 907053', () => {
    const r = makeRegion(o);
    const d = asSplit(planAudioCut(r.region, PID, 'mpeg-audio', o.pts, next, o.pts + 3 * fd));
    assert.equal(d.splitPts, 907053);
  });

  it('other PIDs inside the region (PCR, metadata) keep their bytes and order, ending the head', () => {
    const ro = { ...o, othersAfter: [0, 1, 2] };
    const r = makeRegion(ro);
    assert.equal(r.others.length, 3);
    const d = asSplit(planAudioCut(r.region, PID, 'mpeg-audio', o.pts, next, o.pts + 5 * fd));
    checkSplit(r, d, ro, 5, 'others');
  });

  it('§2.4.3.3: a region packetised loosely (fewer bytes per packet) shrinks: ccShift wraps mod 16', () => {
    const ro: RegionOptions = { ...o, chunk: () => 40 };
    const r = makeRegion(ro);
    const d = asSplit(planAudioCut(r.region, PID, 'mpeg-audio', o.pts, next, o.pts + 4 * fd));
    const made = (d.head.length + d.tail.length) / PACKET_SIZE;
    assert.ok(made < r.count, `re-packetised ${made} < ${r.count}`);
    checkSplit(r, d, ro, 4, 'loose');
    assert.equal(d.ccShift, (((made - r.count) % 16) + 16) % 16);
  });

  it('ADTS, MPEG-2 (LSF) and MPEG-2.5 frames split the same way', () => {
    for (const codec of ['aac', 'mp3-lsf', 'mp3-8k'] as const) {
      const co: RegionOptions = { codec, frames: 6, pts: 126000, cc: 15 };
      const r = makeRegion(co);
      const cfd = codecInfo(codec).frameTicks;
      const d = asSplit(
        planAudioCut(
          r.region,
          PID,
          codecInfo(codec).framing,
          co.pts,
          co.pts + Math.round(6 * cfd),
          co.pts + 2 * cfd,
        ),
      );
      checkSplit(r, d, co, 2, codec);
    }
  });

  it('a PES that does not start on a frame header falls back to the nearer PES edge', () => {
    const frames = audioFrames('mp3', 4);
    const unaligned = Buffer.concat([Uint8Array.of(0x00, 0x11), frames]);
    const region = Buffer.from(packetizePes(PID, buildPes(0xc0, 1000, unaligned), 0, null).packets);
    const end = 1000 + Math.round(4 * fd);
    assert.deepEqual(planAudioCut(region, PID, 'mpeg-audio', 1000, end, 1000 + fd), {
      kind: 'before-pes',
    });
    assert.deepEqual(planAudioCut(region, PID, 'mpeg-audio', 1000, end, end - fd), {
      kind: 'after-pes',
    });
    // Exactly halfway goes after the PES.
    assert.deepEqual(planAudioCut(region, PID, 'mpeg-audio', 1000, 3000, 2000), {
      kind: 'after-pes',
    });
  });

  it('bytes that are not a PES at all fall back to the nearer PES edge too', () => {
    const region = Buffer.from(packet(PID, new Uint8Array(184).fill(0x55), { pusi: true }));
    assert.deepEqual(planAudioCut(region, PID, 'mpeg-audio', 0, 1000, 100), { kind: 'before-pes' });
    assert.deepEqual(planAudioCut(region, PID, 'mpeg-audio', 0, 1000, 900), { kind: 'after-pes' });
  });

  it('the wrong framing (ADTS asked for MP3 data) falls back to PES edges', () => {
    const r = makeRegion(o);
    assert.deepEqual(planAudioCut(r.region, PID, 'adts', o.pts, next, o.pts + 2 * fd), {
      kind: 'before-pes',
    });
  });

  it('property: random codecs, frame counts, PTS (to the 33-bit wrap), CCs, packetisation and grid points', () => {
    const r = rng(77);
    const codecs: BuilderCodec[] = ['mp3', 'mp3-lsf', 'mp3-8k', 'aac'];
    let splits = 0;
    for (let n = 0; n < 600; n++) {
      const codec = codecs[n % 4];
      const info = codecInfo(codec);
      const ro: RegionOptions = {
        codec,
        frames: randInt(r, 1, 14),
        pts: r() < 0.2 ? PTS_WRAP - randInt(r, 1, 20000) : Math.floor(r() * PTS_WRAP),
        cc: randInt(r, 0, 15),
        pcr: r() < 0.5,
        chunk: r() < 0.5 ? undefined : () => randInt(r, 20, 184),
        othersAfter: r() < 0.3 ? [randInt(r, 0, 3)] : [],
      };
      const reg = makeRegion(ro);
      const end = ro.pts + Math.round(ro.frames * info.frameTicks);
      const grid = ro.pts + r() * (end - ro.pts);
      const d = planAudioCut(reg.region, PID, info.framing, ro.pts, end, grid);
      const k = Math.round((grid - ro.pts) / info.frameTicks);
      const label = `#${n} ${codec} frames ${ro.frames} k ${k}`;
      if (k <= 0) assert.deepEqual(d, { kind: 'before-pes' }, label);
      else if (k >= ro.frames) assert.deepEqual(d, { kind: 'after-pes' }, label);
      else {
        checkSplit(reg, asSplit(d), ro, k, label);
        splits++;
      }
    }
    assert.ok(splits > 300, `${splits} splits checked`);
  });
});

describe('pesFrameTicks', () => {
  it('frames in the PES × frame duration', () => {
    const r = makeRegion({ codec: 'mp3-lsf', frames: 7, pts: 0 });
    assert.equal(pesFrameTicks(r.region, PID, 'mpeg-audio'), 7 * codecInfo('mp3-lsf').frameTicks);
    const a = makeRegion({ codec: 'aac', frames: 3, pts: 0, othersAfter: [0] });
    assert.equal(pesFrameTicks(a.region, PID, 'adts'), 3 * codecInfo('aac').frameTicks);
  });

  it('null when the PES is unaligned or not a PES', () => {
    const unaligned = packetizePes(
      PID,
      buildPes(0xc0, 0, Buffer.concat([Uint8Array.of(1), audioFrames('mp3', 2)])),
      0,
      null,
    );
    assert.equal(pesFrameTicks(unaligned.packets, PID, 'mpeg-audio'), null);
    assert.equal(
      pesFrameTicks(packet(PID, new Uint8Array(184), { pusi: true }), PID, 'mpeg-audio'),
      null,
    );
  });
});
