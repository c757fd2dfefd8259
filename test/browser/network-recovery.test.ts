// test/browser/network-recovery.test.ts: the page rides out a network outage on its own (hls.js errors, retries) and plays again without a reload.
import { describe, it } from 'node:test';
import { launchChromium } from '../helpers/chromium.js';
import { makeTs, publishLive, stopProcess } from '../helpers/media.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

describe('network outage', () => {
  it('shows the trouble in words, then resumes playing by itself when the network returns', async () => {
    const s = await startTestServer({ segmentDurationSec: 1, window: 6 });
    const enc = publishLive(await makeTs('mp3', 120), s.ingestPort);
    const browser = await launchChromium();
    try {
      await waitFor(
        async () => (await fetch(`${s.baseUrl}/hls/live.m3u8`)).status === 200,
        'the live playlist',
        20_000,
      );
      const page = await browser.newPage();
      await page.goto(`${s.baseUrl}/`);
      const time = () => page.evaluate(() => document.querySelector('audio')?.currentTime ?? 0);
      const message = () =>
        page.evaluate(() => document.querySelector('#message')?.textContent ?? '');
      await page.getByRole('button', { name: 'Play' }).click();
      await waitFor(async () => (await time()) > 2, 'playback before the outage', 30_000);
      // The network to the HLS files goes away (the page and /api stay up, as on a flaky mobile link).
      let blocked = 0;
      await page.route('**/hls/**', (route) => {
        blocked++;
        return route.abort('connectionrefused');
      });
      // First "Buffering…", then, once hls.js gives up on its own retries, the page's own words.
      await waitFor(
        async () => blocked >= 3 && /reach the server/i.test(await message()),
        'the "can\'t reach the server" message',
        40_000,
      );
      await page.unroute('**/hls/**');
      const stalledAt = await time();
      await waitFor(
        async () => (await time()) > stalledAt + 3,
        'playback after the outage',
        45_000,
        250,
      );
      await waitFor(
        async () => /Playing live/.test(await message()),
        'the all-clear message',
        15_000,
      );
    } finally {
      await browser.close();
      await stopProcess(enc);
      await s.close();
    }
  });
});
