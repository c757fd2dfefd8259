// test/unit/hls/render-dateranges.test.ts: EXT-X-DATERANGE in the rendered playlists (RFC 8216bis §4.4.5.1, §6.2.5.1): golden plain and v2-delta playlists, the book's listing and removal rules, and the oracle over random logs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { lowLatencyPlaylist } from '../../../src/hls/ll-playlist.js';
import type { MediaPlaylist, MediaSegment } from '../../../src/hls/playlist.js';
import { renderDateRange, renderMediaPlaylist } from '../../../src/hls/render.js';
import type { Labelled } from '../../../src/scanner/scanner-service.js';
import type { Transmission } from '../../../src/scanner/transmission-log.js';
import { DateRangeBook, transmissionRange } from '../../../src/timeline/dateranges.js';
import { brokenRules } from '../../helpers/check-playlist.js';
import { randInt, rng } from '../../helpers/ts-builder.js';

const T0 = Date.parse('2026-11-24T03:00:00.000Z');
const golden = (name: string): string =>
  readFileSync(new URL(`../../golden/${name}`, import.meta.url), 'utf8');

function tx(
  startSec: number,
  endSec: number | null,
  over: Partial<Labelled<Transmission>> = {},
): Labelled<Transmission> {
  return {
    start: new Date(T0 + startSec * 1000).toISOString(),
    end: endSec === null ? null : new Date(T0 + endSec * 1000).toISOString(),
    durationSec: endSec === null ? null : endSec - startSec,
    frequencyMHz: 154.415,
    channel: 12,
    bank: 2,
    talkgroup: null,
    label: 'Fire Dispatch',
    ...over,
  };
}

function playlist(first: number, count: number): MediaPlaylist {
  const segments: MediaSegment[] = Array.from({ length: count }, (_, i) => ({
    msn: first + i,
    uri: `live-r1-${first + i}.ts`,
    durationSec: 1,
    discontinuity: false,
    programDateTimeMs: T0 + (first + i) * 1000,
  }));
  return {
    targetDurationSec: 1,
    mediaSequence: first,
    discontinuitySequence: 0,
    playlistType: null,
    endList: false,
    segments,
  };
}

describe('EXT-X-DATERANGE rendering', () => {
  it('§4.4.5.1: an ended transmission has END-DATE and DURATION; an open one has neither', () => {
    assert.equal(
      renderDateRange(transmissionRange(tx(1.5, 4.7, { talkgroup: '2416' }))),
      '#EXT-X-DATERANGE:ID="call-1795489201500",CLASS="org.scanner-hls.transmission",START-DATE="2026-11-24T03:00:01.500Z",END-DATE="2026-11-24T03:00:04.700Z",DURATION=3.2,X-FREQUENCY=154.4150,X-CHANNEL=12,X-TALKGROUP="2416",X-LABEL="Fire Dispatch"',
    );
    assert.equal(
      renderDateRange(
        transmissionRange(tx(9, null, { frequencyMHz: null, channel: null, label: 'A "B"' })),
      ),
      '#EXT-X-DATERANGE:ID="call-1795489209000",CLASS="org.scanner-hls.transmission",START-DATE="2026-11-24T03:00:09.000Z",X-LABEL="A \'B\'"',
    );
  });

  it('plain live playlist with date ranges (golden)', () => {
    const book = new DateRangeBook();
    book.update(
      [tx(9, null, { channel: null, frequencyMHz: null, label: null }), tx(1.5, 4.7)],
      T0 + 9000,
    );
    book.prune(T0 + 2000, T0 + 10_000, 6000);
    const text = renderMediaPlaylist({ ...playlist(2, 8), dateRanges: book.listed() });
    assert.equal(text, golden('live-dateranges.m3u8'));
    assert.deepEqual(brokenRules(text, { live: true }), []);
  });

  it('§6.2.5.1 v2 delta update: old ranges skipped, recently removed ones listed, version 10 (golden)', () => {
    const book = new DateRangeBook();
    book.update([tx(0.2, 0.9), tx(1.5, 4.7)], T0 + 5000);
    book.update([tx(11, null)], T0 + 11_000);
    // At 14 s the playlist starts at 2 s: the first range ended before it and is removed.
    book.prune(T0 + 2000, T0 + 14_000, 6000);
    const base = { ...playlist(2, 12), dateRanges: book.listed() };
    const ll = {
      partTargetSec: 0.2,
      open: null,
      preloadHint: 'live-r1-14.p0.ts',
      canSkipDateRanges: true,
      dateRangeDelta: book.delta(T0 + 14_000, 6),
    };
    const text = renderMediaPlaylist(lowLatencyPlaylist(base, ll, true));
    assert.equal(text, golden('live-ll-delta-v2-dateranges.m3u8'));
    assert.deepEqual(brokenRules(text, { live: true, audio: true }), []);
    // A YES update of the same playlist keeps every range and says nothing of removals.
    const yes = renderMediaPlaylist(
      lowLatencyPlaylist(base, { ...ll, dateRangeDelta: null }, true),
    );
    assert.equal((yes.match(/#EXT-X-DATERANGE:/g) ?? []).length, 2);
    assert.ok(!yes.includes('RECENTLY-REMOVED-DATERANGES') && yes.includes('#EXT-X-VERSION:9'));
  });
});

describe('DateRangeBook', () => {
  it('keeps a range while any of its dates reaches the playlist (§6.2.1), and never lists it again', () => {
    const book = new DateRangeBook();
    book.update([tx(1, 3), tx(5, null)], T0 + 5000);
    book.prune(T0 + 2500, T0 + 6000, 6000);
    assert.deepEqual(
      book.listed().map((r) => r.id),
      ['call-1795489201000', 'call-1795489205000'],
    );
    book.prune(T0 + 3500, T0 + 7000, 6000);
    assert.deepEqual(
      book.listed().map((r) => r.id),
      ['call-1795489205000'],
    );
    assert.deepEqual(book.delta(T0 + 8000, 6).recentlyRemoved, ['call-1795489201000']);
    book.update([tx(1, 3), tx(5, null)], T0 + 8000);
    assert.equal(book.listed().length, 1);
    assert.deepEqual(book.delta(T0 + 14_000, 6).recentlyRemoved, []);
  });

  it('§4.4.5.1: attributes keep the value first listed; later details and the end are added', () => {
    const book = new DateRangeBook();
    book.update([tx(5, null, { channel: null, label: 'Old' })], T0 + 5000);
    book.update([tx(5, 8, { channel: 7, label: 'New' })], T0 + 8000);
    const [r] = book.listed();
    assert.equal(r.endMs, T0 + 8000);
    assert.deepEqual(
      r.attributes.map((a) => `${a.name}=${a.value}`),
      ['X-FREQUENCY=154.4150', 'X-LABEL=Old', 'X-CHANNEL=7'],
    );
    // Changed at 8 s: a v2 update at 13 s still carries it.
    assert.equal(book.delta(T0 + 13_000, 6).dateRanges.length, 1);
    assert.equal(book.delta(T0 + 14_500, 6).dateRanges.length, 0);
  });

  it('every playlist it leads to keeps the oracle’s rules, over 300 random logs', () => {
    const r = rng(4451);
    for (let i = 0; i < 300; i++) {
      const book = new DateRangeBook();
      const log: Labelled<Transmission>[] = [];
      let t = 0;
      for (let k = 0; k < randInt(r, 1, 8); k++) {
        t += randInt(r, 0, 3000) / 1000;
        const end = randInt(r, 0, 4) === 0 ? null : t + randInt(r, 1, 5000) / 1000;
        log.push(
          tx(t, end, {
            channel: randInt(r, 0, 1) ? randInt(r, 1, 250) : null,
            talkgroup: randInt(r, 0, 1) ? String(randInt(r, 1, 65535)) : null,
            label: randInt(r, 0, 2) ? `Unit "${k}"` : null,
          }),
        );
        if (end === null) break;
        t = end;
      }
      book.update(log, T0 + t * 1000);
      const first = randInt(r, 0, 10);
      book.prune(T0 + first * 1000, T0 + (t + 1) * 1000, 6000);
      const text = renderMediaPlaylist({ ...playlist(first, 6), dateRanges: book.listed() });
      assert.deepEqual(brokenRules(text, { live: true }), [], text);
    }
  });
});
