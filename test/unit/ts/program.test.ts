// test/unit/ts/program.test.ts: ProgramTracker: first PAT/PMT, version changes ('streams' vs 'same-streams'), program choice, CRC errors, repeated PSI, timing stream and codec names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAT_PID, STREAM_TYPE } from '../../../src/ts/packet.js';
import { codecName, ProgramTracker, type PsiResult } from '../../../src/ts/program.js';
import { sectionPacket } from '../../../src/ts/psi.js';
import {
  buildPatSectionMulti,
  buildPmtSection,
  type PmtSpec,
  withBadCrc,
  withCc,
  withPmtVersion,
} from '../../helpers/ts-builder.js';

const MP3 = STREAM_TYPE.mpeg1Audio;

function pat(programs: { program: number; pmtPid: number }[], version = 0, cc = 0): Uint8Array {
  return sectionPacket(PAT_PID, buildPatSectionMulti({ programs, version }), cc);
}

function pmt(pid: number, spec: PmtSpec, cc = 0): Uint8Array {
  return sectionPacket(pid, buildPmtSection(spec), cc);
}

const ONE = [{ program: 1, pmtPid: 0x1000 }];
const AUDIO: PmtSpec = { program: 1, pcrPid: 0x100, streams: [{ pid: 0x100, streamType: MP3 }] };

/** A tracker that has seen ONE's PAT and AUDIO's PMT. */
function started(wanted: number | null = null): ProgramTracker {
  const t = new ProgramTracker(wanted);
  assert.deepEqual(t.onPat(pat(ONE), 0), { kind: 'pat', pmtPidChanged: true });
  assert.deepEqual(t.onPmt(pmt(0x1000, AUDIO), 0), { kind: 'pmt', change: 'first' });
  return t;
}

const ignored: PsiResult = { kind: 'ignored' };

describe('ProgramTracker: PAT', () => {
  it('the first PAT selects the first program and its PMT PID', () => {
    const t = new ProgramTracker(null);
    assert.equal(t.pmtPid, -1);
    const r = t.onPat(
      pat([
        { program: 3, pmtPid: 0x1003 },
        { program: 1, pmtPid: 0x1001 },
      ]),
      0,
    );
    assert.deepEqual(r, { kind: 'pat', pmtPidChanged: true });
    assert.equal(t.pmtPid, 0x1003);
  });

  it('§2.4.4.3: program 0 is the network PID, never a program to publish', () => {
    const t = new ProgramTracker(null);
    t.onPat(
      pat([
        { program: 0, pmtPid: 0x10 },
        { program: 5, pmtPid: 0x1005 },
      ]),
      0,
    );
    assert.equal(t.pmtPid, 0x1005);
  });

  it('--program N selects that program, wherever it is listed', () => {
    const t = new ProgramTracker(2);
    t.onPat(
      pat([
        { program: 1, pmtPid: 0x1001 },
        { program: 2, pmtPid: 0x1002 },
      ]),
      0,
    );
    assert.equal(t.pmtPid, 0x1002);
  });

  it('a wanted program missing from the PAT is a problem naming the programs listed', () => {
    const t = new ProgramTracker(5);
    const r = t.onPat(
      pat([
        { program: 1, pmtPid: 0x1001 },
        { program: 2, pmtPid: 0x1002 },
      ]),
      0,
    );
    assert.deepEqual(r, { kind: 'problem', message: 'program 5 not in PAT (programs: 1, 2)' });
    assert.equal(t.pmtPid, -1);
    const empty = new ProgramTracker(null).onPat(pat([]), 0);
    assert.deepEqual(empty, {
      kind: 'problem',
      message: 'program (first) not in PAT (programs: none)',
    });
  });

  it('the same PAT repeated (only the CC differs) is ignored', () => {
    const t = new ProgramTracker(null);
    t.onPat(pat(ONE, 0, 0), 0);
    for (let cc = 1; cc < 40; cc++) assert.deepEqual(t.onPat(pat(ONE, 0, cc & 15), 0), ignored);
  });

  it('§2.4.4.5: a PAT with a new version and the same PMT PID reports no PMT PID change', () => {
    const t = started();
    const r = t.onPat(
      pat(
        [
          { program: 1, pmtPid: 0x1000 },
          { program: 2, pmtPid: 0x1002 },
        ],
        1,
      ),
      0,
    );
    assert.deepEqual(r, { kind: 'pat', pmtPidChanged: false });
    assert.equal(t.pmtPid, 0x1000);
  });

  it('§2.4.4.5: a PAT with a new version that moves the PMT reports the change', () => {
    const t = started();
    assert.deepEqual(t.onPat(pat([{ program: 1, pmtPid: 0x1010 }], 1), 0), {
      kind: 'pat',
      pmtPidChanged: true,
    });
    assert.equal(t.pmtPid, 0x1010);
  });

  it('§2.4.4.5: a different PAT with the same version_number is not acted on', () => {
    const t = started();
    assert.deepEqual(t.onPat(pat([{ program: 1, pmtPid: 0x1010 }], 0), 0), ignored);
    assert.equal(t.pmtPid, 0x1000);
  });

  it('§2.4.4.5: a PAT with current_next_indicator 0 (not yet valid) is ignored', () => {
    const t = new ProgramTracker(null);
    const p = sectionPacket(
      PAT_PID,
      buildPatSectionMulti({ programs: ONE, currentNext: false }),
      0,
    );
    assert.deepEqual(t.onPat(p, 0), ignored);
    assert.equal(t.pmtPid, -1);
  });

  it('Annex A: a PAT with a bad CRC is a problem and changes nothing', () => {
    const t = new ProgramTracker(null);
    assert.deepEqual(t.onPat(withBadCrc(pat(ONE)), 0), { kind: 'problem', message: 'PAT bad-crc' });
    assert.equal(t.pmtPid, -1);
    const s = started();
    assert.deepEqual(s.onPat(withBadCrc(pat([{ program: 1, pmtPid: 0x1010 }], 1)), 0), {
      kind: 'problem',
      message: 'PAT bad-crc',
    });
    assert.equal(s.pmtPid, 0x1000);
  });

  it('a continuation packet on PID 0 (no PUSI) and a non-PAT table_id are ignored', () => {
    const t = new ProgramTracker(null);
    const cont = pat(ONE);
    cont[1] &= ~0x40;
    assert.deepEqual(t.onPat(cont, 0), ignored);
    const notPat = sectionPacket(PAT_PID, buildPmtSection(AUDIO), 0);
    assert.deepEqual(t.onPat(notPat, 0), ignored);
    assert.equal(t.pmtPid, -1);
  });

  it('reads the packet at the given offset of a larger buffer', () => {
    const t = new ProgramTracker(null);
    const b = Buffer.concat([new Uint8Array(376), pat(ONE)]);
    assert.deepEqual(t.onPat(b, 376), { kind: 'pat', pmtPidChanged: true });
  });
});

describe('ProgramTracker: PMT', () => {
  it('the first PMT gives the program state: PCR PID, streams, timing, codecs, PMT copy', () => {
    const t = new ProgramTracker(null);
    t.onPat(pat(ONE), 0);
    const p = pmt(0x1000, AUDIO);
    assert.deepEqual(t.onPmt(p, 0), { kind: 'pmt', change: 'first' });
    const cur = t.current;
    assert.ok(cur);
    assert.equal(cur.program, 1);
    assert.equal(cur.pmtPid, 0x1000);
    assert.equal(cur.pcrPid, 0x100);
    assert.equal(cur.pmtVersion, 0);
    assert.deepEqual(cur.streams, [{ pid: 0x100, streamType: MP3 }]);
    assert.deepEqual(cur.timing, { pid: 0x100, kind: 'mpeg-audio' });
    assert.deepEqual(cur.codecs, ['mp3']);
    assert.deepEqual([...cur.pmtSection], [...buildPmtSection(AUDIO)]);
    p.fill(0); // the kept section is a copy, not a view of the packet
    assert.deepEqual([...cur.pmtSection], [...buildPmtSection(AUDIO)]);
  });

  it('keeps a copy of the PMT when the packet is a Buffer (whose slice() is a view): batch mode reuses its read buffer', () => {
    const t = new ProgramTracker(null);
    t.onPat(pat(ONE), 0);
    const read = Buffer.alloc(3 * 188, 0xff);
    read.set(pmt(0x1000, AUDIO), 188);
    assert.deepEqual(t.onPmt(read.subarray(0, 2 * 188), 188), { kind: 'pmt', change: 'first' });
    read.fill(0x5a); // the next read lands in the same buffer
    assert.deepEqual([...(t.current?.pmtSection ?? [])], [...buildPmtSection(AUDIO)]);
  });

  it('a PMT before any PAT is not acted on', () => {
    const t = new ProgramTracker(null);
    assert.deepEqual(t.onPmt(pmt(0x1000, AUDIO), 0), ignored);
    assert.equal(t.current, null);
  });

  it('the same PMT repeated (only the CC differs) is ignored', () => {
    const t = started();
    for (let cc = 1; cc < 40; cc++) {
      assert.deepEqual(t.onPmt(withCc(pmt(0x1000, AUDIO), cc), 0), ignored);
    }
  });

  it('§2.4.4.8: a PMT with changed contents but the same version_number is not acted on', () => {
    const t = started();
    const changed = { ...AUDIO, streams: [{ pid: 0x101, streamType: STREAM_TYPE.adts }] };
    assert.deepEqual(t.onPmt(pmt(0x1000, changed), 0), ignored);
    assert.deepEqual(t.current?.streams, [{ pid: 0x100, streamType: MP3 }]);
  });

  it("§2.4.4.8: a new version with the same PIDs and types is 'same-streams'", () => {
    const t = started();
    const v1 = sectionPacket(0x1000, withPmtVersion(buildPmtSection(AUDIO), 1), 1);
    assert.deepEqual(t.onPmt(v1, 0), { kind: 'pmt', change: 'same-streams' });
    assert.equal(t.current?.pmtVersion, 1);
    // A descriptor-only change is a new version with the same streams too.
    const v2 = pmt(0x1000, {
      ...AUDIO,
      version: 2,
      streams: [{ pid: 0x100, streamType: MP3, descriptors: Uint8Array.of(0x0a, 4, 1, 2, 3, 0) }],
    });
    assert.deepEqual(t.onPmt(v2, 0), { kind: 'pmt', change: 'same-streams' });
  });

  it("a new version that changes a stream's type, adds or removes a stream is 'streams'", () => {
    const cases: PmtSpec['streams'][] = [
      [{ pid: 0x100, streamType: STREAM_TYPE.adts }],
      [{ pid: 0x101, streamType: MP3 }],
      [
        { pid: 0x100, streamType: MP3 },
        { pid: 0x101, streamType: STREAM_TYPE.metadataPes },
      ],
      [],
    ];
    for (const streams of cases) {
      const t = started();
      const r = t.onPmt(pmt(0x1000, { ...AUDIO, version: 3, streams }), 0);
      assert.deepEqual(r, { kind: 'pmt', change: 'streams' }, JSON.stringify(streams));
    }
  });

  it('isProgramPid follows the current PMT: its ES PIDs and its PCR PID', () => {
    const t = started();
    assert.equal(t.isProgramPid(0x100), true);
    assert.equal(t.isProgramPid(0x101), false);
    t.onPmt(
      pmt(0x1000, {
        program: 1,
        pcrPid: 0x1ff,
        version: 1,
        streams: [{ pid: 0x101, streamType: STREAM_TYPE.adts }],
      }),
      0,
    );
    assert.equal(t.isProgramPid(0x100), false, 'the old stream is dropped');
    assert.equal(t.isProgramPid(0x101), true);
    assert.equal(t.isProgramPid(0x1ff), true, 'a separate PCR PID is kept');
  });

  it('§2.4.4.9: PCR_PID 0x1FFF (no PCR) does not make the null PID a program PID', () => {
    const t = new ProgramTracker(null);
    t.onPat(pat(ONE), 0);
    t.onPmt(pmt(0x1000, { ...AUDIO, pcrPid: 0x1fff }), 0);
    assert.equal(t.isProgramPid(0x1fff), false);
    assert.equal(t.current?.pcrPid, 0x1fff);
  });

  it('a PMT for another program on the same PID is ignored', () => {
    const t = new ProgramTracker(null);
    t.onPat(pat(ONE), 0);
    assert.deepEqual(t.onPmt(pmt(0x1000, { ...AUDIO, program: 2 }), 0), ignored);
    assert.equal(t.current, null);
  });

  it('--program 2: the PMT of program 2 is tracked, program 1 on the same PID is not', () => {
    const t = new ProgramTracker(2);
    t.onPat(
      pat([
        { program: 1, pmtPid: 0x1000 },
        { program: 2, pmtPid: 0x1000 },
      ]),
      0,
    );
    assert.deepEqual(t.onPmt(pmt(0x1000, AUDIO), 0), ignored);
    const two = {
      program: 2,
      pcrPid: 0x200,
      streams: [{ pid: 0x200, streamType: STREAM_TYPE.adts }],
    };
    assert.deepEqual(t.onPmt(pmt(0x1000, two), 0), { kind: 'pmt', change: 'first' });
    assert.equal(t.current?.program, 2);
    assert.deepEqual(t.current?.codecs, ['aac']);
  });

  it('§2.4.4.8: a PMT with current_next_indicator 0 is ignored', () => {
    const t = new ProgramTracker(null);
    t.onPat(pat(ONE), 0);
    assert.deepEqual(t.onPmt(pmt(0x1000, { ...AUDIO, currentNext: false }), 0), ignored);
    assert.equal(t.current, null);
  });

  it('Annex A: a PMT with a bad CRC is a problem and keeps the current state', () => {
    const t = started();
    const bad = withBadCrc(pmt(0x1000, { ...AUDIO, version: 1, streams: [] }));
    assert.deepEqual(t.onPmt(bad, 0), { kind: 'problem', message: 'PMT bad-crc' });
    assert.deepEqual(t.current?.streams, [{ pid: 0x100, streamType: MP3 }]);
    assert.equal(t.isProgramPid(0x100), true);
  });

  it('after a PAT moves the PMT, a new PMT version on the new PID is taken', () => {
    const t = started();
    t.onPat(pat([{ program: 1, pmtPid: 0x1010 }], 1), 0);
    const r = t.onPmt(pmt(0x1010, { ...AUDIO, version: 1 }), 0);
    assert.deepEqual(r, { kind: 'pmt', change: 'same-streams' });
    assert.equal(t.current?.pmtPid, 0x1010);
  });

  it('after a PAT moves the PMT, the same PMT (same version) on the new PID is taken too', () => {
    const t = started();
    t.onPmt(pmt(0x1000, AUDIO, 1), 0); // encoders repeat the PMT many times a second
    t.onPat(pat([{ program: 1, pmtPid: 0x1010 }], 1), 0);
    const r = t.onPmt(pmt(0x1010, AUDIO, 2), 0);
    assert.deepEqual(r, { kind: 'pmt', change: 'same-streams' });
    assert.equal(t.current?.pmtPid, 0x1010);
  });

  it('reset() forgets the program: the same PAT and PMT are "first" again', () => {
    const t = started();
    t.reset();
    assert.equal(t.pmtPid, -1);
    assert.equal(t.current, null);
    assert.equal(t.isProgramPid(0x100), false);
    assert.deepEqual(t.onPat(pat(ONE), 0), { kind: 'pat', pmtPidChanged: true });
    assert.deepEqual(t.onPmt(pmt(0x1000, AUDIO), 0), { kind: 'pmt', change: 'first' });
  });
});

describe('ProgramTracker: timing stream and codec names', () => {
  function timingOf(streams: PmtSpec['streams']) {
    const t = new ProgramTracker(null);
    t.onPat(pat(ONE), 0);
    t.onPmt(pmt(0x1000, { program: 1, pcrPid: 0x1fff, streams }), 0);
    return t.current;
  }

  it('video (H.264) drives the cuts when present, even listed after the audio', () => {
    const cur = timingOf([
      { pid: 0x100, streamType: STREAM_TYPE.adts },
      { pid: 0x101, streamType: STREAM_TYPE.h264 },
    ]);
    assert.deepEqual(cur?.timing, { pid: 0x101, kind: 'video' });
    assert.deepEqual(cur?.codecs, ['aac', 'h264']);
  });

  it('without video, the first audio stream (by PID) drives them: ADTS or MPEG audio', () => {
    assert.deepEqual(
      timingOf([
        { pid: 0x102, streamType: MP3 },
        { pid: 0x101, streamType: STREAM_TYPE.adts },
      ])?.timing,
      { pid: 0x101, kind: 'adts' },
    );
    assert.deepEqual(timingOf([{ pid: 0x100, streamType: STREAM_TYPE.mpeg2Audio }])?.timing, {
      pid: 0x100,
      kind: 'mpeg-audio',
    });
  });

  it('no H.264, AAC or MP3 stream: no timing stream', () => {
    const cur = timingOf([
      { pid: 0x100, streamType: STREAM_TYPE.metadataPes },
      { pid: 0x101, streamType: 0x06 },
    ]);
    assert.equal(cur?.timing, null);
    assert.deepEqual(cur?.codecs, ['id3', '0x06']);
  });

  it('codecName: Table 2-34 names, and hex for the rest', () => {
    assert.equal(codecName(0x03), 'mp3');
    assert.equal(codecName(0x04), 'mp3');
    assert.equal(codecName(0x0f), 'aac');
    assert.equal(codecName(0x1b), 'h264');
    assert.equal(codecName(0x15), 'id3');
    assert.equal(codecName(0x24), '0x24');
    assert.equal(codecName(0x02), '0x02');
  });
});
