// test/integration/call-upload-aac.test.ts: --call-upload with AAC input and two targets at once: each call reaches OpenMHz and rdio-scanner as an .m4a (audio/mp4) that ffprobe reads as AAC lasting the call to within one frame.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CallJson } from '../../src/calls/call-format.js';
import {
  ffmpegDecodeErrors,
  ffprobeJson,
  type publishLive,
  stopProcess,
} from '../helpers/media.js';
import { OpenMhzReceiver } from '../helpers/openmhz-receiver.js';
import { RdioReceiver } from '../helpers/rdio-receiver.js';
import { tempDir, type TestServer } from '../helpers/server.js';
import { startSimFeed } from '../helpers/sim-feed.js';
import { waitFor } from '../helpers/wait.js';

/** One AAC frame at 48 kHz (makeTs('aac')). */
const FRAME_SEC = 1024 / 48000;

let dir = '';
let s: TestServer;
let pub: ReturnType<typeof publishLive>;
const omz = new OpenMhzReceiver(new Map([['metro', 'K1']]));
const rdio = new RdioReceiver('K2', 7);
let call: CallJson | undefined;

async function probe(
  bytes: Buffer,
  name: string,
): Promise<{ codec: string; sec: number; file: string }> {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  const j = (await ffprobeJson(file, ['-show_entries', 'format=duration:stream=codec_name'])) as {
    format: { duration: string };
    streams: { codec_name: string }[];
  };
  return { codec: j.streams[0]?.codec_name ?? '', sec: Number(j.format.duration), file };
}

void before(async () => {
  await omz.start();
  await rdio.start();
  dir = tempDir('call-upload-aac-');
  const feed = await startSimFeed(
    {
      scanner: 'sim',
      segmentDurationSec: 1,
      window: 6,
      callUpload: [
        `openmhz:${omz.url}?key=K1&system=metro`,
        `rdio-scanner:${rdio.url}?key=K2&system=7`,
      ],
    },
    { dir },
    { codec: 'aac', seconds: 40 },
  );
  s = feed.s;
  pub = feed.pub;
  const sim = feed.sim;
  sim.transmit(2700, '880');
  await waitFor(
    async () => {
      const r = await fetch(`${s.baseUrl}/api/calls`);
      call = ((await r.json()) as { calls: CallJson[] }).calls[0];
      return call !== undefined && !call.open;
    },
    'the call closed',
    20_000,
  );
  await waitFor(() => omz.calls.length === 1 && rdio.calls.length === 1, 'both uploads', 20_000);
});

void after(async () => {
  await stopProcess(pub);
  await s.close();
  await omz.stop();
  await rdio.stop();
});

describe('--call-upload with AAC input', () => {
  it('sends OpenMHz an .m4a of the call', async () => {
    const got = omz.calls[0];
    assert.ok(got && call);
    assert.match(got.filename, /\.m4a$/);
    assert.equal(got.talkgroupNum, 880);
    const p = await probe(got.audio, 'omz.m4a');
    assert.equal(p.codec, 'aac');
    assert.ok(
      Math.abs(p.sec - (call.call_length ?? 0)) <= FRAME_SEC,
      `${p.sec} vs ${call.call_length}`,
    );
    assert.equal(await ffmpegDecodeErrors(p.file), '');
  });

  it('sends rdio-scanner the same .m4a as audio/mp4', async () => {
    const got = rdio.calls[0];
    assert.ok(got && call);
    assert.equal(got.audioType, 'audio/mp4');
    assert.match(got.audioName, /\.m4a$/);
    assert.equal(got.system, 7);
    assert.equal(got.talkgroup, 880);
    assert.ok(got.audio.equals(omz.calls[0]?.audio ?? Buffer.alloc(0)));
    const p = await probe(got.audio, 'rdio.m4a');
    assert.ok(Math.abs(p.sec - (call.call_length ?? 0)) <= FRAME_SEC);
  });
});
