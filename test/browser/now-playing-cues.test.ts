// test/browser/now-playing-cues.test.ts: the page's now-playing card and lock-screen title follow the ID3 cues at the playback position, not the scanner's live state (real server, simulated scanner, Chromium).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { launchChromium } from '../helpers/chromium.js';
import { makeTs, publishLive, stopProcess } from '../helpers/media.js';
import { startTestServer, tempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/** One sample of what the page shows, taken in the page every 50 ms. */
interface Sample {
  /** Date.now() in the page. */
  wall: number;
  /** The live audio element's position. */
  pos: number;
  /** Card: where its values come from ('heard', 'call', 'live'), its status line and title. */
  source: string;
  status: string;
  title: string;
  meta: string;
  /** The card's "Scanner now: …" line, '' while hidden. */
  scannerNow: string;
  /** The scanner panel's activity line (the state now). */
  panel: string;
  /** navigator.mediaSession.metadata.title. */
  lockTitle: string;
}

/** One ID3 tag as the page's metadata cues hold it: its start and its fields. */
interface SeenTag {
  start: number;
  fields: Record<string, string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('now playing follows the audio', () => {
  it('shows the cue at the playback position while the scanner has moved on to the next call', async () => {
    const dir = tempDir();
    const labels = join(dir, 'labels.json');
    const channels = Object.fromEntries(
      Array.from({ length: 250 }, (_, i) => [String(i + 1), `Unit ${i + 1}`]),
    );
    writeFileSync(labels, JSON.stringify({ channels }));
    // Plain 1 s segments: hls.js plays three target durations behind live, so what is heard
    // trails the scanner by seconds and the two states can be told apart.
    const s = await startTestServer(
      { scanner: 'sim', labels, segmentDurationSec: 1, window: 12, lowLatency: false },
      { dir },
    );
    const pub = publishLive(await makeTs('mp3-lsf', 60), s.ingestPort, {
      loop: true,
      lowLatency: true,
    });
    const browser = await launchChromium();
    try {
      const sim = s.scanner?.simulator;
      assert.ok(sim);
      sim.behaviour.activity = 0; // only the transmissions this test makes
      await waitFor(() => s.scanner?.status().connected, 'the simulated scanner');
      await waitFor(
        () => s.packager.getStatus().segmentsPublished >= 4,
        'four published segments',
        20_000,
      );

      const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()}`);
      });
      await page.goto(`${s.baseUrl}/`);
      await page.getByRole('button', { name: 'Play', exact: true }).click();
      await page.locator('#now-playing[data-source="heard"]').waitFor({ timeout: 20_000 });
      assert.equal(await page.locator('#np-heading').innerText(), 'YOU ARE HEARING');
      await page.evaluate(() => {
        // No named function in here: tsx would wrap it in a __name() helper the page lacks.
        const w = window as unknown as { samples: Sample[] };
        const byId = document.getElementById.bind(document);
        const audio = document.getElementById('audio') as HTMLAudioElement;
        const card = document.getElementById('now-playing') as HTMLElement;
        const now = document.getElementById('np-now') as HTMLElement;
        w.samples = [];
        setInterval(() => {
          w.samples.push({
            wall: Date.now(),
            pos: audio.currentTime,
            source: card.dataset.source ?? '',
            status: byId('np-status-text')?.textContent ?? '',
            title: byId('np-title')?.textContent ?? '',
            meta: byId('np-meta')?.textContent ?? '',
            scannerNow: now.hidden ? '' : (now.textContent ?? ''),
            panel: document.querySelector('.scn-activity')?.textContent ?? '',
            lockTitle: navigator.mediaSession.metadata?.title ?? '',
          });
        }, 50);
      });

      // Call A, and call B on another channel 0.6 s after A ends: the scanner is on B while the
      // listener still hears A.
      const chA = sim.snapshot().channel;
      sim.program(chA, { frequencyMHz: 154.415 });
      sim.transmit(2000);
      await waitFor(() => sim.snapshot().squelchOpen === false, 'call A to end', 5000, 20);
      await sleep(600);
      const chB = await waitFor(
        () => {
          const ch = sim.snapshot().channel;
          return ch !== chA ? ch : null;
        },
        'the scan to move to another channel',
        5000,
        20,
      );
      sim.program(chB, { frequencyMHz: 155.1225 });
      sim.transmit(2000);
      const labelA = `Unit ${chA}`;
      const labelB = `Unit ${chB}`;

      const samples = await waitFor(
        async () => {
          const all = await page.evaluate(
            () => (window as unknown as { samples: Sample[] }).samples,
          );
          const heardB = all.findIndex((x) => x.title === labelB && x.status === 'On air');
          // Until B has been heard and has ended in what is heard.
          return heardB >= 0 && all.slice(heardB).some((x) => x.status === 'Quiet') ? all : null;
        },
        'the card to show call B and its end',
        30_000,
        250,
      );

      // The moment the scanner's panel is on call B, the card still shows call A (or the quiet
      // between), and says what the scanner is on now.
      const panelB = samples.findIndex(
        (x) => x.panel.includes('Receiving') && x.panel.includes(`(${labelB})`),
      );
      assert.ok(panelB >= 0, 'the panel showed call B');
      const atPanelB = samples[panelB];
      assert.ok(atPanelB);
      assert.equal(atPanelB.source, 'heard');
      assert.notEqual(atPanelB.title, labelB, 'the card must not run ahead of the audio');
      assert.match(atPanelB.scannerNow, new RegExp(`^Scanner now: on air, ${labelB} · `));
      assert.notEqual(atPanelB.lockTitle, labelB, 'the lock screen must not run ahead either');
      // Call A was heard as such, with the values the simulator had.
      const heardA = samples.find((x) => x.title === labelA && x.status === 'On air');
      assert.ok(heardA, `the card showed ${labelA} on air`);
      assert.match(heardA.meta, new RegExp(`^154\\.4150 MHz · Channel ${chA}(?: / bank \\d+)?$`));

      // The card turns to B when the audio reaches B's cue, seconds after the panel did.
      const tags = await page.evaluate(() => {
        const out: SeenTag[] = [];
        const audio = document.getElementById('audio') as HTMLAudioElement;
        for (const t of Array.from(audio.textTracks)) {
          if (t.kind !== 'metadata') continue;
          for (const c of Array.from(t.cues ?? [])) {
            const v = (c as unknown as { value?: { key: string; info?: string; data: unknown } })
              .value;
            if (!v || (v.key !== 'TXXX' && v.key !== 'TIT2')) continue;
            let tag = out.at(-1);
            if (!tag || tag.start !== c.startTime) {
              tag = { start: c.startTime, fields: {} };
              out.push(tag);
            }
            tag.fields[v.key === 'TXXX' ? (v.info ?? '') : v.key] = String(v.data);
          }
        }
        return out;
      });
      const tagB = tags.find((t) => t.fields.squelch === 'open' && t.fields.TIT2 === labelB);
      assert.ok(tagB, `a cue names ${labelB}`);
      assert.equal(tagB.fields.frequency, '155.1225');
      assert.equal(tagB.fields.channel, String(chB));
      assert.equal(tagB.fields.label, labelB);
      const cardB = samples.findIndex((x) => x.title === labelB && x.status === 'On air');
      const atCardB = samples[cardB];
      const beforeCardB = samples[cardB - 1];
      assert.ok(atCardB && beforeCardB);
      assert.ok(
        atCardB.pos >= tagB.start - 0.05,
        `the card showed B at ${atCardB.pos.toFixed(3)} s, before its cue at ${tagB.start.toFixed(3)} s`,
      );
      assert.ok(
        beforeCardB.pos < tagB.start + 0.3,
        `the card showed B only at ${atCardB.pos.toFixed(3)} s, its cue is at ${tagB.start.toFixed(3)} s`,
      );
      const lag = atCardB.wall - atPanelB.wall;
      assert.ok(lag >= 1000, `the card followed the audio, ${lag} ms after the panel`);
      assert.match(atCardB.meta, new RegExp(`^155\\.1225 MHz · Channel ${chB}(?: / bank \\d+)?$`));
      // The lock screen follows what is heard, too.
      const lockB = samples.findIndex((x) => x.lockTitle === labelB);
      assert.ok(lockB >= cardB - 1, 'the lock-screen title changed with the card');
      // Once the scanner and the audio agree again, the "Scanner now" line goes away.
      const last = samples.at(-1);
      assert.ok(last);
      if (last.panel.includes('closed') && last.status === 'Quiet')
        assert.equal(last.scannerNow, '');
      assert.deepEqual(errors, []);
      await context.close();
    } finally {
      await browser.close();
      await stopProcess(pub);
      await s.close();
    }
  });
});
