// test/integration/timeline-dateranges.test.ts: the live server with the simulated scanner lists one EXT-X-DATERANGE per transmission, matching the scanner's log, in the LL playlist, both delta updates and the file on disk; and without --scanner none.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TRANSMISSION_CLASS } from '../../src/timeline/dateranges.js';
import { dateRangeId } from '../../src/timeline/scanner-tags.js';
import { attributeList, checkMediaPlaylist } from '../helpers/check-playlist.js';
import { makeTs, publishLive, stopProcess } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/** The DATERANGE tags of a playlist by ID, as attribute maps (quotes kept). */
function dateRanges(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('#EXT-X-DATERANGE:')) continue;
    const a = attributeList(line.slice('#EXT-X-DATERANGE:'.length));
    out.set((a.get('ID') ?? '').replace(/"/g, ''), a);
  }
  return out;
}

const firstPdt = (text: string): number =>
  Date.parse(/#EXT-X-PROGRAM-DATE-TIME:(\S+)/.exec(text)?.[1] ?? '');

const get = async (s: TestServer, query = ''): Promise<string> =>
  (await fetch(`${s.baseUrl}/hls/live.m3u8${query}`)).text();

describe('EXT-X-DATERANGE per transmission', () => {
  it('matches the simulated scanner’s transmissions in every playlist, keeping the spec’s rules on each reload', async () => {
    const s = await startTestServer({
      scanner: 'sim',
      segmentDurationSec: 1,
      window: 12,
      lowLatency: true,
    });
    const pub = publishLive(await makeTs('mp3-lsf', 60), s.ingestPort, { lowLatency: true });
    try {
      const sim = s.scanner?.simulator;
      assert.ok(sim);
      await waitFor(() => s.scanner?.status().connected, 'the simulated scanner');
      await waitFor(() => s.packager.position(), 'the first part', 20_000);
      await waitFor(async () => (await get(s)).includes('#EXTINF'), 'a whole segment', 20_000);
      // What every tag said for each ID across reloads: attributes never change once written.
      const said = new Map<string, Map<string, string>>();
      const seenIds = new Set<string>();
      let sawV2Skip = false;
      const deadline = Date.now() + 14_000;
      let n = 0;
      while (Date.now() < deadline) {
        if (n % 8 === 0) sim.transmit(900 + (n % 3) * 300);
        n++;
        const full = await get(s);
        const yes = await get(s, '?_HLS_skip=YES');
        const v2 = await get(s, '?_HLS_skip=v2');
        const disk = readFileSync(join(s.cfg.out, 'live.m3u8'), 'utf8');
        for (const [name, text] of [
          ['full', full],
          ['YES', yes],
          ['v2', v2],
          ['disk', disk],
        ] as const) {
          const broken = checkMediaPlaylist(text, { live: true, audio: true });
          assert.deepEqual(broken, [], `${name} playlist:\n${text}`);
          for (const [id, a] of dateRanges(text)) {
            seenIds.add(id);
            const before = said.get(id) ?? new Map<string, string>();
            for (const [k, v] of a) {
              const p = before.get(k);
              assert.ok(p === undefined || p === v, `${id} ${k}: ${p} then ${v} (${name})`);
              before.set(k, v);
            }
            said.set(id, before);
          }
        }
        assert.match(full, /CAN-SKIP-UNTIL=6,CAN-SKIP-DATERANGES=YES/);
        // §6.2.5.1: a YES update keeps every date range; a v2 update only drops old ones. (A
        // range may come or go between two requests: compare with the full ones either side.)
        const after = dateRanges(await get(s));
        const before = dateRanges(full);
        for (const id of before.keys())
          if (after.has(id)) assert.ok(dateRanges(yes).has(id), `YES update without ${id}`);
        for (const id of [...dateRanges(yes).keys(), ...dateRanges(v2).keys()])
          assert.ok(before.has(id) || after.has(id), `${id} only in a delta update`);
        if (v2.includes('#EXT-X-SKIP:')) {
          assert.match(v2, /#EXT-X-SKIP:SKIPPED-SEGMENTS=\d+,RECENTLY-REMOVED-DATERANGES="/);
          assert.match(v2, /#EXT-X-VERSION:10/);
          sawV2Skip = true;
        }
        assert.doesNotMatch(yes, /RECENTLY-REMOVED-DATERANGES/);
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.ok(sawV2Skip, 'a v2 delta update that skipped segments');

      // The final full playlist against the scanner's own log. A transmission that ends reaches
      // the playlist with its next write, so compare a log with a playlist written after it, and
      // only when the log did not change meanwhile.
      const transmissions = () => s.scanner?.transmissions() ?? [];
      let full = '';
      let log: ReturnType<typeof transmissions> = [];
      for (let tries = 0; ; tries++) {
        log = transmissions();
        await once(s.packager, 'playlist-written');
        full = await get(s);
        if (JSON.stringify(transmissions()) === JSON.stringify(log)) break;
        assert.ok(tries < 20, 'the scanner log kept changing');
      }
      const listed = dateRanges(full);
      const start = firstPdt(full);
      const inSpan = log.filter((t) => t.end === null || Date.parse(t.end) >= start);
      assert.ok(inSpan.length >= 2, `${inSpan.length} transmissions in the playlist's span`);
      assert.deepEqual(
        [...listed.keys()].sort(),
        inSpan.map((t) => dateRangeId(t)).sort(),
        'one DATERANGE per transmission in the span',
      );
      for (const t of inSpan) {
        const a = listed.get(dateRangeId(t));
        assert.ok(a);
        assert.equal(a.get('CLASS'), `"${TRANSMISSION_CLASS}"`);
        assert.equal(a.get('START-DATE'), `"${t.start}"`);
        if (t.end === null) {
          assert.equal(a.get('END-DATE'), undefined);
          assert.equal(a.get('DURATION'), undefined);
        } else {
          assert.equal(a.get('END-DATE'), `"${t.end}"`);
          assert.equal(Number(a.get('DURATION')), (Date.parse(t.end) - Date.parse(t.start)) / 1000);
        }
        if (t.frequencyMHz !== null) assert.equal(a.get('X-FREQUENCY'), t.frequencyMHz.toFixed(4));
        if (t.channel !== null) assert.equal(a.get('X-CHANNEL'), String(t.channel));
        if (t.talkgroup !== null) assert.equal(a.get('X-TALKGROUP'), `"${t.talkgroup}"`);
      }
      // A range left the playlist only once it ended before the first segment (§6.2.1).
      for (const id of seenIds) {
        if (listed.has(id)) continue;
        const t = log.find((x) => dateRangeId(x) === id);
        assert.ok(
          t?.end && Date.parse(t.end) < start,
          `${id} left while it still reached the playlist`,
        );
      }
    } finally {
      await stopProcess(pub);
      await s.close();
    }
  });

  it('is absent without --scanner, and so is CAN-SKIP-DATERANGES', async () => {
    const s = await startTestServer({ segmentDurationSec: 1, window: 12, lowLatency: true });
    const pub = publishLive(await makeTs('mp3-lsf', 20), s.ingestPort, { lowLatency: true });
    try {
      await waitFor(() => s.packager.position(), 'the first part', 20_000);
      await waitFor(async () => (await get(s)).includes('#EXTINF'), 'a whole segment', 20_000);
      for (const q of ['', '?_HLS_skip=YES', '?_HLS_skip=v2']) {
        const text = await get(s, q);
        assert.doesNotMatch(text, /DATERANGE/);
      }
    } finally {
      await stopProcess(pub);
      await s.close();
    }
  });
});
