// test/unit/id3/id3v2.test.ts: ID3v2.4 tags: synchsafe sizes, frames read back for many values, and ffprobe reading our tag on a real MP3.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type Id3Frame, id3Tag, parseId3Tag, synchsafe } from '../../../src/id3/id3v2.js';
import { randInt, rng } from '../../helpers/ts-builder.js';

function fromSynchsafe(b: Uint8Array): number {
  return ((b[0] ?? 0) << 21) | ((b[1] ?? 0) << 14) | ((b[2] ?? 0) << 7) | (b[3] ?? 0);
}

describe('id3v2', () => {
  it('synchsafe sizes never set bit 7 and round-trip for any 28-bit value', () => {
    const r = rng(7);
    for (let i = 0; i < 2000; i++) {
      const n = i < 4 ? [0, 127, 128, 0x0fffffff][i] : randInt(r, 0, 0x0fffffff);
      const b = synchsafe(n);
      assert.ok(b.every((x) => x < 0x80));
      assert.equal(fromSynchsafe(b), n);
    }
    assert.throws(() => synchsafe(0x10000000), RangeError);
    assert.throws(() => synchsafe(-1), RangeError);
  });

  it('a tag reads back frame by frame, with its size in the header, for many texts', () => {
    const r = rng(11);
    const alphabet = ['a', 'Z', '9', ' ', 'é', '—', '📻', '=', '"'];
    const text = (): string =>
      Array.from(
        { length: randInt(r, 0, 40) },
        () => alphabet[randInt(r, 0, alphabet.length - 1)],
      ).join('');
    for (let i = 0; i < 300; i++) {
      const frames: Id3Frame[] = [
        { id: 'TIT2', text: text() },
        { id: 'TXXX', description: `k${i}`, value: text() },
        {
          id: 'PRIV',
          owner: 'org.example',
          data: Uint8Array.from({ length: randInt(r, 0, 30) }, () => randInt(r, 0, 255)),
        },
      ];
      const tag = id3Tag(frames);
      assert.deepEqual([...tag.subarray(0, 6)], [0x49, 0x44, 0x33, 4, 0, 0]);
      const { size, frames: back } = parseId3Tag(tag);
      assert.equal(size, tag.length);
      assert.deepEqual(back[0], frames[0]);
      assert.deepEqual(back[1], frames[1]);
      const priv = back[2];
      assert.ok(priv && 'data' in priv);
      const f2 = frames[2];
      assert.ok(f2 && 'owner' in f2);
      assert.deepEqual([...priv.data], [...Buffer.concat([Buffer.from('org.example\0'), f2.data])]);
    }
  });

  it('rejects frame ids that are not four capitals and digits', () => {
    assert.throws(() => id3Tag([{ id: 'tit2', text: 'x' }]), RangeError);
    assert.throws(() => id3Tag([{ id: 'TIT', text: 'x' }]), RangeError);
  });

  it('ffprobe reads title, date and a TXXX field from our tag on an ffmpeg-made MP3', () => {
    const dir = mkdtempSync(join(tmpdir(), 'id3-'));
    try {
      const raw = join(dir, 'raw.mp3');
      execFileSync('ffmpeg', [
        ...['-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1'],
        ...['-c:a', 'libmp3lame', '-b:a', '64k', '-write_xing', '0', '-id3v2_version', '0', raw],
      ]);
      const tagged = join(dir, 'tagged.mp3');
      const tag = id3Tag([
        { id: 'TIT2', text: 'Sheriff — dispatch' },
        { id: 'TDRC', text: '2026-12-02T13:05:00' },
        { id: 'TXXX', description: 'frequency', value: '154.4150' },
      ]);
      writeFileSync(tagged, Buffer.concat([tag, readFileSync(raw)]));
      const out = JSON.parse(
        execFileSync('ffprobe', ['-v', 'error', '-show_format', '-of', 'json', tagged], {
          encoding: 'utf8',
        }),
      ) as { format: { tags?: Record<string, string>; duration: string } };
      const tags = out.format.tags ?? {};
      assert.equal(tags.title, 'Sheriff — dispatch');
      assert.equal(tags.date, '2026-12-02T13:05:00');
      assert.equal(tags.frequency, '154.4150');
      assert.ok(Math.abs(Number(out.format.duration) - 1) < 0.1, out.format.duration);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
