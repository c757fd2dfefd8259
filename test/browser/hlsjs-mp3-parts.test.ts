// test/browser/hlsjs-mp3-parts.test.ts: hls.js in lowLatencyMode plays the server's LL-HLS MP3-in-TS parts in Chromium with the patched hls.js we serve, and the unpatched 1.7.4 fails the same check (docs/hlsjs-mp3-parts.md).
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type Hls from 'hls.js';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { makeTs, publishLive, stopProcess } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { hunksFor, unapply } from '../helpers/unified-diff.js';
import { waitFor } from '../helpers/wait.js';

const PATCH = new URL('../../patches/hls.js+1.7.4.patch', import.meta.url).pathname;
const MIN_JS = 'node_modules/hls.js/dist/hls.min.js';

/** How long the page plays once the audio clock moves, and how far that clock must get. */
const PLAY_MS = 15_000;
const MIN_ADVANCE_SEC = 10;
/** Largest gap allowed between two buffered ranges (a few MP3 frames of rounding, not a lost part). */
const MAX_HOLE_SEC = 0.1;
/** Fewest part requests in PLAY_MS: with ~0.2 s parts hls.js makes about five a second. */
const MIN_PART_REQUESTS = 20;

/** What one playback run saw. */
interface Run {
  advancedSec: number;
  fatal: string[];
  nonFatal: string[];
  partRequests: number;
  segmentRequests: number;
  playlistRequests: number;
  maxHoleSec: number;
  /** The buffered ranges when the largest hole was seen. */
  worstRanges: string;
  /** hls.js debug lines "Updating audio SourceBuffer timestampOffset to …". */
  offsetUpdates: string[];
  /** hls.latency at the end (seconds behind the live edge). */
  latencySec: number;
}

/** State the test keeps in the page. */
interface PageState {
  errors: { details: string; fatal: boolean }[];
  offsetLog: string[];
  hls: Hls;
}

/** The ways a run falls short of smooth LL playback; empty when it played cleanly. */
function problems(r: Run): string[] {
  const out: string[] = [];
  if (r.advancedSec < MIN_ADVANCE_SEC) {
    out.push(`the audio clock advanced ${r.advancedSec.toFixed(2)} s (< ${MIN_ADVANCE_SEC} s)`);
  }
  if (r.fatal.length) out.push(`fatal hls.js errors: ${r.fatal.join(', ')}`);
  if (r.partRequests < MIN_PART_REQUESTS) {
    out.push(`${r.partRequests} part requests (< ${MIN_PART_REQUESTS})`);
  }
  if (r.maxHoleSec > MAX_HOLE_SEC) {
    out.push(`a ${r.maxHoleSec.toFixed(3)} s hole in the buffer: ${r.worstRanges}`);
  }
  return out;
}

/**
 * timestampOffset values hls.js set for the audio SourceBuffer three times or more, with their
 * segments: the bug's mark. A correct placement is a part or segment start, each a different value;
 * the bug sets the one initPTS offset again for every part after the first of a segment.
 */
function repeatedOffsets(r: Run): string[] {
  const snsByValue = new Map<string, string[]>();
  for (const line of r.offsetUpdates) {
    const m = /Updating audio SourceBuffer timestampOffset to (\S+) \(sn: (\d+)/.exec(line);
    if (!m?.[1] || !m[2]) continue;
    snsByValue.set(m[1], [...(snsByValue.get(m[1]) ?? []), m[2]]);
  }
  return [...snsByValue]
    .filter(([, sns]) => sns.length >= 3)
    .map(([value, sns]) => `${value} ×${sns.length} (sn ${[...new Set(sns)].join(', ')})`);
}

/** One line on what a run did, for the test log. */
function summary(r: Run): string {
  return (
    `clock +${r.advancedSec.toFixed(2)} s, requests playlist/part/segment ` +
    `${r.playlistRequests}/${r.partRequests}/${r.segmentRequests}, largest hole ` +
    `${r.maxHoleSec.toFixed(3)} s, latency ${r.latencySec.toFixed(2)} s, errors ` +
    `${[...r.fatal.map((d) => `${d} (fatal)`), ...r.nonFatal].join(', ') || 'none'}`
  );
}

/** "[a-b][c-d]" for TimeRanges given as [start, end] pairs. */
function rangesText(ranges: [number, number][]): string {
  return ranges.map(([s, e]) => `[${s.toFixed(3)}-${e.toFixed(3)}]`).join('');
}

/** URIs of the EXT-X-PART and EXT-X-PRELOAD-HINT tags of a playlist, resolved against its URL. */
function partUris(playlist: string, base: string): string[] {
  const out: string[] = [];
  for (const line of playlist.split('\n')) {
    if (!line.startsWith('#EXT-X-PART:') && !line.startsWith('#EXT-X-PRELOAD-HINT:')) continue;
    const m = /URI="([^"]+)"/.exec(line);
    if (m?.[1]) out.push(new URL(m[1], base).href);
  }
  return out;
}

/**
 * Opens the listening page (so /vendor/hls.min.js comes from the server, or from `hlsJs` when given),
 * plays the live playlist with a fresh hls.js in lowLatencyMode on a muted <audio>, and watches it
 * for PLAY_MS after the audio clock first moves (or until a fatal error).
 */
async function playLowLatency(
  browser: Browser,
  server: TestServer,
  hlsJs: string | null,
): Promise<Run> {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    if (hlsJs !== null) {
      await page.route(`${server.baseUrl}/vendor/hls.min.js`, (route) =>
        route.fulfill({ status: 200, contentType: 'text/javascript', body: hlsJs }),
      );
    }
    const requests: string[] = [];
    const playlists: Promise<string[]>[] = [];
    page.on('request', (req) => requests.push(req.url()));
    page.on('response', (res) => {
      const url = res.url();
      if (new URL(url).pathname.endsWith('.m3u8') && res.status() === 200) {
        playlists.push(
          res.text().then(
            (body) => partUris(body, url),
            () => [],
          ),
        );
      }
    });
    await page.goto(`${server.baseUrl}/`);
    await page.waitForFunction(() => 'Hls' in window);
    const version = await page.evaluate(
      () => (window as unknown as { Hls: typeof Hls }).Hls.version,
    );
    assert.equal(version, '1.7.4');

    await page.evaluate((src) => {
      const w = window as unknown as { Hls: typeof Hls; llTest: PageState };
      const audio = document.createElement('audio');
      audio.id = 'll-test';
      audio.muted = true;
      document.body.append(audio);
      const offsetLog: string[] = [];
      // No function in here may sit where it gets a name (a const, a property): tsx would wrap it
      // in a __name() helper that the page does not have. Array elements get none.
      const [log, noop] = [
        (...args: unknown[]) => {
          const line = args.map(String).join(' ');
          if (line.includes('SourceBuffer timestampOffset')) offsetLog.push(line);
        },
        () => {},
      ];
      const logger = { log, info: noop, debug: noop, warn: noop, error: noop, trace: noop };
      const hls = new w.Hls({ lowLatencyMode: true, debug: logger });
      const errors: { details: string; fatal: boolean }[] = [];
      hls.on(w.Hls.Events.ERROR, (_e, d) => errors.push({ details: d.details, fatal: d.fatal }));
      hls.on(w.Hls.Events.MANIFEST_PARSED, () => {
        void audio.play().catch(() => {});
      });
      hls.attachMedia(audio);
      hls.loadSource(src);
      w.llTest = { errors, offsetLog, hls };
    }, `${server.baseUrl}/hls/live.m3u8`);

    const sample = () =>
      page.evaluate(() => {
        const w = window as unknown as { llTest: PageState };
        const a = document.getElementById('ll-test') as HTMLAudioElement;
        const ranges: [number, number][] = [];
        for (let i = 0; i < a.buffered.length; i++) {
          ranges.push([a.buffered.start(i), a.buffered.end(i)]);
        }
        return {
          currentTime: a.currentTime,
          ranges,
          errors: w.llTest.errors,
          offsetLog: w.llTest.offsetLog,
          latency: w.llTest.hls.latency,
        };
      });

    const first = await waitFor(
      async () => {
        const s = await sample();
        if (s.errors.some((e) => e.fatal)) return s;
        return s.currentTime > 0 ? s : null;
      },
      'the audio clock to move',
      30_000,
      100,
    );
    const started = Date.now();
    let last = first;
    let maxHoleSec = 0;
    let worstRanges = rangesText(first.ranges);
    while (Date.now() - started < PLAY_MS && !last.errors.some((e) => e.fatal)) {
      await new Promise((r) => setTimeout(r, 250));
      last = await sample();
      for (let i = 1; i < last.ranges.length; i++) {
        const hole = (last.ranges[i]?.[0] ?? 0) - (last.ranges[i - 1]?.[1] ?? 0);
        if (hole > maxHoleSec) {
          maxHoleSec = hole;
          worstRanges = rangesText(last.ranges);
        }
      }
    }
    await page.evaluate(() => (window as unknown as { llTest: PageState }).llTest.hls.destroy());

    const parts = new Set((await Promise.all(playlists)).flat());
    const partRequests = requests.filter((u) => parts.has(u)).length;
    const media = requests.filter((u) => new URL(u).pathname.endsWith('.ts'));
    return {
      advancedSec: last.currentTime - first.currentTime,
      fatal: last.errors.filter((e) => e.fatal).map((e) => e.details),
      nonFatal: last.errors.filter((e) => !e.fatal).map((e) => e.details),
      partRequests,
      segmentRequests: media.length - partRequests,
      playlistRequests: requests.filter((u) => new URL(u).pathname.endsWith('.m3u8')).length,
      maxHoleSec,
      worstRanges,
      offsetUpdates: last.offsetLog,
      latencySec: last.latency,
    };
  } finally {
    await context.close();
  }
}

describe('hls.js lowLatencyMode with MP3-in-TS parts (patches/hls.js+1.7.4.patch)', () => {
  let browser: Browser;
  let server: TestServer;
  let publisher: ChildProcess | undefined;
  let served: string;

  before(async () => {
    server = await startTestServer({ segmentDurationSec: 1, window: 12, lowLatency: true });
    publisher = publishLive(await makeTs('mp3', 30), server.ingestPort, { loop: true });
    browser = await launchChromium();
    // The stream is LL: the playlist lists parts.
    await waitFor(
      async () => {
        const res = await fetch(`${server.baseUrl}/hls/live.m3u8`);
        const body = res.status === 200 ? await res.text() : '';
        return body.includes('#EXT-X-PART-INF:') && (body.match(/#EXT-X-PART:/g) ?? []).length >= 5;
      },
      'a live playlist with parts',
      20_000,
      200,
    );
    served = await (await fetch(`${server.baseUrl}/vendor/hls.min.js`)).text();
  });

  after(async () => {
    await browser?.close();
    if (publisher) await stopProcess(publisher);
    await server?.close();
  });

  test('the served hls.min.js is 1.7.4 with the patch applied', () => {
    const hunks = hunksFor(readFileSync(PATCH, 'utf8'), MIN_JS);
    // unapply() finds every hunk's patched side in the served file, or throws.
    assert.doesNotThrow(
      () => unapply(served, hunks),
      'the page serves hls.min.js without the patch: run `npx patch-package` (npm ci does)',
    );
    assert.match(served, /isMpegAudio/);
  });

  test('the patched hls.js plays the parts: clock +10 s, no fatal error, parts loaded, no hole', async () => {
    const run = await playLowLatency(browser, server, null);
    assert.deepEqual(problems(run), [], JSON.stringify(run, null, 1));
    // The raw MPEG audio buffer is placed at part or segment starts only.
    assert.ok(run.offsetUpdates.length > 0, 'no timestampOffset lines in the hls.js debug log');
    assert.deepEqual(repeatedOffsets(run), [], run.offsetUpdates.join('\n'));
    console.log(`patched 1.7.4: ${summary(run)}`);
  });

  test('the unpatched 1.7.4 fails the same check', async () => {
    const unpatched = unapply(served, hunksFor(readFileSync(PATCH, 'utf8'), MIN_JS));
    assert.doesNotMatch(unpatched, /isMpegAudio/);
    const run = await playLowLatency(browser, server, unpatched);
    const found = problems(run);
    assert.ok(found.length > 0, `unpatched hls.js played cleanly: ${JSON.stringify(run)}`);
    // ...for the reason in the report: parts 2…n of a segment go back to the initPTS offset.
    const repeated = repeatedOffsets(run);
    assert.ok(repeated.length > 0, `no repeated timestampOffset: ${JSON.stringify(run)}`);
    console.log(
      `unpatched 1.7.4: ${summary(run)}; ${found.join('; ')}; offsets ${repeated.join(', ')}`,
    );
  });
});
