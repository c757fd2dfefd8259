// test/browser/page.test.ts: the listening page in Chromium with ffmpeg publishing live: playback, encoder reconnect, offline, cross-origin ?src=, screenshots.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { makeTs, publishLive, stopProcess } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const ARTIFACTS = new URL('../../artifacts/', import.meta.url);
const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 800 };

/** A page with every console error, uncaught exception and failed HTTP response recorded. */
interface Watched {
  page: Page;
  errors: string[];
}

async function openPage(browser: Browser, url: string, viewport = PHONE): Promise<Watched> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  // Cumulative layout shift, recorded from the first paint (runs before the page's own scripts).
  await page.addInitScript(() => {
    const w = window as unknown as { layoutShift: number };
    w.layoutShift = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as {
        value: number;
        hadRecentInput: boolean;
      }[]) {
        if (!e.hadRecentInput) w.layoutShift += e.value;
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
  await page.goto(url);
  return { page, errors };
}

interface AudioState {
  currentTime: number;
  paused: boolean;
  readyState: number;
}

function audioState(page: Page): Promise<AudioState> {
  return page.evaluate(() => {
    const a = document.querySelector('audio');
    if (!a) throw new Error('no audio element');
    return { currentTime: a.currentTime, paused: a.paused, readyState: a.readyState };
  });
}

/** Waits until the audio element plays and its clock moves at least `seconds` past `from`. */
async function playsPast(
  page: Page,
  from: number,
  seconds: number,
  label: string,
): Promise<AudioState> {
  return waitFor(
    async () => {
      const s = await audioState(page);
      return !s.paused && s.currentTime > from + seconds ? s : null;
    },
    label,
    30_000,
    200,
  );
}

function text(page: Page, selector: string): Promise<string> {
  return page.locator(selector).innerText();
}

describe('listening page in Chromium', () => {
  let browser: Browser;
  let server: TestServer;
  let other: TestServer | undefined;
  let file: string;
  const publishers: ChildProcess[] = [];
  const pages: Page[] = [];

  function publish(target: TestServer): ChildProcess {
    const p = publishLive(file, target.ingestPort, { loop: true });
    publishers.push(p);
    return p;
  }

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    file = await makeTs('mp3', 10);
    server = await startTestServer({ segmentDurationSec: 1, window: 6 });
    browser = await launchChromium();
    publish(server);
    await waitFor(
      () => server.packager.getStatus().segmentsPublished >= 3,
      'three published segments',
      20_000,
    );
  });

  after(async () => {
    for (const p of pages) await p.context().close();
    await browser?.close();
    for (const p of publishers) await stopProcess(p);
    await other?.close();
    await server?.close();
  });

  let main: Watched;

  test('plays live audio with status, delay and no layout shift; screenshots', async () => {
    main = await openPage(browser, `${server.baseUrl}/`);
    const { page } = main;
    pages.push(page);
    await page.locator('#ingest[data-state="live"]').waitFor();
    assert.equal(await text(page, '#ingest'), 'Live');
    assert.equal(await text(page, '#d-codec'), 'MP3');
    assert.match(await text(page, '#message'), /Press play/);

    await page.getByRole('button', { name: 'Play' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    await playsPast(page, 0, 2, 'audio to play 2 s');
    await page.getByRole('status').filter({ hasText: 'Playing live.' }).waitFor();
    await waitFor(
      async () => /^\d+(\.\d)? s behind live$/.test(await text(page, '#behind')),
      'the delay behind live',
      10_000,
    );
    const mediaTitle = await page.evaluate(() => navigator.mediaSession.metadata?.title ?? null);
    assert.equal(mediaTitle, 'live');

    // The scanner panel's hook takes over the lock-screen title.
    await page.evaluate(() =>
      window.dispatchEvent(
        new CustomEvent('scanner-hls:now-playing', {
          detail: { title: 'Fire Dispatch', artist: '154.4300 MHz' },
        }),
      ),
    );
    const meta = await page.evaluate(() => {
      const m = navigator.mediaSession.metadata;
      return m ? [m.title, m.artist] : null;
    });
    assert.deepEqual(meta, ['Fire Dispatch', '154.4300 MHz']);

    const shift = await page.evaluate(
      () => (window as unknown as { layoutShift: number }).layoutShift,
    );
    assert.ok(shift < 0.01, `cumulative layout shift ${shift}`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= PHONE.width, `no sideways scrolling at 375 px (page is ${width} px wide)`);
    await page.screenshot({ path: new URL('page-phone.png', ARTIFACTS).pathname, fullPage: true });

    const desk = await openPage(browser, `${server.baseUrl}/`, DESKTOP);
    pages.push(desk.page);
    await desk.page.getByRole('button', { name: 'Play' }).click();
    await playsPast(desk.page, 0, 1, 'desktop audio to play');
    await desk.page.getByRole('status').filter({ hasText: 'Playing live.' }).waitFor();
    await waitFor(
      async () => (await text(desk.page, '#behind')).endsWith('behind live'),
      'the desktop delay',
      10_000,
    );
    await desk.page.screenshot({ path: new URL('page-desktop.png', ARTIFACTS).pathname });
    const deskShift = await desk.page.evaluate(
      () => (window as unknown as { layoutShift: number }).layoutShift,
    );
    assert.ok(deskShift < 0.01, `desktop cumulative layout shift ${deskShift}`);
    await desk.page.context().close();
    assert.deepEqual(desk.errors, []);
    assert.deepEqual(main.errors, []);
  });

  test('keyboard: space pauses and resumes at live; jump to live', async () => {
    const { page } = main;
    await page.locator('body').focus();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Play' }).waitFor();
    await waitFor(async () => (await audioState(page)).paused, 'paused by the keyboard', 5000);
    assert.match(await text(page, '#message'), /Paused/);
    const before = (await audioState(page)).currentTime;
    await page.getByRole('button', { name: 'Play' }).focus();
    await page.keyboard.press('Enter');
    await playsPast(page, before, 1, 'playing again after Enter');
    await page.getByRole('button', { name: 'Jump to live' }).click();
    await playsPast(page, (await audioState(page)).currentTime, 1, 'playing after jump to live');
    assert.deepEqual(main.errors, []);
  });

  test('shows offline when the encoder stops and plays on after it reconnects', async () => {
    const { page } = main;
    const first = publishers[0];
    assert.ok(first);
    await stopProcess(first);
    await page.locator('#ingest[data-state="offline"]').waitFor({ timeout: 10_000 });
    assert.equal(await text(page, '#ingest'), 'Offline');
    // Let the buffer run dry, so that any later progress can only come from the new encoder.
    await page.getByRole('status').filter({ hasText: 'offline' }).waitFor({ timeout: 15_000 });
    const dry = await audioState(page);
    assert.ok(
      dry.readyState < 3,
      `starved after the encoder stopped (readyState ${dry.readyState})`,
    );

    const segmentsBefore = server.packager.getStatus().segmentsPublished;
    publish(server);
    await page.locator('#ingest[data-state="live"]').waitFor({ timeout: 10_000 });
    await playsPast(page, dry.currentTime, 3, 'playback to continue with the new encoder');
    assert.ok(server.packager.getStatus().segmentsPublished > segmentsBefore);
    const playlist = await (await fetch(`${server.baseUrl}/hls/live.m3u8`)).text();
    assert.match(playlist, /#EXT-X-DISCONTINUITY\n/, 'the reconnect is marked in the playlist');
    await page.getByRole('status').filter({ hasText: 'Playing live.' }).waitFor();
    assert.deepEqual(main.errors, []);
  });

  test('plays a playlist from another origin (?src=), and starts by itself when a feed comes up', async () => {
    other = await startTestServer({
      segmentDurationSec: 1,
      window: 6,
      allowedSources: [server.baseUrl],
    });
    const src = `${server.baseUrl}/hls/live.m3u8`;
    const cross = await openPage(browser, `${other.baseUrl}/?src=${encodeURIComponent(src)}`);
    pages.push(cross.page);
    await cross.page.getByRole('button', { name: 'Play' }).click();
    await playsPast(cross.page, 0, 2, 'cross-origin playback');
    await cross.page.context().close();
    assert.deepEqual(cross.errors, []);

    // The other server has never had a publisher: the page waits quietly, then plays unattended.
    const idle = await openPage(browser, `${other.baseUrl}/`);
    pages.push(idle.page);
    await idle.page.locator('#ingest[data-state="offline"]').waitFor();
    await idle.page.getByRole('button', { name: 'Play' }).click();
    await idle.page.getByRole('status').filter({ hasText: 'offline' }).waitFor();
    publish(other);
    await playsPast(idle.page, 0, 2, 'playback once the feed comes up');
    await idle.page.getByRole('status').filter({ hasText: 'Playing live.' }).waitFor();
    await idle.page.context().close();
    assert.deepEqual(idle.errors, [], 'no 404 for the playlist while nothing was published');
  });
});
