// test/unit/live-audio/icy.test.ts: ICY metadata blocks and their interleaving, for many random titles, intervals and write sizes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../../src/random.js';
import {
  IcyInterleaver,
  icyMetadataBlock,
  icyTitleText,
  parseIcyStream,
} from '../../../src/live-audio/icy.js';

const ALPHABET = [
  'a',
  'Z',
  '7',
  ' ',
  "'",
  ';',
  '=',
  '\u00e9',
  '\u4e2d',
  '\n',
  '\u0000',
  '\u{1f4fb}',
  '"',
  '\\',
];

function randomTitle(r: () => number): string | null {
  if (r() < 0.15) return null;
  const n = Math.floor(r() * (r() < 0.05 ? 3000 : 40));
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)];
  return s;
}

describe('icyMetadataBlock', () => {
  it('is a length byte and that many 16-byte units holding StreamTitle, NUL padded', () => {
    const r = seededRandom(7);
    for (let k = 0; k < 500; k++) {
      const title = randomTitle(r);
      const block = icyMetadataBlock(title);
      assert.equal(block.length, 1 + block[0] * 16);
      assert.ok(block[0] >= 1 && block[0] <= 255);
      const text = Buffer.from(block.subarray(1)).toString('utf8');
      const body = text.replace(/\0+$/, '');
      assert.ok(text.length - body.length < 16, 'padding is under one unit');
      assert.equal(body, `StreamTitle='${icyTitleText(title)}';`);
      // Clients end the value at the first "';" (ffmpeg http.c, VLC): it must be the real end.
      assert.equal(body.indexOf("';", 'StreamTitle='.length), body.length - 2);
    }
  });

  it("keeps a title's text but for apostrophes (U+2019) and control characters", () => {
    assert.equal(icyTitleText("O'Hare Tower; ch 2"), 'O\u2019Hare Tower; ch 2');
    assert.equal(icyTitleText('Fire\nDispatch\u0007'), 'Fire Dispatch');
    assert.equal(icyTitleText(null), '');
    assert.equal(
      Buffer.from(icyMetadataBlock(null).subarray(1)).toString().replace(/\0+$/, ''),
      "StreamTitle='';",
    );
  });

  it('cuts a long title on a character boundary to fit 255 units', () => {
    const long = '\u4e2d'.repeat(5000);
    const block = icyMetadataBlock(long);
    assert.equal(block[0], 255);
    const t = icyTitleText(long);
    assert.ok(long.startsWith(t) && t.length > 1000);
  });
});

describe('IcyInterleaver', () => {
  it('puts a block after every metaint audio bytes; stripping them gives the audio back exactly', () => {
    const r = seededRandom(13);
    for (let round = 0; round < 150; round++) {
      const metaint = 1 + Math.floor(r() * (r() < 0.5 ? 64 : 20000));
      const icy = new IcyInterleaver(metaint);
      const audioParts: Uint8Array[] = [];
      const out: Uint8Array[] = [];
      const expectTitles: string[] = [];
      let title = randomTitle(r);
      let total = 0;
      let lastSent: string | undefined;
      const writes = 1 + Math.floor(r() * 60);
      for (let w = 0; w < writes; w++) {
        if (r() < 0.2) title = randomTitle(r);
        const n = Math.floor(r() * (r() < 0.3 ? 3 * metaint : 800));
        const audio = new Uint8Array(n);
        for (let i = 0; i < n; i++) audio[i] = (i * 31 + w) & 0xff;
        // Blocks due inside this write carry the title current at the write.
        const blocksBefore = Math.floor(total / metaint);
        total += n;
        const blocksAfter = Math.floor(total / metaint);
        for (let b = blocksBefore; b < blocksAfter; b++) {
          const text = icyTitleText(title);
          if (text !== lastSent) expectTitles.push(text);
          lastSent = text;
        }
        audioParts.push(audio);
        out.push(icy.push(audio, title));
      }
      const parsed = parseIcyStream(Buffer.concat(out), metaint);
      assert.deepEqual(parsed.audio, Buffer.concat(audioParts), `metaint ${metaint}`);
      assert.equal(parsed.blocks, Math.floor(total / metaint));
      assert.deepEqual(parsed.titles, expectTitles);
    }
  });

  it('refuses a metaint below 1', () => {
    assert.throws(() => new IcyInterleaver(0), RangeError);
  });
});
