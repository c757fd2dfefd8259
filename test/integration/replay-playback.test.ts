// test/integration/replay-playback.test.ts: a call's VOD playlist plays to its end in hls.js in Chromium (an LL encoder's MP3, one frame per PES), and an AAC stream's call plays in ffmpeg and downloads as ADTS with the exact length.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import type Hls from 'hls.js';
import type { CallJson } from '../../src/calls/call-format.js';
import { parseId3Tag } from '../../src/id3/id3v2.js';
import { launchChromium } from '../helpers/chromium.js';
import { ffprobeJson, makeTs, publishLive, stopProcess } from '../helpers/media.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const run = promisify(execFile);

/** What the page saw of one playback. */
interface Played {
  duration: number;
  ended: boolean;
  currentTime: number;
  fatal: string | null;
  fragments: number;
}

/** Starts a server, publishes, has the simulator transmit once, and returns the closed call. */
async function oneCall(
  kind: 'mp3-lsf' | 'aac',
  ms: number,
): Promise<{ s: TestServer; pub: ChildProcess; call: CallJson }> {
  const s = await startTestServer({
    scanner: 'sim',
    retentionSec: 600,
    segmentDurationSec: 1,
    window: 6,
  });
  const sim = s.scanner?.simulator;
  assert.ok(sim);
  sim.behaviour.activity = 0;
  const pub = publishLive(await makeTs(kind, 40), s.ingestPort, { lowLatency: true });
  await waitFor(() => s.packager.getStatus().segmentsPublished >= 2, 'two segments', 20_000);
  sim.transmit(ms);
  const call = await waitFor(
    async () => {
      const r = (await (await fetch(`${s.baseUrl}/api/calls`)).json()) as { calls: CallJson[] };
      const c = r.calls[0];
      return c && !c.open ? c : null;
    },
    'a closed call',
    20_000,
  );
  // Its last segment is published one segment after the call ends.
  await new Promise((r) => setTimeout(r, 2500));
  return { s, pub, call };
}

describe('replaying a call', () => {
  it('hls.js in Chromium plays the call playlist to its end, as long as the call', async () => {
    const { s, pub, call } = await oneCall('mp3-lsf', 3300);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${s.baseUrl}/`);
      await page.waitForFunction(() => 'Hls' in window);
      const played = await page.evaluate(async (src): Promise<Played> => {
        const H = (window as Window & { Hls?: typeof Hls }).Hls;
        if (!H) throw new Error('no hls.js');
        const audio = document.createElement('audio');
        audio.muted = true;
        document.body.append(audio);
        const hls = new H();
        let fatal: string | null = null;
        let fragments = 0;
        hls.on(H.Events.ERROR, (_e, d) => {
          if (d.fatal) fatal = d.details;
        });
        hls.on(H.Events.FRAG_BUFFERED, () => fragments++);
        hls.on(H.Events.MANIFEST_PARSED, () => void audio.play().catch(() => undefined));
        hls.attachMedia(audio);
        hls.loadSource(src);
        await new Promise<void>((resolve) => {
          audio.addEventListener('ended', () => resolve());
          setTimeout(resolve, 15_000);
        });
        return {
          duration: audio.duration,
          ended: audio.ended,
          currentTime: audio.currentTime,
          fatal,
          fragments,
        };
      }, `${s.baseUrl}${call.m3u8}`);
      const frame = 576 / 22050;
      const length = call.call_length ?? 0;
      assert.equal(played.fatal, null);
      assert.ok(played.ended, `played to the end (${JSON.stringify(played)})`);
      assert.ok(played.fragments >= 2);
      assert.ok(
        Math.abs(played.duration - length) <= frame + 0.001,
        `hls.js duration ${played.duration} s for a ${length} s call`,
      );
    } finally {
      await browser.close();
      await stopProcess(pub);
      await s.close();
    }
  });

  it('an AAC call plays in ffmpeg and downloads as ADTS frames with the exact length', async () => {
    const { s, pub, call } = await oneCall('aac', 2600);
    try {
      assert.equal(call.audio, `/api/calls/${call.id}.aac`);
      const frame = 1024 / 48000;
      const length = call.call_length ?? 0;
      const probe = (await ffprobeJson(`${s.baseUrl}${call.m3u8}`, [
        '-show_entries',
        'format=duration:stream=codec_name',
      ])) as { format: { duration: string }; streams: { codec_name: string }[] };
      assert.equal(probe.streams[0]?.codec_name, 'aac');
      assert.ok(Math.abs(Number(probe.format.duration) - length) <= frame);
      const res = await fetch(`${s.baseUrl}${call.audio}`);
      assert.equal(res.headers.get('content-type'), 'audio/aac');
      const file = Buffer.from(await res.arrayBuffer());
      const body = file.subarray(parseId3Tag(file).size);
      // Whole ADTS frames back to back: each header's length leads to the next sync word.
      let frames = 0;
      for (let at = 0; at < body.length; frames++) {
        assert.equal(body[at], 0xff, `ADTS sync at ${at}`);
        at +=
          (((body[at + 3] ?? 0) & 3) << 11) |
          ((body[at + 4] ?? 0) << 3) |
          ((body[at + 5] ?? 0) >> 5);
      }
      assert.ok(Math.abs(frames * frame - length) <= frame, `${frames} frames for ${length} s`);
      const dir = tempDir('replay-aac-');
      const aac = join(dir, 'call.aac');
      writeFileSync(aac, file);
      const pcm = join(dir, 'call.raw');
      await run('ffmpeg', [
        '-v',
        'error',
        '-y',
        '-i',
        aac,
        '-ac',
        '1',
        '-ar',
        '48000',
        '-f',
        's16le',
        pcm,
      ]);
      const decoded = readFileSync(pcm).length / 2 / 48000;
      assert.ok(Math.abs(decoded - frames * frame) <= frame, `decoded ${decoded} s`);
      assert.equal((await fetch(`${s.baseUrl}/api/calls/${call.id}.mp3`)).status, 404);
    } finally {
      await stopProcess(pub);
      await s.close();
    }
  });
});
