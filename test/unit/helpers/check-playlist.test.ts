// test/unit/helpers/check-playlist.test.ts: the playlist oracle itself: every golden playlist passes, and each hand-broken variant reports exactly the rule it breaks.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  brokenRules,
  checkMediaPlaylist,
  type PlaylistRule,
} from '../../helpers/check-playlist.js';

const goldenDir = new URL('../../golden/', import.meta.url);
const golden = (name: string): string => readFileSync(new URL(name, goldenDir), 'utf8');

const LIVE = golden('live-gap.m3u8');
const VOD = golden('vod.m3u8');

/** LIVE with one substitution, which must apply. */
function edit(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  assert.notEqual(out, text, `edit ${String(from)} did not apply`);
  return out;
}

describe('checkMediaPlaylist on the goldens', () => {
  const names = readdirSync(goldenDir)
    .filter((n) => n.endsWith('.m3u8'))
    .sort();

  it('finds the golden playlists', () => {
    assert.deepEqual(names, [
      'batch-mp3-vod.m3u8',
      'live-dateranges.m3u8',
      'live-gap.m3u8',
      'live-ll-delta-v2-dateranges.m3u8',
      'live-window.m3u8',
      'vod.m3u8',
    ]);
  });

  for (const name of names) {
    const isLive = name.startsWith('live-');
    it(`${name} breaks no rule (as ${isLive ? 'live' : 'VOD'})`, () => {
      assert.deepEqual(checkMediaPlaylist(golden(name), { live: isLive }), []);
    });
  }

  it('live-window.m3u8 without its first segment is reported only for §6.2.2 (3 segments lasting 5.996735 s, target 2)', () => {
    const lines = golden('live-window.m3u8').split('\n');
    const first = lines.findIndex((l) => l.startsWith('#EXT-X-PROGRAM-DATE-TIME'));
    lines.splice(first, 3);
    const v = checkMediaPlaylist(lines.join('\n'), { live: true });
    assert.deepEqual(
      v.map((x) => x.rule),
      ['live-too-short'],
    );
    assert.match(v[0].message, /5\.996735 s, less than 3 × target duration \(6 s\)/);
  });

  it('a live golden playlist read as ended (ENDLIST appended) passes too', () => {
    assert.deepEqual(brokenRules(LIVE + '#EXT-X-ENDLIST\n', { live: true, ended: true }), []);
  });

  it('the live/VOD default follows EXT-X-PLAYLIST-TYPE', () => {
    assert.deepEqual(brokenRules(VOD), []);
    assert.deepEqual(brokenRules(LIVE), []);
  });
});

describe('checkMediaPlaylist on broken playlists', () => {
  const cases: { name: string; text: string; rule: PlaylistRule; live?: boolean }[] = [
    { name: '§4.1: #EXTM3U not first', text: '\n' + LIVE, rule: 'extm3u-first' },
    { name: '§4.1: #EXTM3U missing', text: edit(LIVE, '#EXTM3U\n', ''), rule: 'extm3u-first' },
    {
      name: '§4.4.1.2: EXT-X-VERSION missing',
      text: edit(LIVE, '#EXT-X-VERSION:3\n', ''),
      rule: 'version',
    },
    {
      name: '§4.4.1.2: EXT-X-VERSION not an integer',
      text: edit(LIVE, '#EXT-X-VERSION:3', '#EXT-X-VERSION:3.0'),
      rule: 'version',
    },
    {
      name: '§4.4.4.1: decimal EXTINF under EXT-X-VERSION 2',
      text: edit(LIVE, '#EXT-X-VERSION:3', '#EXT-X-VERSION:2'),
      rule: 'version-too-low',
    },
    {
      name: '§4.4.3.1: EXT-X-TARGETDURATION missing',
      text: edit(LIVE, '#EXT-X-TARGETDURATION:2\n', ''),
      rule: 'target-duration',
    },
    {
      name: '§4.4.3.1: EXT-X-TARGETDURATION not an integer',
      text: edit(LIVE, '#EXT-X-TARGETDURATION:2', '#EXT-X-TARGETDURATION:2.5'),
      rule: 'target-duration',
    },
    {
      name: '§4.4.3.1: EXT-X-TARGETDURATION twice',
      text: edit(
        LIVE,
        '#EXT-X-TARGETDURATION:2\n',
        '#EXT-X-TARGETDURATION:2\n#EXT-X-TARGETDURATION:2\n',
      ),
      rule: 'target-duration',
    },
    {
      name: '§4.4.3.1: an EXTINF that rounds above the target (2.5 → 3 > 2)',
      text: edit(LIVE, '#EXTINF:2.011429,', '#EXTINF:2.5,'),
      rule: 'extinf-over-target',
    },
    {
      name: '§4.4.4.1: EXTINF without its comma',
      text: edit(LIVE, '#EXTINF:2.011429,', '#EXTINF:2.011429'),
      rule: 'extinf-syntax',
    },
    {
      name: '§4.4.4.1: EXTINF not a number',
      text: edit(LIVE, '#EXTINF:2.011429,', '#EXTINF:two,'),
      rule: 'extinf-syntax',
    },
    {
      name: '§4.4.3.2: EXT-X-MEDIA-SEQUENCE not an integer',
      text: edit(LIVE, '#EXT-X-MEDIA-SEQUENCE:1', '#EXT-X-MEDIA-SEQUENCE:-1'),
      rule: 'media-sequence',
    },
    {
      name: '§4.4.3.2: EXT-X-MEDIA-SEQUENCE after the first segment',
      text: edit(
        edit(LIVE, '#EXT-X-MEDIA-SEQUENCE:1\n', ''),
        'live-r1-1.ts\n',
        'live-r1-1.ts\n#EXT-X-MEDIA-SEQUENCE:1\n',
      ),
      rule: 'media-sequence',
    },
    {
      name: '§4.4.3.3: EXT-X-DISCONTINUITY-SEQUENCE not an integer',
      text: edit(LIVE, '#EXT-X-DISCONTINUITY-SEQUENCE:0', '#EXT-X-DISCONTINUITY-SEQUENCE:x'),
      rule: 'discontinuity-sequence',
    },
    {
      name: '§4.4.4.1: a URI with no EXTINF',
      text: edit(LIVE, '#EXTINF:1.201633,\n', ''),
      rule: 'uri-without-extinf',
    },
    {
      name: '§4.4.4: segment tags after the last URI',
      text: LIVE + '#EXT-X-PROGRAM-DATE-TIME:2026-11-24T03:00:11.511Z\n#EXTINF:2.000000,\n',
      rule: 'dangling-segment-tags',
    },
    {
      name: '§6.2.1: the same URI twice',
      text: edit(LIVE, 'live-r1-2.ts', 'live-r1-1.ts'),
      rule: 'duplicate-uri',
    },
    {
      name: '§4.4.4.6: PROGRAM-DATE-TIME without a time zone',
      text: edit(LIVE, '2026-11-24T03:00:04.000Z', '2026-11-24T03:00:04.000'),
      rule: 'program-date-time',
    },
    {
      name: '§4.4.4.6: PROGRAM-DATE-TIME not a date',
      text: edit(LIVE, '2026-11-24T03:00:04.000Z', '2026-13-45T03:00:04.000Z'),
      rule: 'program-date-time',
    },
    {
      name: '§4.4.3.5: an unknown PLAYLIST-TYPE',
      text: edit(
        LIVE,
        '#EXT-X-DISCONTINUITY-SEQUENCE:0\n',
        '#EXT-X-DISCONTINUITY-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:LIVE\n',
      ),
      rule: 'playlist-type',
    },
    {
      name: '§6.2.2: a live playlist with EXT-X-ENDLIST before the stream ended',
      text: LIVE + '#EXT-X-ENDLIST\n',
      rule: 'live-endlist',
      live: true,
    },
    {
      name: '§6.2.1: a live playlist typed VOD',
      text: edit(
        LIVE,
        '#EXT-X-DISCONTINUITY-SEQUENCE:0\n',
        '#EXT-X-DISCONTINUITY-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n',
      ),
      rule: 'live-vod-type',
      live: true,
    },
    {
      name: '§4.4.3.5: a VOD playlist without EXT-X-ENDLIST',
      text: edit(VOD, '#EXT-X-ENDLIST\n', ''),
      rule: 'vod-without-endlist',
    },
    {
      name: '§4.4.3.4: a segment after EXT-X-ENDLIST',
      text: VOD + '#EXTINF:1.000000,\na-2.ts\n',
      rule: 'endlist-not-last',
    },
    {
      name: '§6.2.2: a live playlist of 3 segments shorter than 3 × target',
      text: edit(
        edit(
          edit(
            LIVE,
            /#EXT-X-PROGRAM-DATE-TIME:2026-11-24T03:00:05.202Z\n#EXT-X-GAP\n#EXTINF:2.000000,\nlive-r1-3-gap.ts\n/,
            '',
          ),
          /#EXT-X-PROGRAM-DATE-TIME:2026-11-24T03:00:07.202Z\n#EXT-X-GAP\n#EXTINF:2.000000,\nlive-r1-4-gap.ts\n/,
          '',
        ),
        '#EXTINF:2.011429,',
        '#EXTINF:2.000000,',
      ),
      rule: 'live-too-short',
      live: true,
    },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.rule}`, () => {
      assert.deepEqual(brokenRules(c.text, c.live === undefined ? {} : { live: c.live }), [c.rule]);
    });
  }

  it('§4.4.4.7: EXT-X-GAP before a URI without EXTINF reports both the GAP and the URI', () => {
    const text = edit(
      LIVE,
      '#EXT-X-GAP\n#EXTINF:2.000000,\nlive-r1-3-gap.ts',
      '#EXT-X-GAP\nlive-r1-3-gap.ts',
    );
    assert.deepEqual(brokenRules(text).sort(), ['gap-without-extinf', 'uri-without-extinf']);
  });

  it('§4.4.4.7: an EXT-X-GAP after the last URI applies to no segment', () => {
    assert.deepEqual(brokenRules(LIVE + '#EXT-X-GAP\n').sort(), [
      'dangling-segment-tags',
      'gap-without-extinf',
    ]);
  });

  it('§6.2.2: fewer than 3 segments are not held to 3 × target; exactly 3 × target passes', () => {
    const two =
      '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\na.ts\n#EXTINF:2.0,\nb.ts\n';
    assert.deepEqual(brokenRules(two, { live: true }), []);
    assert.deepEqual(brokenRules(two + '#EXTINF:2.0,\nc.ts\n', { live: true }), []);
    assert.deepEqual(brokenRules(two + '#EXTINF:1.9,\nc.ts\n', { live: true }), ['live-too-short']);
  });

  it('§4.4.3.1: 2.499 rounds to 2 and passes a target of 2; CRLF line ends are accepted', () => {
    const text = edit(LIVE, '#EXTINF:2.011429,', '#EXTINF:2.499,').replace(/\n/g, '\r\n');
    assert.deepEqual(brokenRules(text), []);
  });

  it('every violation carries a line number and a message', () => {
    const v = checkMediaPlaylist(edit(LIVE, '#EXTINF:1.201633,\n', ''));
    assert.equal(v.length, 1);
    assert.equal(v[0].line, 10);
    assert.match(v[0].message, /live-r1-2\.ts has no EXTINF/);
  });
});
