// test/integration/call-upload-rdio.test.ts: --call-upload rdio-scanner: with the simulated scanner and a live ffmpeg feed, each finished call reaches a local rdio-scanner receiver once with every field right and audio that lasts the call; an outage, a bad key (401) and a restart lose nothing.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CallJson } from '../../src/calls/call-format.js';
import type { AppConfig } from '../../src/config.js';
import { memoryLogger } from '../../src/logger.js';
import { ffprobeJson, type publishLive, stopProcess } from '../helpers/media.js';
import { RdioReceiver } from '../helpers/rdio-receiver.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import {
  callUploadQueueFiles,
  closedCalls as closedCallsOf,
  fetchCalls,
  type Simulator,
  simulatorOf,
  startSimFeed,
} from '../helpers/sim-feed.js';
import { waitFor } from '../helpers/wait.js';

/** One MPEG-1 Layer III frame at 44.1 kHz. */
const FRAME_SEC = 1152 / 44100;

let dir = '';
let s: TestServer;
let pub: ReturnType<typeof publishLive>;
const rdio = new RdioReceiver('API_KEY', 11);
let log = memoryLogger();

const options = (key: string): Partial<AppConfig> => ({
  scanner: 'sim',
  segmentDurationSec: 1,
  window: 6,
  callUpload: [`rdio-scanner:${rdio.url}?key=${key}&system=11&systemLabel=County`],
});

function calls(): Promise<CallJson[]> {
  return fetchCalls(s.baseUrl);
}

function closedCalls(n: number): Promise<CallJson[]> {
  return closedCallsOf(s.baseUrl, n);
}

async function probedSec(bytes: Buffer): Promise<number> {
  const f = join(dir, `probe-${Math.random().toString(36).slice(2)}.mp3`);
  writeFileSync(f, bytes);
  const j = (await ffprobeJson(f, ['-show_entries', 'format=duration'])) as {
    format: { duration: string };
  };
  return Number(j.format.duration);
}

function queueFiles(): string[] {
  return callUploadQueueFiles(dir);
}

function sim(): Simulator {
  return simulatorOf(s);
}

void before(async () => {
  await rdio.start();
  dir = tempDir('call-upload-rdio-');
  ({ s, pub } = await startSimFeed(
    options('API_KEY'),
    { dir, logger: log },
    { codec: 'mp3', seconds: 90 },
  ));
});

void after(async () => {
  await stopProcess(pub);
  await s.close();
  await rdio.stop();
});

describe('--call-upload rdio-scanner', () => {
  it('uploads each finished call once, with its fields and audio that lasts the call', async () => {
    sim().transmit(3200, '2416');
    await waitFor(async () => (await calls()).length === 1, 'the first call');
    await new Promise((r) => setTimeout(r, 3500));
    sim().transmit(2100);
    const list = (await closedCalls(2)).reverse();
    await waitFor(() => rdio.calls.length === 2, 'two uploads', 20_000);
    // Nothing more arrives: each call went once.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(rdio.calls.length, 2);
    assert.deepEqual(
      rdio.replies.map((r) => r.status),
      [200, 200],
    );
    for (const [i, c] of list.entries()) {
      const got = rdio.calls[i];
      assert.ok(got);
      assert.equal(got.system, 11);
      assert.equal(got.dateTimeMs, Math.floor(c.start_time) * 1000, 'dateTime = the start');
      assert.equal(got.timestampMs, Number(c.id), 'timestamp = the start in ms');
      // A talkgroup when one was received, else the conventional channel's number.
      assert.equal(got.talkgroup, c.talkgroup !== null ? Number(c.talkgroup) : c.channel);
      assert.equal(got.frequency, c.freq, 'frequency in Hz');
      assert.equal(got.talkgroupLabel, c.label);
      assert.equal(got.systemLabel, 'County');
      assert.equal(got.audioType, 'audio/mpeg');
      assert.match(got.audioName, /\.mp3$/);
      const sec = await probedSec(got.audio);
      assert.ok(
        Math.abs(sec - (c.call_length ?? 0)) <= FRAME_SEC,
        `audio ${sec} s vs call ${c.call_length} s`,
      );
    }
    assert.equal(list[0]?.talkgroup, '2416');
    assert.equal(list[1]?.talkgroup, null);
    assert.ok((list[1]?.channel ?? 0) > 0);
    await waitFor(() => queueFiles().length === 0, 'the queue emptied');
  });

  it('keeps a call while the receiver is down and sends it when it is back', async () => {
    await rdio.stop();
    sim().transmit(1500, '3100');
    await waitFor(() => queueFiles().length === 2, 'the call queued on disk (job + audio)', 20_000);
    await waitFor(
      () => (s.callUploaders[0]?.stats().failures ?? 0) >= 1,
      'a failed attempt',
      10_000,
    );
    await new Promise((r) => setTimeout(r, 2000));
    await rdio.start();
    await waitFor(() => rdio.calls.length === 3, 'the upload after the outage', 30_000);
    assert.equal(rdio.calls[2]?.talkgroup, 3100);
    await waitFor(() => queueFiles().length === 0, 'the queue emptied');
  });

  it('a bad key gets 401: the call stays queued, logged once; a restart with the key sends it', async () => {
    rdio.key = 'ANOTHER_KEY';
    sim().transmit(1200, '4200');
    await new Promise((r) => setTimeout(r, 2500));
    sim().transmit(1300, '4300');
    await waitFor(() => rdio.replies.at(-1)?.status === 401, 'a 401', 20_000);
    assert.match(
      rdio.replies.at(-1)?.body ?? '',
      /^Invalid API key for system 11 talkgroup 4200\.$/m,
    );
    await waitFor(() => queueFiles().length === 4, 'both calls queued', 20_000);
    await new Promise((r) => setTimeout(r, 1500));
    const lines = log.lines.filter((l) => /refuses the key/.test(l.msg));
    assert.equal(lines.length, 1, 'logged once');
    assert.equal(lines[0]?.level, 'error');
    assert.equal(rdio.calls.length, 3);
    assert.equal(s.callUploaders[0]?.stats().authFailing, true);
    // The key is fixed in the receiver and scanner-hls restarts: the queue survives.
    await stopProcess(pub);
    await s.close();
    rdio.key = 'API_KEY';
    log = memoryLogger();
    s = await startTestServer(options('API_KEY'), { dir, logger: log });
    await waitFor(() => rdio.calls.length === 5, 'the queued calls sent after the restart', 20_000);
    assert.deepEqual(
      rdio.calls.slice(3).map((c) => c.talkgroup),
      [4200, 4300],
    );
    assert.ok(log.lines.some((l) => /2 call\(s\) queued by an earlier run/.test(l.msg)));
    await waitFor(() => queueFiles().length === 0, 'the queue emptied');
  });
});
