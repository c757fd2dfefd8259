// test/unit/ts/crc32.test.ts: CRC-32/MPEG-2 against its published check value and ffmpeg's PAT, and the zero-residue rule PSI readers rely on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32Mpeg } from '../../../src/ts/crc32.js';
import { fixCrc, randInt, rng } from '../../helpers/ts-builder.js';

describe('crc32Mpeg', () => {
  it('CRC-32/MPEG-2 check value: "123456789" gives 0x0376E6E7', () => {
    assert.equal(crc32Mpeg(Buffer.from('123456789', 'ascii')), 0x0376e6e7);
  });

  it('an empty range gives the initial value 0xFFFFFFFF (no final XOR)', () => {
    assert.equal(crc32Mpeg(new Uint8Array(0)), 0xffffffff);
    assert.equal(crc32Mpeg(Uint8Array.of(1, 2, 3), 2, 2), 0xffffffff);
  });

  it("ffmpeg's PAT section (program 1 on PID 0x1000) carries CRC 2A B1 04 B2", () => {
    const pat = Buffer.from('00b00d0001c100000001f000', 'hex');
    assert.equal(crc32Mpeg(pat), 0x2ab104b2);
  });

  it('honours the start and end offsets', () => {
    const b = Buffer.from('xx123456789yy', 'ascii');
    assert.equal(crc32Mpeg(b, 2, 11), 0x0376e6e7);
  });

  it('ISO/IEC 13818-1 Annex A: a section with its CRC_32 appended has CRC 0 (for any bytes)', () => {
    const r = rng(32);
    for (let n = 0; n < 300; n++) {
      const s = new Uint8Array(randInt(r, 5, 1021));
      for (let i = 0; i < s.length - 4; i++) s[i] = randInt(r, 0, 255);
      fixCrc(s);
      assert.equal(crc32Mpeg(s), 0, `length ${s.length}`);
      s[randInt(r, 0, s.length - 1)] ^= 1 << randInt(r, 0, 7);
      assert.notEqual(crc32Mpeg(s), 0, 'a single flipped bit is detected');
    }
  });
});
