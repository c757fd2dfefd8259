// test/unit/hls/render.test.ts: renderMediaPlaylist tag by tag (RFC 8216bis §4.4), byte-exact small goldens inline, and the playlist oracle over random playlists.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MediaPlaylist, MediaSegment } from '../../../src/hls/playlist.js';
import {
  isoMs,
  renderExtinf,
  renderGap,
  renderMediaPlaylist,
  renderProgramDateTime,
} from '../../../src/hls/render.js';
import { brokenRules } from '../../helpers/check-playlist.js';
import { randInt, rng } from '../../helpers/ts-builder.js';

const T0 = Date.parse('2026-11-24T03:00:00.000Z');

function seg(msn: number, durationSec: number, extra: Partial<MediaSegment> = {}): MediaSegment {
  return {
    msn,
    uri: `live-r1-${msn}.ts`,
    durationSec,
    discontinuity: false,
    programDateTimeMs: T0 + msn * 2000,
    ...extra,
  };
}

function playlist(extra: Partial<MediaPlaylist> = {}): MediaPlaylist {
  return {
    targetDurationSec: 2,
    mediaSequence: 7,
    discontinuitySequence: 1,
    playlistType: null,
    endList: false,
    segments: [seg(7, 2)],
    ...extra,
  };
}

const lines = (pl: MediaPlaylist): string[] => renderMediaPlaylist(pl).split('\n');

describe('render: one tag at a time', () => {
  it('§4.4.1.1: #EXTM3U is the first line', () => {
    assert.equal(lines(playlist())[0], '#EXTM3U');
  });

  it('§4.4.1.2: EXT-X-VERSION:3 (decimal EXTINF needs 3; nothing we write needs more)', () => {
    assert.equal(lines(playlist())[1], '#EXT-X-VERSION:3');
    assert.equal(lines(playlist({ segments: [seg(7, 2, { gap: true })] }))[1], '#EXT-X-VERSION:3');
  });

  it('§4.4.3.1: EXT-X-TARGETDURATION is the whole-second target', () => {
    assert.equal(lines(playlist({ targetDurationSec: 6 }))[2], '#EXT-X-TARGETDURATION:6');
  });

  it('§4.4.3.2: EXT-X-MEDIA-SEQUENCE is the playlist mediaSequence', () => {
    assert.equal(lines(playlist({ mediaSequence: 123456 }))[3], '#EXT-X-MEDIA-SEQUENCE:123456');
  });

  it('§4.4.3.3: EXT-X-DISCONTINUITY-SEQUENCE follows, always written (0 included)', () => {
    assert.equal(
      lines(playlist({ discontinuitySequence: 0 }))[4],
      '#EXT-X-DISCONTINUITY-SEQUENCE:0',
    );
    assert.equal(
      lines(playlist({ discontinuitySequence: 42 }))[4],
      '#EXT-X-DISCONTINUITY-SEQUENCE:42',
    );
  });

  it('§4.4.3.5: EXT-X-PLAYLIST-TYPE:VOD after the header for VOD; no type at all for live (§6.2.2)', () => {
    assert.equal(
      lines(playlist({ playlistType: 'VOD', endList: true }))[5],
      '#EXT-X-PLAYLIST-TYPE:VOD',
    );
    assert.ok(!renderMediaPlaylist(playlist()).includes('PLAYLIST-TYPE'));
  });

  it('§4.4.4.1: EXTINF has six decimals and a comma, no title', () => {
    assert.equal(renderExtinf(2), '#EXTINF:2.000000,');
    assert.equal(renderExtinf(1.0449), '#EXTINF:1.044900,');
    assert.equal(renderExtinf(2.0114285714), '#EXTINF:2.011429,');
    assert.equal(renderExtinf(0.0000004), '#EXTINF:0.000000,');
  });

  it('§4.4.4.6: PROGRAM-DATE-TIME is ISO 8601 with milliseconds and Z, rounded to the ms', () => {
    assert.equal(renderProgramDateTime(T0), '#EXT-X-PROGRAM-DATE-TIME:2026-11-24T03:00:00.000Z');
    assert.equal(
      renderProgramDateTime(T0 + 5202.4),
      '#EXT-X-PROGRAM-DATE-TIME:2026-11-24T03:00:05.202Z',
    );
    assert.equal(
      renderProgramDateTime(T0 + 5202.5),
      '#EXT-X-PROGRAM-DATE-TIME:2026-11-24T03:00:05.203Z',
    );
  });

  it('isoMs equals Date.prototype.toISOString for any whole millisecond, in any order of calls', () => {
    const r = rng(0x15a);
    const day = 86_400_000;
    // Runs of nearby times (the day cache hits), jumps between days and years, day edges, and
    // times before 1970 and after 9999 (extended years).
    const cases = [0, -1, day - 1, day, -day, 253402300799999, 253402300800000, -62167219200001];
    let t = T0;
    for (let i = 0; i < 5000; i++) {
      t += randInt(r, 0, 3) === 0 ? randInt(r, -3 * day, 3 * day) : randInt(r, 0, 2100);
      cases.push(t, randInt(r, -1e13, 1e13), t - (t % day) - randInt(r, 0, 1));
    }
    for (const ms of cases) assert.equal(isoMs(ms), new Date(ms).toISOString(), String(ms));
  });

  it('§4.4.4.7: EXT-X-GAP is the bare tag', () => {
    assert.equal(renderGap(), '#EXT-X-GAP');
  });

  it('§4.4.4.3: EXT-X-DISCONTINUITY comes first among the segment tags', () => {
    const text = renderMediaPlaylist(playlist({ segments: [seg(7, 2, { discontinuity: true })] }));
    assert.ok(
      text.endsWith(
        '#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:2026-11-24T03:00:14.000Z\n#EXTINF:2.000000,\nlive-r1-7.ts\n',
      ),
    );
  });

  it('§4.4.4: segment tags in order DISCONTINUITY, PROGRAM-DATE-TIME, GAP, EXTINF, then the URI', () => {
    const text = renderMediaPlaylist(
      playlist({
        segments: [seg(7, 2, { discontinuity: true, gap: true, uri: 'live-r1-7-gap.ts' })],
      }),
    );
    assert.deepEqual(text.split('\n').slice(5), [
      '#EXT-X-DISCONTINUITY',
      '#EXT-X-PROGRAM-DATE-TIME:2026-11-24T03:00:14.000Z',
      '#EXT-X-GAP',
      '#EXTINF:2.000000,',
      'live-r1-7-gap.ts',
      '',
    ]);
  });

  it('§4.4.3.4: EXT-X-ENDLIST is the last line when endList', () => {
    assert.equal(lines(playlist({ endList: true })).at(-2), '#EXT-X-ENDLIST');
    assert.ok(!renderMediaPlaylist(playlist()).includes('ENDLIST'));
  });

  it('§4.1: lines end in LF (no CR), the last one too; bytes and URIs are as given', () => {
    const text = renderMediaPlaylist(playlist());
    assert.ok(text.endsWith('\n') && !text.endsWith('\n\n'));
    assert.ok(!text.includes('\r'));
    assert.ok(text.includes('\nlive-r1-7.ts\n'));
  });

  it('the measured size of a segment (bytes) is not rendered', () => {
    assert.equal(
      renderMediaPlaylist(playlist({ segments: [seg(7, 2, { bytes: 12345 })] })),
      renderMediaPlaylist(playlist()),
    );
  });
});

describe('render: whole playlists, byte-exact', () => {
  it('a live playlist', () => {
    const text = renderMediaPlaylist(
      playlist({
        segments: [
          seg(7, 2),
          seg(8, 1.985306, { discontinuity: true }),
          seg(9, 2.011429, { gap: true }),
        ],
      }),
    );
    assert.equal(
      text,
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-TARGETDURATION:2',
        '#EXT-X-MEDIA-SEQUENCE:7',
        '#EXT-X-DISCONTINUITY-SEQUENCE:1',
        '#EXT-X-PROGRAM-DATE-TIME:2026-11-24T03:00:14.000Z',
        '#EXTINF:2.000000,',
        'live-r1-7.ts',
        '#EXT-X-DISCONTINUITY',
        '#EXT-X-PROGRAM-DATE-TIME:2026-11-24T03:00:16.000Z',
        '#EXTINF:1.985306,',
        'live-r1-8.ts',
        '#EXT-X-PROGRAM-DATE-TIME:2026-11-24T03:00:18.000Z',
        '#EXT-X-GAP',
        '#EXTINF:2.011429,',
        'live-r1-9.ts',
        '',
      ].join('\n'),
    );
  });

  it('a VOD playlist', () => {
    const text = renderMediaPlaylist({
      targetDurationSec: 2,
      mediaSequence: 0,
      discontinuitySequence: 0,
      playlistType: 'VOD',
      endList: true,
      segments: [seg(0, 2, { uri: 'a-0.ts' }), seg(1, 0.5, { uri: 'a-1.ts' })],
    });
    assert.equal(
      text,
      '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n' +
        '#EXT-X-DISCONTINUITY-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n' +
        '#EXT-X-PROGRAM-DATE-TIME:2026-11-24T03:00:00.000Z\n#EXTINF:2.000000,\na-0.ts\n' +
        '#EXT-X-PROGRAM-DATE-TIME:2026-11-24T03:00:02.000Z\n#EXTINF:0.500000,\na-1.ts\n' +
        '#EXT-X-ENDLIST\n',
    );
  });

  it('an empty live playlist is the header alone', () => {
    assert.equal(
      renderMediaPlaylist(playlist({ segments: [], mediaSequence: 0, discontinuitySequence: 0 })),
      '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-DISCONTINUITY-SEQUENCE:0\n',
    );
  });
});

describe('render: the oracle accepts what it writes', () => {
  it('property: random live, ended and VOD playlists break no rule', () => {
    const r = rng(8216);
    for (let n = 0; n < 500; n++) {
      const target = randInt(r, 1, 10);
      const first = randInt(r, 0, 100000);
      const count = randInt(r, 3, 12);
      const segments: MediaSegment[] = [];
      let at = T0 + randInt(r, 0, 1e9);
      let total = 0;
      // Durations up to target + 0.49 (§4.4.3.1 rounding); as many segments as it takes to
      // cover 3 × target, as a live server must (§6.2.2).
      for (let i = 0; i < count || total < 3 * target; i++) {
        const d = r() < 0.3 ? target + r() * 0.49 : target * (0.4 + r() * 0.6);
        total += d;
        segments.push(
          seg(first + i, d, {
            discontinuity: r() < 0.2,
            gap: r() < 0.2,
            programDateTimeMs: at,
            uri: `live-${n}-${first + i}${r() < 0.2 ? '-gap' : ''}.ts`,
          }),
        );
        at += d * 1000 + r() * 3;
      }
      const kind = randInt(r, 0, 2);
      const pl: MediaPlaylist = {
        targetDurationSec: target,
        mediaSequence: first,
        discontinuitySequence: randInt(r, 0, 50),
        playlistType: kind === 2 ? 'VOD' : null,
        endList: kind !== 0,
        segments,
      };
      const text = renderMediaPlaylist(pl);
      assert.deepEqual(brokenRules(text, { live: kind !== 2, ended: kind === 1 }), [], text);
    }
  });
});
