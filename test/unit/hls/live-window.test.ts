// test/unit/hls/live-window.test.ts: sliding window and sequence rules (RFC 8216bis §6.2.2), rendered and compared to golden text.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { LiveWindow } from '../../../src/hls/live-window.js';
import { renderMediaPlaylist } from '../../../src/hls/render.js';

const golden = (name: string) =>
  readFileSync(new URL(`../../golden/${name}`, import.meta.url), 'utf8');
const T0 = Date.parse('2026-11-24T03:00:00.000Z');

function seg(uri: string, durationSec: number, atSec: number, discontinuity = false) {
  return { uri, durationSec, discontinuity, programDateTimeMs: T0 + atSec * 1000 };
}

describe('LiveWindow', () => {
  it('§6.2.2: removing segments bumps MEDIA-SEQUENCE, and DISCONTINUITY-SEQUENCE when a tagged one leaves', () => {
    const w = new LiveWindow({ size: 3, targetDurationSec: 2 });
    w.add(seg('live-r1-0.ts', 2, 0));
    w.add(seg('live-r1-1.ts', 2, 2, true));
    w.add(seg('live-r1-2.ts', 2, 4));
    w.add(seg('live-r1-3.ts', 2, 6));
    assert.equal(w.toPlaylist('live').mediaSequence, 1);
    assert.equal(w.toPlaylist('live').discontinuitySequence, 0);
    w.add(seg('live-r1-4.ts', 1.985306, 30.5, true));
    const { evicted } = w.add(seg('live-r1-5.ts', 2.011429, 32.485));
    assert.deepEqual(
      evicted.map((s) => s.uri),
      ['live-r1-1.ts'],
    );
    const pl = w.toPlaylist('live');
    assert.equal(pl.discontinuitySequence, 1, 'the tagged segment left');
    assert.equal(renderMediaPlaylist(pl), golden('live-window.m3u8'));
  });

  it('§6.2.2: never removes a segment if the playlist would then last less than 3 × target duration', () => {
    const w = new LiveWindow({ size: 3, targetDurationSec: 2 });
    // 44.1 kHz MP3 on a 2 s grid: segments alternate a frame long and a frame short.
    const lengths = [2, 2, 2, 1.985306, 2.011429, 1.985306, 1.985306, 2.011429, 2.011429];
    lengths.forEach((d, i) => {
      w.add(seg(`m-${i}.ts`, d, 2 * i));
      const total = w.listed.reduce((sum, s) => sum + s.durationSec, 0);
      // Only a playlist that has not yet reached 3 × TD may be shorter (nothing was removed).
      if (i >= 3) assert.ok(total >= 6, `after segment ${i}: ${total} s listed`);
      assert.ok(w.listed.length <= 4, 'at most one segment over the configured count');
    });
  });

  it('a live playlist has no EXT-X-PLAYLIST-TYPE and no ENDLIST; VOD has both', () => {
    const w = new LiveWindow({ size: null, targetDurationSec: 2 });
    w.add(seg('a-0.ts', 2, 0));
    w.add(seg('a-1.ts', 0.5, 2));
    const live = renderMediaPlaylist(w.toPlaylist('live'));
    assert.ok(!live.includes('PLAYLIST-TYPE') && !live.includes('ENDLIST'));
    assert.equal(renderMediaPlaylist(w.toPlaylist('vod')), golden('vod.m3u8'));
  });

  it('a restored window continues its numbers and never reuses an msn', () => {
    const w = new LiveWindow({ size: 3, targetDurationSec: 2 });
    for (let i = 0; i < 5; i++) w.add(seg(`x-${i}.ts`, 2, 2 * i));
    const again = new LiveWindow({ size: 3, targetDurationSec: 2 }, w.snapshot());
    assert.equal(again.nextMsn, 5);
    const { msn } = again.add(seg('y-5.ts', 2, 10, true));
    assert.equal(msn, 5);
    const pl = again.toPlaylist('live');
    assert.equal(pl.mediaSequence, 3);
    assert.deepEqual(
      pl.segments.map((s) => s.uri),
      ['x-3.ts', 'x-4.ts', 'y-5.ts'],
    );
  });
});
