// test/unit/packager-media.test.ts: the packager's 'media' event (the tap /live.mp3 and --relay read): every byte it cuts, in order, once: parts with LL-HLS, segments without.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { MediaCut, Packager, PackagerOptions } from '../../src/packager.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { makeTs } from '../helpers/media.js';
import { testPackager } from '../helpers/packager.js';
import { tempDir } from '../helpers/server.js';

const STEP_MS = 50;

/** A started packager fed secs of a real ffmpeg MP3 stream at the fake clock's pace; returns its cuts and written segments. */
async function run(over: Partial<PackagerOptions>, secs: number) {
  const clock = new FakeClock();
  const p: Packager = testPackager(tempDir(), clock, {
    segmentDurationSec: 1,
    targetDurationSec: 1,
    window: 12,
    ...over,
  });
  await p.init();
  p.startSession('test');
  const cuts: MediaCut[] = [];
  const segments: Buffer[] = [];
  p.on('media', (c) => cuts.push(c));
  p.on('segment-written', (s) => {
    if (s.path !== null) segments.push(readFileSync(s.path));
  });
  const input = readFileSync(await makeTs('mp3', secs));
  const per = Math.ceil((input.length * STEP_MS) / (secs * 1000));
  for (let at = 0; at < input.length; at += per) {
    p.push(input.subarray(at, Math.min(input.length, at + per)));
    await p.idle();
    await clock.advance(STEP_MS);
  }
  await p.close();
  return { cuts, segments };
}

describe("Packager 'media' event", () => {
  it('with LL-HLS: the parts it cuts, joined, are the segments written, byte for byte', async () => {
    const { cuts, segments } = await run({ partDurationSec: 0.2 }, 6);
    assert.ok(segments.length >= 5, `${segments.length} segments`);
    const joined = Buffer.concat(cuts.map((c) => c.bytes));
    assert.deepEqual(joined.subarray(0, Buffer.concat(segments).length), Buffer.concat(segments));
    assert.ok(cuts.every((c) => c.durationSec > 0 && c.durationSec <= 0.25));
    for (let i = 1; i < cuts.length; i++) {
      const prev = cuts[i - 1];
      const cur = cuts[i];
      assert.ok(prev && cur);
      assert.ok(Math.abs(cur.startTicks - prev.startTicks - prev.durationSec * 90_000) < 2);
    }
  });

  it('without LL-HLS: one cut per segment, equal to its file', async () => {
    const { cuts, segments } = await run({ partDurationSec: null }, 5);
    assert.ok(segments.length >= 4);
    assert.deepEqual(
      cuts.map((c) => Buffer.from(c.bytes)),
      segments,
    );
    assert.equal(cuts[0]?.discontinuity, false);
  });
});
