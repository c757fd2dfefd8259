// test/unit/packager-ll.test.ts: the packager's LL-HLS playlist on a real MP3 stream fed at the pace of a fake clock: parts, hint, delta updates, GAP parts in an outage, LL off.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Packager, PackagerOptions } from '../../src/packager.js';
import { checkMediaPlaylist } from '../helpers/check-playlist.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { makeTs } from '../helpers/media.js';
import { testPackager } from '../helpers/packager.js';
import { tempDir } from '../helpers/server.js';

const STEP_MS = 50;

/** Feeds seconds of input in STEP_MS slices (by byte share), advancing the clock; calls look() after each. */
async function feed(
  p: Packager,
  clock: FakeClock,
  input: Buffer,
  totalSec: number,
  look: () => void = () => undefined,
): Promise<void> {
  const per = Math.ceil((input.length * STEP_MS) / (totalSec * 1000));
  for (let at = 0; at < input.length; at += per) {
    p.push(input.subarray(at, Math.min(input.length, at + per)));
    await p.idle();
    look();
    await clock.advance(STEP_MS);
  }
}

const partUris = (text: string): string[] =>
  [...text.matchAll(/#EXT-X-PART:[^\n]*URI="([^"]+)"/g)].map((m) => m[1]);
const hintOf = (text: string): string | null =>
  /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="([^"]+)"/.exec(text)?.[1] ?? null;

function llPackager(dir: string, clock: FakeClock, over: Partial<PackagerOptions> = {}): Packager {
  return testPackager(dir, clock, {
    segmentDurationSec: 1,
    targetDurationSec: 1,
    window: 12,
    partDurationSec: 0.2,
    ...over,
  });
}

/** A started LL packager on a fresh temp dir and fake clock (dir given: a restart on the same one). */
async function started(
  over: Partial<PackagerOptions> = {},
  at: { dir: string; clock: FakeClock } = { dir: tempDir(), clock: new FakeClock() },
): Promise<{ p: Packager; dir: string; clock: FakeClock }> {
  const p = llPackager(at.dir, at.clock, over);
  await p.init();
  p.startSession('test');
  return { p, ...at };
}

describe('Packager with LL-HLS parts', () => {
  it('keeps every LL rule on every update, hints the next part by its listed name, and writes parts that make the segment', async () => {
    const { p, dir, clock } = await started();
    const input = readFileSync(await makeTs('mp3', 12));
    let updates = 0;
    let lastHint: string | null = null;
    let lastPos = { msn: -1, part: -1 };
    let hintsKept = 0;
    p.onPublish(() => {
      const text = p.playlist('no') ?? '';
      updates++;
      assert.deepEqual(checkMediaPlaylist(text, { live: true, audio: true }), [], text);
      // The previous hint is now listed, as a part of this or of the next segment.
      if (lastHint !== null && partUris(text).includes(lastHint)) hintsKept++;
      lastHint = hintOf(text);
      const pos = p.position();
      assert.ok(pos, 'a position once parts are out');
      assert.ok(
        pos.msn > lastPos.msn || (pos.msn === lastPos.msn && pos.part >= lastPos.part),
        'the position never goes back',
      );
      lastPos = pos;
    });
    await feed(p, clock, input, 12);
    await p.endSession();
    assert.ok(updates > 50, `${updates} updates`);
    assert.ok(hintsKept >= updates * 0.9, `${hintsKept} of ${updates} hints came true`);
    const text = p.playlist('no') ?? '';
    const ll = p.lowLatency();
    assert.deepEqual(ll, { partTargetSec: 0.209, targetDurationSec: 1, canSkipUntilSec: 6 });
    assert.match(
      text,
      /#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0.627,CAN-SKIP-UNTIL=6\n/,
    );
    assert.match(text, /#EXT-X-PART-INF:PART-TARGET=0.209\n/);
    // Each listed segment with parts is its parts' bytes end to end.
    const seg = join(dir, 'seg');
    const blocks = text.split('#EXTINF:').slice(1);
    let checked = 0;
    let before = text.split('#EXTINF:')[0];
    for (const b of blocks) {
      const uri = b.split('\n')[1];
      const parts = partUris(before.split('#EXT-X-PROGRAM-DATE-TIME').at(-1) ?? '');
      if (parts.length) {
        const joined = Buffer.concat(parts.map((u) => readFileSync(join(seg, u))));
        assert.deepEqual(joined, readFileSync(join(seg, uri)), uri);
        checked++;
      }
      before = b;
    }
    assert.ok(checked >= 2, `${checked} segments compared with their parts`);
    // The disk copy (for static servers) is a plain playlist.
    const disk = readFileSync(join(seg, 'live.m3u8'), 'utf8');
    assert.doesNotMatch(disk, /EXT-X-PART|SERVER-CONTROL|PRELOAD-HINT/);
    assert.deepEqual(checkMediaPlaylist(disk, { live: true }), []);
    await p.close();
  });

  it('§6.2.5.1: a delta update replaces the segments beyond the Skip Boundary with EXT-X-SKIP and keeps the rest as it is', async () => {
    const { p, clock } = await started();
    await feed(p, clock, readFileSync(await makeTs('mp3', 12)), 12);
    const full = p.playlist('no') ?? '';
    const delta = p.playlist('YES') ?? '';
    assert.equal(p.playlist('v2'), delta);
    const m = /#EXT-X-SKIP:SKIPPED-SEGMENTS=(\d+)\n/.exec(delta);
    assert.ok(m, delta);
    const skipped = Number(m[1]);
    assert.ok(skipped >= 4, `${skipped} skipped of 12`);
    assert.match(delta, /^#EXTM3U\n#EXT-X-VERSION:9\n/);
    assert.deepEqual(checkMediaPlaylist(delta, { live: true, audio: true }), []);
    // After the skip, the delta lists exactly the last segments of the full playlist.
    const tail = (t: string): string => t.slice(t.indexOf('#EXT-X-PROGRAM-DATE-TIME'));
    const fullSegs = tail(full).split(/(?=#EXT-X-PROGRAM-DATE-TIME)/);
    assert.equal(tail(delta), fullSegs.slice(skipped).join(''));
    // What was skipped lies wholly beyond 6 s (CAN-SKIP-UNTIL) from the end.
    const durs = [...full.matchAll(/#EXTINF:([\d.]+),/g)].map((x) => Number(x[1]));
    const open = [
      ...full
        .split(/#EXTINF:[^\n]*\n[^\n]*\n/)
        .at(-1)!
        .matchAll(/DURATION=([\d.]+)/g),
    ].reduce((t, x) => t + Number(x[1]), 0);
    const afterSkipped = durs.slice(skipped).reduce((t, d) => t + d, 0) + open;
    assert.ok(afterSkipped >= 6, `${afterSkipped} s after the skipped segments`);
    assert.ok(
      afterSkipped - durs[skipped] < 6,
      'one more skipped segment would be inside the boundary',
    );
    await p.close();
  });

  it('keeps the playlist moving with GAP parts while the input is away (a part within 0.8 s), then starts the media again with a discontinuity', async () => {
    const { p, clock } = await started();
    const input = readFileSync(await makeTs('mp3', 12));
    await feed(p, clock, input.subarray(0, Math.floor(input.length / 2)), 6);
    let lastPublish = clock.now();
    let longest = 0;
    p.onPublish(() => {
      longest = Math.max(longest, clock.now() - lastPublish);
      lastPublish = clock.now();
    });
    for (let i = 0; i < 60; i++) {
      await clock.advance(STEP_MS);
      await p.idle();
    }
    assert.ok(longest <= 800, `${longest} ms without a new part during the outage`);
    const during = p.playlist('no') ?? '';
    assert.match(during, /GAP=YES/);
    assert.match(during, /#EXT-X-GAP\n#EXTINF/);
    assert.deepEqual(checkMediaPlaylist(during, { live: true, audio: true }), [], during);
    await feed(p, clock, input.subarray(Math.floor(input.length / 2)), 6);
    await p.endSession();
    const after = p.playlist('no') ?? '';
    assert.deepEqual(checkMediaPlaylist(after, { live: true, audio: true }), [], after);
    assert.match(after, /#EXT-X-GAP\n#EXTINF:[\d.]+,\n[^\n]+-gap\.ts\n#EXT-X-DISCONTINUITY\n/);
    await p.close();
  });

  it('with parts off: no LL tag, no position, and a skip request gets the full playlist', async () => {
    const { p, clock } = await started({ partDurationSec: null });
    await feed(p, clock, readFileSync(await makeTs('mp3', 12)), 12);
    const text = p.playlist('no') ?? '';
    assert.doesNotMatch(text, /EXT-X-PART|SERVER-CONTROL|PRELOAD-HINT/);
    assert.equal(p.playlist('YES'), text);
    assert.equal(p.position(), null);
    assert.equal(p.lowLatency(), null);
    await p.close();
  });

  it('a restart keeps the PART-TARGET of the stream (RFC 8216bis §4.4.3.7: constant for its life)', async () => {
    const { p: a, dir, clock } = await started();
    await feed(a, clock, readFileSync(await makeTs('mp3', 6)), 6);
    await a.endSession();
    await a.close();
    const { p: b } = await started({ partDurationSec: 0.3 }, { dir, clock });
    await feed(b, clock, readFileSync(await makeTs('aac', 6)), 6);
    assert.equal(b.lowLatency()?.partTargetSec, 0.209);
    assert.deepEqual(checkMediaPlaylist(b.playlist('no') ?? '', { live: true, audio: true }), []);
    await b.close();
  });
});
