// test/integration/relay-icecast.test.ts: --relay against a real icecast2 (Debian's 2.4.4): SOURCE and PUT, ffmpeg decodes the mount, silence in input gaps keeps it up, the title in status-json.xsl, icecast2 restarting, a wrong password, "Mountpoint in use", AAC refused or transcoded.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { systemClock } from '../../src/clock.js';
import { memoryLogger } from '../../src/logger.js';
import { silentFrame } from '../../src/hls/silence.js';
import { mp3FrameFormat, splitMp3Frames } from '../../src/relay/mp3-frames.js';
import { IDLE_TITLE, Relay, type RelayOptions, type RelayStatus } from '../../src/relay/relay.js';
import { parseRelaySpec } from '../../src/relay/relay-spec.js';
import {
  makeAudioFile,
  startIcecast,
  startTestFeed,
  type TestFeed,
  type TestIcecast,
} from '../helpers/icecast.js';
import { makeTs, publishLive, stopProcess } from '../helpers/media.js';
import { freePort } from '../helpers/nginx.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const run = promisify(execFile);

/** Reads url for sec seconds with ffmpeg: its warnings and errors, and the loudest sample (dBFS). */
async function decode(
  url: string,
  sec: number,
): Promise<{ problems: string[]; maxVolumeDb: number }> {
  const { stderr } = await run(
    'ffmpeg',
    [
      ...['-hide_banner', '-nostats', '-loglevel', 'level+info', '-rw_timeout', '5000000'],
      ...['-t', String(sec), '-i', url, '-af', 'volumedetect', '-f', 'null', '-'],
    ],
    { timeout: (sec + 15) * 1000 },
  );
  const lines = stderr.split('\n');
  const problems = lines.filter((l) => /\[(warning|error|fatal)\]/.test(l));
  const max = /max_volume:\s*(-?[\d.]+|-inf) dB/.exec(stderr);
  assert.ok(max, `no volumedetect line in ffmpeg's output:\n${stderr}`);
  return { problems, maxVolumeDb: max[1] === '-inf' ? -Infinity : Number(max[1]) };
}

/** The bytes a listener of url receives in ms milliseconds. */
function listen(url: string, ms: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const req = get(url, (res) => {
      res.on('data', (d: Buffer) => parts.push(d));
      setTimeout(() => {
        req.destroy();
        resolve(Buffer.concat(parts));
      }, ms);
    });
    req.on('error', (e) => {
      if (!req.destroyed) reject(e);
    });
  });
}

interface Rig {
  ice: TestIcecast;
  feed: TestFeed;
  relay: Relay;
  log: ReturnType<typeof memoryLogger>;
}

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) {
    try {
      await c();
    } catch (e) {
      console.error('cleanup:', e);
    }
  }
});

async function rig(
  query: string,
  opts: {
    codec?: 'mp3' | 'aac';
    chunkMs?: number;
    password?: string;
    relay?: Partial<RelayOptions>;
    ice?: TestIcecast;
  } = {},
): Promise<Rig> {
  const ice = opts.ice ?? (await startIcecast());
  if (!opts.ice) cleanups.push(() => ice.stop());
  const codec = opts.codec ?? 'mp3';
  const file =
    codec === 'mp3'
      ? await makeAudioFile('mp3')
      : await makeAudioFile('aac', { sampleRate: 48000, channels: 2 });
  const feed = startTestFeed(file, codec, opts.chunkMs);
  cleanups.push(() => feed.close());
  const log = memoryLogger();
  const relay = new Relay({
    spec: parseRelaySpec(
      `icecast://source:${opts.password ?? ice.sourcePassword}@127.0.0.1:${ice.port}/feed${query}`,
    ),
    feed,
    title: feed,
    clock: systemClock,
    logger: log,
    ...opts.relay,
  });
  relay.start();
  cleanups.push(() => relay.stop());
  return { ice, feed, relay, log };
}

describe('relay to a real icecast2', { concurrency: true }, () => {
  it('SOURCE: ffmpeg decodes the mount; silence keeps it up through a 12 s gap; the title shows; it survives icecast2 restarting', async () => {
    const { ice, feed, relay } = await rig('?protocol=source&name=County%20Fire');
    feed.setTitle('Fire Dispatch 154.430');
    await waitFor(
      async () => (await ice.source('/feed'))?.title === 'Fire Dispatch 154.430',
      'the title in status-json.xsl',
    );
    const src = await ice.source('/feed');
    assert.equal(src?.server_type, 'audio/mpeg');
    assert.equal(src?.server_name, 'County Fire');
    assert.match(String(src?.audio_info), /samplerate=22050;channels=1;bitrate=16/);

    const live = await decode(`${ice.baseUrl}/feed`, 3);
    assert.deepEqual(live.problems, []);
    assert.ok(live.maxVolumeDb > -20, `the tone is heard (max ${live.maxVolumeDb} dB)`);

    // An input gap longer than Icecast's 10 s source-timeout: silent frames keep the mount.
    feed.pause();
    const listening = decode(`${ice.baseUrl}/feed`, 14);
    await new Promise((r) => setTimeout(r, 12_000));
    assert.ok(await ice.source('/feed'), 'the mount is still up after 12 s without input');
    assert.equal(relay.status().connects, 1, 'the same connection');
    assert.ok(relay.status().silenceSec > 10, `silence sent: ${relay.status().silenceSec}`);
    // Paced in real time: what was sent (audio + silence) is within a second of the wall time
    // since the connection (lead 0.5 s, gap 0.5 s, one 0.2 s chunk).
    const s = relay.status();
    const wallSec = (Date.now() - Date.parse(s.since)) / 1000;
    assert.ok(
      Math.abs(s.audioSec + s.silenceSec - wallSec) < 1,
      `sent ${s.audioSec + s.silenceSec} s in ${wallSec} s`,
    );
    feed.resume();
    const gap = await listening;
    assert.deepEqual(gap.problems, [], 'silence and the return of input decode cleanly');

    feed.setTitle('Sheriff 155.610');
    await waitFor(
      async () => (await ice.source('/feed'))?.title === 'Sheriff 155.610',
      'the new title',
    );

    await ice.restart();
    await waitFor(
      () => relay.status().connects === 2,
      'the relay to reconnect after icecast2 restarted',
      20_000,
    );
    await waitFor(
      async () => (await ice.source('/feed'))?.title === 'Sheriff 155.610',
      'the title set again',
    );
    const again = await decode(`${ice.baseUrl}/feed`, 2);
    assert.deepEqual(again.problems, []);
    assert.ok(again.maxVolumeDb > -20);
    assert.equal(relay.status().state, 'streaming');

    // Quiet (no title): Icecast keeps the old title on an empty song, so the relay sends IDLE_TITLE.
    feed.setTitle(null);
    await waitFor(async () => (await ice.source('/feed'))?.title === IDLE_TITLE, 'the idle title');
  });

  it('PUT with Expect: 100-continue streams the MP3 frames unchanged', async () => {
    const { ice, relay } = await rig('?protocol=put');
    await waitFor(
      async () => (await ice.source('/feed'))?.server_type === 'audio/mpeg',
      'the PUT source',
    );
    const got = await decode(`${ice.baseUrl}/feed`, 2);
    assert.deepEqual(got.problems, []);
    assert.ok(got.maxVolumeDb > -20);
    // Every frame a listener gets is one of the file's frames, byte for byte, or the silent frame.
    const file = await makeAudioFile('mp3');
    const known = new Set(
      splitMp3Frames(readFileSync(file)).frames.map((f) => Buffer.from(f.bytes).toString('hex')),
    );
    const heard = await listen(`${ice.baseUrl}/feed`, 2_000);
    const frames = splitMp3Frames(heard).frames;
    const format = mp3FrameFormat(frames[1].bytes);
    assert.ok(format);
    const silent = Buffer.from(silentFrame(format.format)).toString('hex');
    const foreign = frames.slice(1).filter((f) => {
      const hex = Buffer.from(f.bytes).toString('hex');
      return !known.has(hex) && hex !== silent;
    });
    assert.ok(frames.length > 40, `frames heard: ${frames.length}`);
    assert.equal(foreign.length, 0, 'no frame was changed on the way');
    const s = relay.status();
    assert.equal(s.state, 'streaming');
    assert.equal(s.protocol, 'put');
    assert.ok(s.bytesSent > 0 && s.audioSec > 1);
  });

  it('a feed cut in 3 s segments: each whole segment goes out in real time, none of it dropped', async () => {
    const { ice, relay } = await rig('', { chunkMs: 3_000, relay: { maxQueueMs: 1_000 } });
    await waitFor(() => relay.status().state === 'streaming', 'streaming', 10_000);
    const got = await decode(`${ice.baseUrl}/feed`, 4);
    assert.deepEqual(got.problems, []);
    // Connected after the first chunk (of which the newest second was kept), then two whole ones.
    await waitFor(() => relay.status().audioSec > 6.5, 'two whole chunks sent', 15_000);
    const s = relay.status();
    assert.equal(s.droppedSec, 0);
    const wallSec = (Date.now() - Date.parse(s.since)) / 1000;
    assert.ok(
      s.audioSec + s.silenceSec < wallSec + 1,
      `${s.audioSec + s.silenceSec} s sent in ${wallSec} s`,
    );
  });

  it('a wrong password: backoff with a clear error, logged once, no crash', async () => {
    const { ice, relay, log } = await rig('', { password: 'wrong', relay: { backoff: undefined } });
    await waitFor(() => relay.status().state === 'backoff', 'backoff');
    const s = relay.status();
    assert.match(String(s.lastError), /wrong source password for \/feed/);
    assert.match(String(s.lastError), /401/);
    assert.ok(s.retryAt && Date.parse(s.retryAt) - Date.now() > 30_000, 'retries slowly');
    assert.equal(await ice.source('/feed'), null);
    assert.equal(log.lines.filter((l) => /wrong source password/.test(l.msg)).length, 1);
  });

  it('"Mountpoint in use" is temporary: a second relay takes the mount when the first leaves', async () => {
    const first = await rig('');
    await waitFor(() => first.relay.status().state === 'streaming', 'the first relay');
    const second = await rig('', { ice: first.ice });
    await waitFor(() => second.relay.status().lastError === '403 Mountpoint in use', 'the 403');
    assert.equal(second.relay.status().state, 'backoff');
    first.relay.stop();
    await waitFor(
      () => second.relay.status().state === 'streaming',
      'the second relay to take the mount',
      15_000,
    );
    const got = await decode(`${first.ice.baseUrl}/feed`, 2);
    assert.deepEqual(got.problems, []);
  });

  it('AAC input is refused with one clear line; with --relay-transcode it goes out as 16 kbit/s mono 22.05 kHz MP3', async () => {
    const refused = await rig('', { codec: 'aac' });
    await waitFor(() => refused.relay.status().state === 'refused', 'refused');
    assert.match(
      String(refused.relay.status().lastError),
      /Icecast feeds take MP3.*--relay-transcode/,
    );
    assert.equal(refused.log.lines.filter((l) => l.level === 'error').length, 1);
    assert.equal(await refused.ice.source('/feed'), null);

    const { ice, relay } = await rig('', { codec: 'aac', relay: { transcode: true } });
    await waitFor(
      async () => (await ice.source('/feed'))?.server_type === 'audio/mpeg',
      'the transcoded source',
      20_000,
    );
    assert.ok(relay.status().transcoding);
    assert.match(
      String((await ice.source('/feed'))?.audio_info),
      /samplerate=22050;channels=1;bitrate=16/,
    );
    const got = await decode(`${ice.baseUrl}/feed`, 2);
    assert.deepEqual(got.problems, []);
    assert.ok(got.maxVolumeDb > -20);
  });

  it('no server at the address: backoff with the socket error, then streaming once icecast2 starts there', async () => {
    const port = await freePort();
    const feed = startTestFeed(await makeAudioFile('mp3'), 'mp3');
    cleanups.push(() => feed.close());
    const relay = new Relay({
      spec: parseRelaySpec(`icecast://source:hackme-source@127.0.0.1:${port}/feed`),
      feed,
      clock: systemClock,
      logger: memoryLogger(),
    });
    relay.start();
    cleanups.push(() => relay.stop());
    await waitFor(() => relay.status().lastError?.includes('ECONNREFUSED'), 'ECONNREFUSED');
    const ice = await startIcecast({ port });
    cleanups.push(() => ice.stop());
    await waitFor(() => relay.status().state === 'streaming', 'streaming', 20_000);
    await waitFor(() => ice.source('/feed'), 'the mount in status-json.xsl');
  });

  it('the real server with --relay: the packager’s MP3 reaches the mount, ffmpeg decodes it, /metrics shows the relay, a stopped encoder turns into silence', async () => {
    const ice = await startIcecast();
    cleanups.push(() => ice.stop());
    const server = await startTestServer({
      relay: [`icecast://source:${ice.sourcePassword}@127.0.0.1:${ice.port}/scanner?name=Scanner`],
    });
    cleanups.push(() => server.close());
    const pub = publishLive(await makeTs('mp3-lsf', 20), server.ingestPort, { loop: true });
    cleanups.push(() => stopProcess(pub));
    await waitFor(
      async () => (await ice.source('/scanner'))?.server_type === 'audio/mpeg',
      'the mount',
      20_000,
    );
    assert.match(
      String((await ice.source('/scanner'))?.audio_info),
      /samplerate=22050;channels=1;bitrate=16/,
    );
    const got = await decode(`${ice.baseUrl}/scanner`, 3);
    assert.deepEqual(got.problems, []);
    assert.ok(got.maxVolumeDb > -20, `the tone is heard (max ${got.maxVolumeDb} dB)`);
    const [status] = server.relays.status();
    assert.equal(status.state, 'streaming');
    assert.equal(status.target, `icecast://source:***@127.0.0.1:${ice.port}/scanner?name=Scanner`);
    const api = (await (await fetch(`${server.baseUrl}/api/status`)).json()) as {
      relays?: RelayStatus[];
    };
    assert.equal(api.relays?.length, 1);
    assert.equal(api.relays[0].state, 'streaming');
    assert.equal(api.relays[0].mount, '/scanner');
    assert.ok(!JSON.stringify(api).includes(ice.sourcePassword), 'the password is not shown');
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    assert.match(metrics, /scanner_hls_relay_state\{mount="\/scanner",state="streaming"\} 1/);
    assert.match(metrics, /scanner_hls_relay_bytes_sent_total\{mount="\/scanner"\} [1-9]/);

    await stopProcess(pub);
    await waitFor(
      () => server.relays.status()[0].silenceSec > 2,
      'silence after the encoder stopped',
      10_000,
    );
    assert.ok(await ice.source('/scanner'), 'the mount stays up');
    assert.equal(server.relays.status()[0].connects, 1);
  });
});
