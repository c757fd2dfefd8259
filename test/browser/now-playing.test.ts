// test/browser/now-playing.test.ts: the scanner's activity takes over the lock-screen title (Media Session) on the real page.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { launchChromium } from '../helpers/chromium.js';
import { startTestServer, tempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

describe('lock-screen title', () => {
  it('names the channel the simulated scanner is receiving, by its label', async () => {
    const dir = tempDir();
    const labels = join(dir, 'labels.json');
    const channels = Object.fromEntries(
      Array.from({ length: 250 }, (_, i) => [String(i + 1), `Unit ${i + 1}`]),
    );
    writeFileSync(labels, JSON.stringify({ channels }));
    const s = await startTestServer({ scanner: 'sim', labels }, { dir });
    const browser = await launchChromium();
    try {
      const sim = s.scanner?.simulator;
      assert.ok(sim);
      const page = await browser.newPage();
      await page.goto(`${s.baseUrl}/`);
      const title = () => page.evaluate(() => navigator.mediaSession.metadata?.title ?? null);
      await waitFor(async () => (await title()) === 'live', 'the stream name as the first title');
      await waitFor(() => s.scanner?.status().connected, 'the simulated scanner');
      const ch = sim.snapshot().channel;
      sim.program(ch, { frequencyMHz: 154.43 });
      sim.transmit(3000);
      await waitFor(async () => (await title()) === `Unit ${ch}`, 'the label as the title', 10_000);
      const artist = await page.evaluate(() => navigator.mediaSession.metadata?.artist ?? '');
      assert.equal(artist, `Channel ${ch} · 154.4300 MHz`);
    } finally {
      await browser.close();
      await s.close();
    }
  });
});
