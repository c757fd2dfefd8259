// test/integration/call-upload-openmhz.test.ts: --call-upload openmhz: with the simulated scanner and a live ffmpeg feed, each finished call reaches a local OpenMHz receiver (uploads.js's checks) once with its fields and an .mp3 that lasts the call; a wrong key (500 "API Keys do not match!") keeps the calls until a restart with the right one.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CallJson } from '../../src/calls/call-format.js';
import type { AppConfig } from '../../src/config.js';
import { memoryLogger } from '../../src/logger.js';
import { ffprobeJson, type publishLive, stopProcess } from '../helpers/media.js';
import { OpenMhzReceiver } from '../helpers/openmhz-receiver.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import {
  callUploadQueueFiles,
  closedCalls as closedCallsOf,
  type Simulator,
  simulatorOf,
  startSimFeed,
} from '../helpers/sim-feed.js';
import { waitFor } from '../helpers/wait.js';

const FRAME_SEC = 1152 / 44100;

let dir = '';
let s: TestServer;
let pub: ReturnType<typeof publishLive>;
const omz = new OpenMhzReceiver(new Map([['county', 'OMZ_KEY']]));
let log = memoryLogger();

const options = (key: string): Partial<AppConfig> => ({
  scanner: 'sim',
  segmentDurationSec: 1,
  window: 6,
  callUpload: [`openmhz:${omz.url}?key=${key}&system=County`],
});

async function closedCalls(n: number): Promise<CallJson[]> {
  return (await closedCallsOf(s.baseUrl, n)).reverse();
}

function queueFiles(): string[] {
  return callUploadQueueFiles(dir);
}

function sim(): Simulator {
  return simulatorOf(s);
}

void before(async () => {
  await omz.start();
  dir = tempDir('call-upload-omz-');
  ({ s, pub } = await startSimFeed(
    options('OMZ_KEY'),
    { dir, logger: log },
    { codec: 'mp3', seconds: 60 },
  ));
});

void after(async () => {
  await stopProcess(pub);
  await s.close();
  await omz.stop();
});

describe('--call-upload openmhz', () => {
  it('POSTs each finished call to /SHORTNAME/upload once, with its fields and an .mp3 of its length', async () => {
    sim().transmit(2600, '2416');
    await new Promise((r) => setTimeout(r, 4000));
    sim().transmit(1800);
    const list = await closedCalls(2);
    await waitFor(() => omz.calls.length === 2, 'two uploads', 20_000);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(omz.calls.length, 2);
    for (const [i, c] of list.entries()) {
      const got = omz.calls[i];
      assert.ok(got);
      assert.equal(got.shortName, 'county');
      assert.equal(got.talkgroupNum, c.talkgroup !== null ? Number(c.talkgroup) : c.channel);
      assert.equal(got.freq, c.freq, 'freq in Hz');
      assert.equal(got.timeMs, Math.floor(c.start_time) * 1000);
      assert.equal(got.stopTimeMs, Math.floor(c.stop_time ?? 0) * 1000);
      assert.equal(got.len, c.call_length);
      assert.equal(got.emergency, 0);
      assert.deepEqual(got.srcList, []);
      assert.match(got.filename, /\.mp3$/);
      const f = join(dir, `omz-${i}.mp3`);
      writeFileSync(f, got.audio);
      const j = (await ffprobeJson(f, ['-show_entries', 'format=duration'])) as {
        format: { duration: string };
      };
      const sec = Number(j.format.duration);
      assert.ok(Math.abs(sec - (c.call_length ?? 0)) <= FRAME_SEC, `${sec} vs ${c.call_length}`);
    }
  });

  it('a wrong key ("API Keys do not match!") keeps the call queued, logged once, until a restart with the right key', async () => {
    omz.systems.set('county', 'NEW_KEY');
    sim().transmit(1500, '5100');
    await waitFor(
      () => omz.replies.at(-1)?.body === 'API Keys do not match!\n',
      'the refusal',
      20_000,
    );
    assert.equal(omz.replies.at(-1)?.status, 500);
    assert.equal(queueFiles().length, 2);
    // The receiver records its reply before the uploader has read it and logged: wait for the
    // line, then a little longer, so "once" means once.
    const refusals = (): number => log.lines.filter((l) => /refuses the key/.test(l.msg)).length;
    await waitFor(() => refusals() > 0, 'the refusal logged', 10_000);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(refusals(), 1);
    await stopProcess(pub);
    await s.close();
    log = memoryLogger();
    s = await startTestServer(options('NEW_KEY'), { dir, logger: log });
    await waitFor(() => omz.calls.length === 3, 'the queued call after the restart', 20_000);
    assert.equal(omz.calls[2]?.talkgroupNum, 5100);
    await waitFor(() => queueFiles().length === 0, 'the queue emptied');
  });
});
