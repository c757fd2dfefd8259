// test/unit/ts/psi.test.ts: PAT/PMT sections: reading (pointer_field, adaptation field, CRC, lengths), PAT programs, PMT streams, and our PAT/section packets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAT_PID, STREAM_TYPE } from '../../../src/ts/packet.js';
import {
  buildPatSection,
  patPacket,
  patPrograms,
  readPmt,
  readSection,
  type Section,
  sectionPacket,
} from '../../../src/ts/psi.js';
import {
  buildPatSectionMulti,
  buildPmtSection,
  fixCrc,
  packet,
  pcrAdaptation,
  randInt,
  rng,
  withBadCrc,
} from '../../helpers/ts-builder.js';

function section(b: Uint8Array): Section {
  const s = readSection(b, 0);
  if (typeof s === 'string') assert.fail(`expected a section, got ${s}`);
  return s;
}

/**
 * A PSI packet with pointer_field = pointer (that many filler bytes first) and an optional
 * adaptation field; a section too long for the packet is cut there (it would go on in the next).
 */
function placed(pid: number, sec: Uint8Array, pointer: number, af?: Uint8Array): Uint8Array {
  const room = 184 - (af ? af.length + 1 : 0);
  const payload = Buffer.concat([Uint8Array.of(pointer), new Uint8Array(pointer).fill(0xaa), sec]);
  return packet(pid, payload.subarray(0, room), { pusi: true, adaptation: af });
}

describe('buildPatSection / patPacket', () => {
  it("ISO/IEC 13818-1 §2.4.4.3: the PAT for program 1 on PID 0x1000 is byte-for-byte ffmpeg's", () => {
    assert.equal(
      Buffer.from(buildPatSection(1, 1, 0x1000)).toString('hex'),
      '00b00d0001c100000001f0002ab104b2',
    );
  });

  it('patPacket: PID 0, PUSI, payload only, the given CC, pointer_field 0, 0xFF filler', () => {
    const p = patPacket(1, 0x1000, 7);
    assert.equal(p.length, 188);
    assert.deepEqual([...p.subarray(0, 5)], [0x47, 0x40, 0x00, 0x17, 0x00]);
    assert.ok(p.subarray(5 + 16).every((x) => x === 0xff));
    assert.deepEqual(patPrograms(section(p)), [{ program: 1, pmtPid: 0x1000 }]);
  });

  it('sectionPacket keeps only the low 4 bits of the CC and 13 bits of the PID', () => {
    const p = sectionPacket(0x3fff, buildPatSection(1, 1, 0x100), 0x1f);
    assert.equal(p[1] & 0x1f, 0x1f);
    assert.equal(p[2], 0xff);
    assert.equal(p[3], 0x1f);
  });
});

describe('readSection', () => {
  const pat = buildPatSection(1, 1, 0x1000);

  it('reads table_id, table_id_extension, version and current_next_indicator', () => {
    const s = section(
      sectionPacket(PAT_PID, buildPatSectionMulti({ programs: [], tsId: 0xbeef, version: 17 }), 0),
    );
    assert.equal(s.tableId, 0);
    assert.equal(s.extension, 0xbeef);
    assert.equal(s.version, 17);
    assert.equal(s.currentNext, true);
    const next = section(
      sectionPacket(PAT_PID, buildPatSectionMulti({ programs: [], currentNext: false }), 0),
    );
    assert.equal(next.currentNext, false);
  });

  it('the section bytes run from table_id through CRC_32 (3 + section_length bytes)', () => {
    const s = section(sectionPacket(PAT_PID, pat, 0));
    assert.deepEqual([...s.bytes], [...pat]);
  });

  it('§2.4.4.2: a packet without payload_unit_start_indicator starts no section', () => {
    const p = sectionPacket(PAT_PID, pat, 0);
    p[1] &= ~0x40;
    assert.equal(readSection(p, 0), 'not-start');
  });

  it('§2.4.4.2: pointer_field skips that many bytes before the section', () => {
    for (const pointer of [1, 17, 150]) {
      const s = section(placed(PAT_PID, pat, pointer));
      assert.deepEqual([...s.bytes], [...pat], `pointer ${pointer}`);
    }
  });

  it('§2.4.3.4: the section follows an adaptation field', () => {
    const s = section(placed(PAT_PID, pat, 0, pcrAdaptation(90000)));
    assert.deepEqual(patPrograms(s), [{ program: 1, pmtPid: 0x1000 }]);
    const stuffed = section(placed(PAT_PID, pat, 3, new Uint8Array(60)));
    assert.deepEqual([...stuffed.bytes], [...pat]);
  });

  it('reads a section at an offset into a larger buffer', () => {
    const b = Buffer.concat([new Uint8Array(188 * 3), sectionPacket(PAT_PID, pat, 0)]);
    const s = readSection(b, 188 * 3);
    assert.ok(typeof s !== 'string');
    assert.deepEqual([...s.bytes], [...pat]);
  });

  it('Annex A: a wrong CRC_32 is "bad-crc"', () => {
    assert.equal(readSection(withBadCrc(sectionPacket(PAT_PID, pat, 0)), 0), 'bad-crc');
    const body = sectionPacket(PAT_PID, pat, 0);
    body[5 + 9] ^= 0x01; // program_number low byte
    assert.equal(readSection(body, 0), 'bad-crc');
  });

  it('a section longer than the rest of its packet is "spans-packets"', () => {
    const big = buildPmtSection({
      program: 1,
      pcrPid: 0x100,
      streams: [{ pid: 0x100, streamType: 3, descriptors: new Uint8Array(150) }],
    });
    assert.equal(big.length, 171); // 8 + 4 + 5 + 150 + CRC: fits at pointer 0 (1 + 171 ≤ 184)
    assert.ok(typeof readSection(sectionPacket(0x1000, big, 0), 0) !== 'string');
    assert.equal(readSection(placed(0x1000, big, 13), 0), 'spans-packets');
  });

  it('no payload, a pointer past the packet, or section_length < 9 is "malformed"', () => {
    const afOnly = packet(PAT_PID, new Uint8Array(0), { pusi: true, adaptation: Uint8Array.of(0) });
    assert.equal(readSection(afOnly, 0), 'malformed');
    const farPointer = sectionPacket(PAT_PID, pat, 0);
    farPointer[4] = 182;
    assert.equal(readSection(farPointer, 0), 'malformed');
    const short = sectionPacket(
      PAT_PID,
      fixCrc(Uint8Array.of(0, 0xb0, 8, 0, 1, 0xc1, 0, 0, 0, 0, 0)),
      0,
    );
    assert.equal(readSection(short, 0), 'malformed');
  });

  it('a section starting in the last 7 bytes of the packet is "malformed" (header cut off)', () => {
    const p = sectionPacket(PAT_PID, pat, 0);
    p[4] = 183 - 7; // section would start 7 bytes before the end
    assert.equal(readSection(p, 0), 'malformed');
  });
});

describe('patPrograms', () => {
  it('§2.4.4.3: lists programs in order and leaves program 0 (the network PID) out', () => {
    const s = section(
      sectionPacket(
        PAT_PID,
        buildPatSectionMulti({
          programs: [
            { program: 0, pmtPid: 0x10 },
            { program: 7, pmtPid: 0x1fe },
            { program: 2, pmtPid: 0x1000 },
          ],
        }),
        0,
      ),
    );
    assert.deepEqual(patPrograms(s), [
      { program: 7, pmtPid: 0x1fe },
      { program: 2, pmtPid: 0x1000 },
    ]);
  });

  it('an empty PAT lists no program', () => {
    const s = section(sectionPacket(PAT_PID, buildPatSectionMulti({ programs: [] }), 0));
    assert.deepEqual(patPrograms(s), []);
  });

  it('property: any list of up to 40 programs comes back as written (program 0 aside)', () => {
    const r = rng(3);
    for (let n = 0; n < 200; n++) {
      const programs = Array.from({ length: randInt(r, 0, 40) }, () => ({
        program: randInt(r, 0, 0xffff),
        pmtPid: randInt(r, 0x10, 0x1ffe),
      }));
      const s = section(sectionPacket(PAT_PID, buildPatSectionMulti({ programs }), 0));
      assert.deepEqual(
        patPrograms(s),
        programs.filter((p) => p.program !== 0),
      );
    }
  });
});

describe('readPmt', () => {
  it('§2.4.4.8: program, version, PCR_PID and the streams sorted by PID', () => {
    const sec = buildPmtSection({
      program: 9,
      pcrPid: 0x1ff,
      version: 5,
      streams: [
        { pid: 0x102, streamType: STREAM_TYPE.adts },
        { pid: 0x101, streamType: STREAM_TYPE.h264 },
      ],
    });
    const p = sectionPacket(0x1000, sec, 0);
    assert.deepEqual(readPmt(section(p), p), {
      program: 9,
      version: 5,
      pcrPid: 0x1ff,
      streams: [
        { pid: 0x101, streamType: STREAM_TYPE.h264 },
        { pid: 0x102, streamType: STREAM_TYPE.adts },
      ],
    });
  });

  it('§2.4.4.8: program_info and ES_info descriptors are skipped by their lengths', () => {
    const iso639 = Uint8Array.of(0x0a, 4, 0x65, 0x6e, 0x67, 0); // ISO_639_language_descriptor "eng"
    const sec = buildPmtSection({
      program: 1,
      pcrPid: 0x100,
      programInfo: Uint8Array.of(0x05, 4, 0x49, 0x44, 0x33, 0x20), // registration "ID3 "
      streams: [
        { pid: 0x100, streamType: STREAM_TYPE.mpeg1Audio, descriptors: iso639 },
        { pid: 0x101, streamType: STREAM_TYPE.metadataPes, descriptors: new Uint8Array(30) },
        { pid: 0x102, streamType: 0x06 },
      ],
    });
    const p = placed(0x1000, sec, 4, Uint8Array.of(0x00));
    assert.deepEqual(readPmt(section(p), p)?.streams, [
      { pid: 0x100, streamType: 0x03 },
      { pid: 0x101, streamType: 0x15 },
      { pid: 0x102, streamType: 0x06 },
    ]);
  });

  it('a section that is not a PMT (table_id ≠ 0x02) gives null', () => {
    const p = patPacket(1, 0x1000, 0);
    assert.equal(readPmt(section(p), p), null);
  });

  it('§2.4.4.8: a PMT with current_next_indicator 0 (not yet applicable) gives null', () => {
    const sec = buildPmtSection({
      program: 1,
      pcrPid: 0x100,
      currentNext: false,
      streams: [{ pid: 0x100, streamType: 3 }],
    });
    const p = sectionPacket(0x1000, sec, 0);
    assert.equal(readPmt(section(p), p), null);
  });

  it('property: random PMTs (streams, descriptors, pointer and adaptation field) read back exactly', () => {
    const r = rng(8);
    for (let n = 0; n < 300; n++) {
      const pids = new Set<number>();
      const count = randInt(r, 0, 8);
      while (pids.size < count) pids.add(randInt(r, 0x20, 0x1ffe));
      const streams = [...pids].map((pid) => ({
        pid,
        streamType: randInt(r, 1, 0xff),
        descriptors: new Uint8Array(randInt(r, 0, 6)),
      }));
      const spec = {
        program: randInt(r, 1, 0xffff),
        pcrPid: randInt(r, 0x20, 0x1fff),
        version: randInt(r, 0, 31),
        streams,
      };
      const sec = buildPmtSection(spec);
      const room = 184 - 1 - sec.length;
      const af = r() < 0.5 ? pcrAdaptation(randInt(r, 0, 2 ** 33 - 1)) : undefined;
      const pointer = randInt(r, 0, Math.max(0, room - (af ? af.length + 1 : 0)));
      const p = placed(randInt(r, 0x20, 0x1ffe), sec, pointer, af);
      const info = readPmt(section(p), p);
      assert.deepEqual(info, {
        program: spec.program,
        version: spec.version,
        pcrPid: spec.pcrPid,
        streams: streams
          .map(({ pid, streamType }) => ({ pid, streamType }))
          .sort((a, b) => a.pid - b.pid),
      });
    }
  });
});
