// test/browser/loop-and-gap.test.ts: hls.js in Chromium plays a looped file past its loop point with no error event, and the page says "No signal" during an outage.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { makeTs, publishLive, stopProcess } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const ARTIFACTS = new URL('../../artifacts/', import.meta.url).pathname;

/** Records every hls.js ERROR event of the page's player (wraps the Hls constructor before app.js runs). */
async function watchHlsErrors(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { hlsErrors: string[]; Hls?: unknown };
    w.hlsErrors = [];
    let wrapped: unknown;
    Object.defineProperty(window, 'Hls', {
      configurable: true,
      get: () => wrapped,
      set(Real: {
        new (...a: unknown[]): { on(ev: string, fn: (e: unknown, d: unknown) => void): void };
        Events: { ERROR: string };
      }) {
        wrapped = new Proxy(Real, {
          construct(target, args: unknown[]) {
            const hls = new target(...args);
            hls.on(Real.Events.ERROR, (_e, d) => {
              const data = d as { details: string; fatal: boolean };
              w.hlsErrors.push(`${data.details}${data.fatal ? ' (fatal)' : ''}`);
            });
            return hls;
          },
        });
      },
    });
  });
}

const currentTime = (page: Page) =>
  page.evaluate(() => document.querySelector('audio')?.currentTime ?? 0);
const hlsErrors = (page: Page) =>
  page.evaluate(() => (window as unknown as { hlsErrors: string[] }).hlsErrors);

describe('looped file and outages in Chromium', () => {
  let browser: Browser;
  const servers: TestServer[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
  });
  after(async () => {
    await browser.close();
    for (const s of servers) await s.close();
  });

  it('hls.js plays past the loop point of file:…?loop with no error event', async () => {
    const file = await makeTs('mp3', 4);
    const s = await startTestServer({
      ingest: `file:${file}?loop`,
      segmentDurationSec: 1,
      targetDurationSec: 1,
      window: 6,
    });
    servers.push(s);
    await waitFor(() => s.packager.getStatus().segmentsPublished >= 4, 'segments');
    const page = await (await browser.newContext()).newPage();
    await watchHlsErrors(page);
    await page.goto(`${s.baseUrl}/`);
    await page.click('#play');
    const start = await waitFor(async () => {
      const t = await currentTime(page);
      return t > 0 ? t : null;
    }, 'playback starts');
    // Two loop lengths of playback: the audio clock crosses the loop point at least once.
    await waitFor(async () => (await currentTime(page)) > start + 9, 'plays 9 s', 30_000, 250);
    assert.deepEqual(await hlsErrors(page), []);
    await page.context().close();
  });

  it('the page shows "No signal" while the connected encoder sends nothing (screenshot)', async () => {
    const s = await startTestServer({ segmentDurationSec: 1, targetDurationSec: 1, window: 6 });
    servers.push(s);
    const pub = publishLive(await makeTs('mp3', 30), s.ingestPort);
    await waitFor(() => s.packager.getStatus().segmentsPublished >= 3, 'segments');
    const page = await (
      await browser.newContext({ viewport: { width: 390, height: 760 } })
    ).newPage();
    await page.goto(`${s.baseUrl}/`);
    await page.click('#play');
    await waitFor(async () => (await currentTime(page)) > 0.5, 'playing');
    // Frozen, not gone: the TCP connection stays open and nothing arrives (a dead sound card).
    pub.kill('SIGSTOP');
    await waitFor(
      async () => (await page.locator('#ingest-text').innerText()) === 'No signal',
      'the pill says No signal',
    );
    await waitFor(
      async () => /^No signal/.test(await page.locator('#message').innerText()),
      'the message says No signal',
      20_000,
    );
    await page.screenshot({ path: `${ARTIFACTS}no-signal.png` });
    pub.kill('SIGCONT');
    await stopProcess(pub);
    await page.context().close();
  });

  it('hls.js skips the GAP URIs (they are files now, for other players) and plays on after the outage', async () => {
    const s = await startTestServer({ segmentDurationSec: 1, targetDurationSec: 1, window: 20 });
    servers.push(s);
    const clip = await makeTs('mp3', 6);
    const first = publishLive(clip, s.ingestPort);
    await waitFor(() => s.packager.getStatus().segmentsPublished >= 3, 'segments');
    const page = await (await browser.newContext()).newPage();
    await watchHlsErrors(page);
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(`${s.baseUrl}/`);
    await page.click('#play');
    await waitFor(async () => (await currentTime(page)) > 0.5, 'playing');
    await new Promise<void>((r) => first.once('exit', () => r()));
    await waitFor(
      async () =>
        ((await (await fetch(`${s.baseUrl}/hls/live.m3u8`)).text()).match(/#EXT-X-GAP/g) ?? [])
          .length >= 4,
      'GAP segments listed',
    );
    const before = await currentTime(page);
    const second = publishLive(clip, s.ingestPort);
    await waitFor(
      async () => (await currentTime(page)) > before + 3,
      'plays on after the outage',
      30_000,
      250,
    );
    await stopProcess(second);
    assert.deepEqual(
      requested.filter((u) => u.endsWith('-gap.ts')),
      [],
      'hls.js loads no GAP URI',
    );
    assert.deepEqual(
      (await hlsErrors(page)).filter((e) => e.endsWith('(fatal)')),
      [],
    );
    await page.context().close();
  });
});
