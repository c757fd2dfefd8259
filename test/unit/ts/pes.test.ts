// test/unit/ts/pes.test.ts: PES header writing/reading (PTS encoding, lengths) and packetising into TS packets (PUSI, CC, adaptation-field stuffing), with round-trip properties.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePesTime } from 'mux.js/cjs/m2ts/probe.js';
import {
  ccAt,
  hasPayloadAt,
  PACKET_SIZE,
  payloadOffsetAt,
  pidAt,
  pusiAt,
} from '../../../src/ts/packet.js';
import { buildPes, packetizePes, pesDataOffset } from '../../../src/ts/pes.js';
import {
  pcrAdaptation,
  PTS_WRAP,
  randInt,
  readPcr,
  rng,
  splitPackets,
} from '../../helpers/ts-builder.js';

/** The PTS field (5 bytes at 9) decoded by hand, checking the '0010' prefix and the three marker bits. */
function decodePts(pes: Uint8Array): number {
  assert.equal(pes[9] >> 4, 0x2, "'0010' prefix for PTS only");
  assert.equal(pes[9] & 1, 1, 'marker_bit');
  assert.equal(pes[11] & 1, 1, 'marker_bit');
  assert.equal(pes[13] & 1, 1, 'marker_bit');
  return (
    ((pes[9] >> 1) & 7) * 2 ** 30 +
    ((pes[10] << 7) | (pes[11] >> 1)) * 2 ** 15 +
    ((pes[12] << 7) | (pes[13] >> 1))
  );
}

/** The PES bytes carried by packets (payload after any adaptation field), joined. */
function payloads(packets: Uint8Array): Buffer {
  return Buffer.concat(splitPackets(packets).map((p) => p.subarray(payloadOffsetAt(p, 0))));
}

describe('buildPes', () => {
  it("ISO/IEC 13818-1 §2.4.3.7: PTS 126000 (1.4 s) is written 21 00 07 D8 61, as ffmpeg's first audio PES", () => {
    const pes = buildPes(0xc0, 126000, Uint8Array.of(0xff, 0xfb));
    assert.equal(
      Buffer.from(pes).toString('hex'),
      '000001c0000a' + '8080' + '05' + '210007d861' + 'fffb',
    );
  });

  it('§2.4.3.7: PES_packet_length counts the bytes after it (3 header bytes + 5 PTS + data)', () => {
    for (const n of [0, 1, 184, 65527]) {
      const pes = buildPes(0xc0, 0, new Uint8Array(n));
      assert.equal((pes[4] << 8) | pes[5], 8 + n, `data ${n}`);
      assert.equal(pes.length, 14 + n);
    }
  });

  it('§2.4.3.7: a PES too long for the 16-bit length writes PES_packet_length 0 (unbounded)', () => {
    const pes = buildPes(0xe0, 0, new Uint8Array(65528));
    assert.equal((pes[4] << 8) | pes[5], 0);
  });

  it("§2.4.3.7: '10' marker, PTS_DTS_flags '10' (PTS only), PES_header_data_length 5", () => {
    const pes = buildPes(0xc1, 0, new Uint8Array(3));
    assert.deepEqual([...pes.subarray(0, 4)], [0, 0, 1, 0xc1]);
    assert.equal(pes[6], 0x80);
    assert.equal(pes[7], 0x80);
    assert.equal(pes[8], 5);
  });

  it('§2.4.3.7: the extremes of the 33-bit PTS, and values outside it taken mod 2^33', () => {
    assert.equal(
      Buffer.from(buildPes(0xc0, 0, new Uint8Array(0)).subarray(9, 14)).toString('hex'),
      '2100010001',
    );
    assert.equal(
      Buffer.from(buildPes(0xc0, PTS_WRAP - 1, new Uint8Array(0)).subarray(9, 14)).toString('hex'),
      '2fffffffff',
    );
    assert.equal(decodePts(buildPes(0xc0, PTS_WRAP + 5, new Uint8Array(0))), 5);
    assert.equal(decodePts(buildPes(0xc0, -1, new Uint8Array(0))), PTS_WRAP - 1);
    assert.equal(decodePts(buildPes(0xc0, 3 * PTS_WRAP + 123456, new Uint8Array(0))), 123456);
  });

  it('property: PTS values across the 33-bit range read back exactly (our decoder and mux.js)', () => {
    const r = rng(33);
    const values = [0, 1, 2 ** 15 - 1, 2 ** 15, 2 ** 30 - 1, 2 ** 30, 2 ** 32, PTS_WRAP - 1];
    for (let i = 0; i < 2000; i++) values.push(Math.floor(r() * PTS_WRAP));
    for (const pts of values) {
      const pes = buildPes(0xc0, pts, Uint8Array.of(1, 2, 3));
      assert.equal(decodePts(pes), pts);
      const { packets } = packetizePes(0x100, pes, 0, null);
      assert.equal(parsePesTime(packets.subarray(0, PACKET_SIZE))?.pts, pts);
    }
  });
});

describe('pesDataOffset', () => {
  it('finds the data after PES_header_data_length and returns the stream_id', () => {
    assert.deepEqual(pesDataOffset(buildPes(0xc0, 90000, new Uint8Array(10))), {
      streamId: 0xc0,
      dataOffset: 14,
    });
    const withDts = Uint8Array.of(0, 0, 1, 0xe0, 0, 0, 0x80, 0xc0, 10, ...new Uint8Array(10), 0x42);
    assert.deepEqual(pesDataOffset(withDts), { streamId: 0xe0, dataOffset: 19 });
  });

  it('§2.4.3.6: no packet_start_code_prefix 00 00 01, fewer than 9 bytes, or a header past the end: null', () => {
    assert.equal(pesDataOffset(Uint8Array.of(0, 0, 2, 0xc0, 0, 0, 0x80, 0x80, 0)), null);
    assert.equal(pesDataOffset(Uint8Array.of(0, 0, 1, 0xc0, 0, 0, 0x80, 0x80)), null);
    assert.equal(pesDataOffset(Uint8Array.of(0, 0, 1, 0xc0, 0, 0, 0x80, 0x80, 5, 1, 2)), null);
    assert.deepEqual(pesDataOffset(Uint8Array.of(0, 0, 1, 0xc0, 0, 0, 0x80, 0x80, 2, 1, 2)), {
      streamId: 0xc0,
      dataOffset: 11,
    });
  });
});

describe('packetizePes', () => {
  it('§2.4.3.2: PUSI on the first packet only, the PID on all, CC counting up mod 16 from cc', () => {
    const pes = buildPes(0xc0, 0, new Uint8Array(184 * 20));
    const { packets, nextCc } = packetizePes(0x1abc, pes, 14, null);
    const ps = splitPackets(packets);
    assert.equal(packets.length % PACKET_SIZE, 0);
    assert.deepEqual(
      ps.map((p) => ccAt(p, 0)),
      ps.map((_, i) => (14 + i) % 16),
    );
    assert.ok(ps.every((p) => p[0] === 0x47 && pidAt(p, 0) === 0x1abc));
    assert.deepEqual(
      ps.map((p) => pusiAt(p, 0)),
      ps.map((_, i) => i === 0),
    );
    assert.equal(nextCc, (14 + ps.length) % 16);
  });

  it('a PES that fills whole packets needs no adaptation field', () => {
    const pes = buildPes(0xc0, 0, new Uint8Array(184 * 2 - 14));
    const { packets } = packetizePes(0x100, pes, 0, null);
    assert.equal(packets.length, 2 * PACKET_SIZE);
    assert.ok(splitPackets(packets).every((p) => (p[3] & 0x30) === 0x10));
  });

  it('§2.4.3.5: a short last packet is padded with adaptation-field stuffing, not 0xFF payload', () => {
    const pes = buildPes(0xc0, 0, new Uint8Array(100).fill(7)); // 114 bytes: 70 to stuff
    const { packets } = packetizePes(0x100, pes, 0, null);
    assert.equal(packets.length, PACKET_SIZE);
    assert.equal(packets[3] & 0x30, 0x30);
    assert.equal(packets[4], 69, 'adaptation_field_length');
    assert.equal(packets[5], 0x00, 'flags: nothing set');
    assert.ok(
      packets.subarray(6, 74).every((x) => x === 0xff),
      'stuffing_byte 0xFF',
    );
    assert.deepEqual([...packets.subarray(74)], [...pes]);
  });

  it('§2.4.3.5: one byte to stuff is an adaptation field of length 0 (no flags byte)', () => {
    const pes = buildPes(0xc0, 0, new Uint8Array(183 - 14));
    const { packets } = packetizePes(0x100, pes, 0, null);
    assert.equal(packets.length, PACKET_SIZE);
    assert.equal(packets[3] & 0x30, 0x30);
    assert.equal(packets[4], 0);
    assert.deepEqual([...packets.subarray(5)], [...pes]);
  });

  it('firstAf goes in the first packet only, its length byte counting any stuffing after it', () => {
    const af = pcrAdaptation(12345, { randomAccess: true });
    const pes = buildPes(0xc0, 0, new Uint8Array(400));
    const { packets } = packetizePes(0x100, pes, 3, af);
    const ps = splitPackets(packets);
    assert.equal(ps[0][4], af.length);
    assert.deepEqual([...ps[0].subarray(5, 5 + af.length)], [...af]);
    assert.equal(readPcr(ps[0]), 12345);
    assert.equal(ps[0][5] & 0x40, 0x40, 'random_access_indicator kept');
    assert.ok(ps.slice(1, -1).every((p) => (p[3] & 0x30) === 0x10));
    assert.deepEqual(payloads(packets), Buffer.from(pes));

    const small = packetizePes(0x100, buildPes(0xc0, 0, new Uint8Array(10)), 0, af).packets;
    assert.equal(small.length, PACKET_SIZE);
    assert.equal(small[4], 184 - 1 - 24, 'field bytes plus stuffing');
    assert.deepEqual([...small.subarray(5, 5 + af.length)], [...af]);
    assert.ok(small.subarray(5 + af.length, 188 - 24).every((x) => x === 0xff));
  });

  it('property: random payloads 0–5000 bytes, PTS, CC and adaptation fields round-trip', () => {
    const r = rng(2024);
    for (let n = 0; n < 1500; n++) {
      const dataLen = n < 200 ? n : randInt(r, 0, 5000);
      const data = new Uint8Array(dataLen);
      for (let i = 0; i < dataLen; i++) data[i] = (i * 31 + n) & 0xff;
      const pts = Math.floor(r() * PTS_WRAP);
      const cc = randInt(r, 0, 15);
      const pid = randInt(r, 0x10, 0x1ffe);
      const choice = randInt(r, 0, 2);
      const af =
        choice === 0 ? null : choice === 1 ? Uint8Array.of(0x40) : pcrAdaptation(pts - 9000);
      const pes = buildPes(0xc0, pts, data);
      const { packets, nextCc } = packetizePes(pid, pes, cc, af);
      const ps = splitPackets(packets);
      const label = `data ${dataLen}, af ${af?.length ?? 0}`;
      assert.equal(packets.length % PACKET_SIZE, 0, label);
      // Fewest packets that hold the PES (plus the adaptation field's bytes and its length byte).
      const need = pes.length + (af ? af.length + 1 : 0);
      assert.equal(ps.length, Math.max(1, Math.ceil(need / 184)), label);
      assert.equal(nextCc, (cc + ps.length) % 16, label);
      for (const [i, p] of ps.entries()) {
        assert.equal(p[0], 0x47);
        assert.equal(pidAt(p, 0), pid);
        assert.equal(pusiAt(p, 0), i === 0);
        assert.equal(ccAt(p, 0), (cc + i) % 16);
        assert.ok(hasPayloadAt(p, 0), 'every packet carries payload');
        if (p[3] & 0x20)
          assert.ok(p[4] <= 182, '§2.4.3.5: adaptation_field_length ≤ 182 with payload');
        if (i > 0 && i < ps.length - 1)
          assert.equal(p[3] & 0x30, 0x10, 'middle packets: payload only');
      }
      if (af) assert.deepEqual([...ps[0].subarray(5, 5 + af.length)], [...af], label);
      assert.deepEqual(payloads(packets), Buffer.from(pes), label);
      assert.equal(parsePesTime(ps[0])?.pts, pts, label);
    }
  });
});
