// test/browser/id3-cues.test.ts: hls.js in Chromium raises the simulated scanner's states (timed ID3 in the LL-HLS parts) as metadata cues, with its values, within one audio frame of the media time each was reported.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type Hls from 'hls.js';
import type { Transmission } from '../../src/scanner/transmission-log.js';
import { transmissionKey } from '../../src/timeline/scanner-tags.js';
import { launchChromium } from '../helpers/chromium.js';
import { makeTs, publishLive, stopProcess } from '../helpers/media.js';
import { startTestServer, tempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/** One MPEG-2 LSF Layer III frame at 22.05 kHz: 576 samples. */
const FRAME_MS = (576 / 22050) * 1000;

/** One cue of the id3 metadata track, as the page reads it. */
interface SeenCue {
  start: number;
  key: string;
  info: string;
  data: string;
}

/** A fragment's media start (after hls.js parsed its PTS) and its PROGRAM-DATE-TIME. */
interface SeenFrag {
  sn: number;
  start: number;
  duration: number;
  pdt: number;
}

/** The fields of one tag: the cues that share a start time. */
type Tag = { start: number; wallMs: number; fields: Map<string, string> };

function groupTags(cues: SeenCue[], frags: SeenFrag[]): Tag[] {
  const byStart = new Map<number, Map<string, string>>();
  for (const c of cues) {
    const fields = byStart.get(c.start) ?? new Map<string, string>();
    fields.set(c.key === 'TXXX' ? c.info : c.key, c.data);
    byStart.set(c.start, fields);
  }
  const out: Tag[] = [];
  for (const [start, fields] of [...byStart].sort((a, b) => a[0] - b[0])) {
    const f = frags.find((x) => x.start <= start + 1e-6 && start < x.start + x.duration);
    if (!f) continue;
    out.push({ start, wallMs: f.pdt + (start - f.start) * 1000, fields });
  }
  return out;
}

describe('timed ID3 cues in hls.js', () => {
  it('carry each squelch open and close of the simulator, with its values, at the reported time', async () => {
    const dir = tempDir();
    const labels = join(dir, 'labels.json');
    const channels = Object.fromEntries(
      Array.from({ length: 250 }, (_, i) => [String(i + 1), `Unit ${i + 1}`]),
    );
    writeFileSync(labels, JSON.stringify({ channels }));
    const s = await startTestServer(
      { scanner: 'sim', labels, segmentDurationSec: 1, window: 12, lowLatency: true },
      { dir },
    );
    const file = await makeTs('mp3-lsf', 60);
    const pub = publishLive(file, s.ingestPort, { lowLatency: true });
    const browser = await launchChromium();
    try {
      const sim = s.scanner?.simulator;
      assert.ok(sim);
      await waitFor(() => s.scanner?.status().connected, 'the simulated scanner');
      await waitFor(() => s.packager.position(), 'the first part', 20_000);
      const page = await browser.newPage();
      await page.goto(`${s.baseUrl}/`);
      await page.waitForFunction(() => 'Hls' in window);
      await page.evaluate((src) => {
        const w = window as unknown as { Hls: typeof Hls; id3Test: { hls: Hls } };
        const audio = document.createElement('audio');
        audio.id = 'id3-test';
        audio.muted = true;
        document.body.append(audio);
        const hls = new w.Hls({ lowLatencyMode: true });
        hls.on(w.Hls.Events.MANIFEST_PARSED, () => {
          void audio.play().catch(() => {});
        });
        hls.attachMedia(audio);
        hls.loadSource(src);
        w.id3Test = { hls };
      }, `${s.baseUrl}/hls/live.m3u8`);

      const frags = new Map<number, SeenFrag>();
      const sample = async (): Promise<SeenCue[]> => {
        const r = await page.evaluate(() => {
          const w = window as unknown as { id3Test: { hls: Hls } };
          const a = document.getElementById('id3-test') as HTMLAudioElement;
          const cues: SeenCue[] = [];
          for (const t of Array.from(a.textTracks)) {
            if (t.kind !== 'metadata' || t.label !== 'id3') continue;
            for (const c of Array.from(t.cues ?? [])) {
              const v = (c as unknown as { value: { key: string; info?: string; data: unknown } })
                .value;
              cues.push({
                start: c.startTime,
                key: v.key,
                info: v.info ?? '',
                data: String(v.data),
              });
            }
          }
          const details = w.id3Test.hls.levels[0]?.details;
          const fr = (details?.fragments ?? []).map((f) => ({
            sn: Number(f.sn),
            start: f.start,
            duration: f.duration,
            pdt: f.programDateTime ?? NaN,
          }));
          return { cues, frags: fr, time: a.currentTime };
        });
        for (const f of r.frags) frags.set(f.sn, f);
        return r.cues;
      };
      await waitFor(async () => (await sample()).length > 0, 'the first id3 cue', 20_000);

      // Two transmissions of our own on labelled channels, besides the simulator's random ones.
      const ch = sim.snapshot().channel;
      sim.program(ch, { frequencyMHz: 154.415 });
      sim.transmit(1500);
      await new Promise((r) => setTimeout(r, 3000));
      sim.transmit(1200);
      await new Promise((r) => setTimeout(r, 2500));
      const ended = (): Transmission[] =>
        (s.scanner?.transmissions() ?? []).filter((t) => t.end !== null);
      // Every ended transmission since the page started must have been played out (buffered).
      const firstFrag = Math.min(...[...frags.values()].map((f) => f.pdt));
      const wanted = ended().filter((t) => Date.parse(t.start) > firstFrag + 1000);
      assert.ok(wanted.length >= 2, `transmissions to check: ${wanted.length}`);
      const lastEnd = Math.max(...wanted.map((t) => Date.parse(t.end ?? t.start)));
      const tags = await waitFor(
        async () => {
          const t = groupTags(await sample(), [...frags.values()]);
          return t.some((x) => x.wallMs > lastEnd + 500) ? t : null;
        },
        'cues past the last transmission',
        20_000,
        250,
      );

      for (const t of wanted) {
        const key = transmissionKey(t);
        const mine = tags.filter((x) => x.fields.get('call') === key);
        assert.ok(mine.length > 0, `no cue with call ${key}`);
        const open = mine[0];
        assert.equal(open.fields.get('squelch'), 'open');
        const startErr = open.wallMs - Date.parse(t.start);
        assert.ok(
          Math.abs(startErr) <= FRAME_MS,
          `${key}: squelch-open cue ${startErr.toFixed(1)} ms from the reported start`,
        );
        // The state as the transmission ended (the channel record is read after the squelch opens).
        const last = mine.at(-1);
        assert.ok(last);
        if (t.frequencyMHz !== null)
          assert.equal(last.fields.get('frequency'), t.frequencyMHz.toFixed(4));
        if (t.channel !== null) {
          assert.equal(last.fields.get('channel'), String(t.channel));
          assert.equal(last.fields.get('label'), `Unit ${t.channel}`);
          assert.equal(last.fields.get('TIT2'), `Unit ${t.channel}`);
        }
        const close = tags.find(
          (x) => x.start > last.start && x.fields.get('squelch') === 'closed',
        );
        assert.ok(close, `${key}: no squelch-closed cue after it`);
        assert.equal(close.fields.get('call'), '');
        const endErr = close.wallMs - Date.parse(t.end ?? '');
        assert.ok(
          Math.abs(endErr) <= FRAME_MS,
          `${key}: squelch-closed cue ${endErr.toFixed(1)} ms from the reported end`,
        );
      }
    } finally {
      await browser.close();
      await stopProcess(pub);
      await s.close();
    }
  });
});
