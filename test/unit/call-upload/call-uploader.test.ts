// test/unit/call-upload/call-uploader.test.ts: CallUploader with real ffmpeg audio and a real local receiver: a 417 drops the call with one error line and no retry, a call with no number is dropped before sending, and a call whose last segment never comes is cut after cutWaitMs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CallUploader, type CallSource } from '../../../src/call-upload/call-uploader.js';
import { parseCallUploadSpec } from '../../../src/call-upload/upload-spec.js';
import type { CallRow } from '../../../src/calls/call-format.js';
import { runsDurationSec, segmentAudio } from '../../../src/calls/call-frames.js';
import { planChunks } from '../../../src/calls/call-media.js';
import type { CallMedia } from '../../../src/calls/replay.js';
import { systemClock } from '../../../src/clock.js';
import { memoryLogger } from '../../../src/logger.js';
import { makeTs } from '../../helpers/media.js';
import { MultipartReceiver } from '../../helpers/multipart-receiver.js';
import { RdioReceiver } from '../../helpers/rdio-receiver.js';
import { tempDir } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait.js';

function row(id: number, over: Partial<CallRow> = {}): CallRow {
  return {
    id,
    start_time: id / 1000,
    stop_time: id / 1000 + 2,
    call_length: 2,
    freq: 154_250_000,
    talkgroup: '100',
    talkgroup_tag: null,
    channel: 3,
    bank: 1,
    label: 'Fire',
    open: 0,
    codec: 'mp3',
    ...over,
  };
}

let media: Omit<CallMedia, 'call'>;
const refuse = new MultipartReceiver(() => ({
  status: 417,
  body: 'Incomplete call data: no talkgroup\n',
}));
const rdio = new RdioReceiver('K', 5);

function source(rows: Map<number, CallRow>, lastEnd: () => number | null): CallSource {
  return {
    lastSegmentEndMs: lastEnd,
    callMedia: (id) => {
      const call = rows.get(id);
      return Promise.resolve(call ? { ...media, call } : null);
    },
  };
}

void before(async () => {
  const a = segmentAudio(readFileSync(await makeTs('mp3', 3)), 0);
  assert.ok(a);
  const runs = [{ track: a.track, frames: a.frames }];
  media = { runs, chunks: planChunks(runs), durationSec: runsDurationSec(runs) };
  await refuse.start();
  await rdio.start();
});

void after(async () => {
  await refuse.stop();
  await rdio.stop();
});

describe('CallUploader', () => {
  it('drops a call the receiver answers 417 for, with one error line, and does not retry it', async () => {
    const log = memoryLogger();
    const rows = new Map([[1_800_000_000_000, row(1_800_000_000_000)]]);
    const u = new CallUploader({
      spec: parseCallUploadSpec(`rdio-scanner:${refuse.url}?key=K&system=5`),
      source: source(rows, () => Number.MAX_SAFE_INTEGER),
      queueRoot: tempDir('cu-'),
      clock: systemClock,
      logger: log,
      backoff: { initialMs: 10, maxMs: 20 },
    });
    await u.start();
    for (const r of rows.values()) u.callClosed(r);
    await waitFor(() => u.stats().rejected === 1, 'the refusal', 5000);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(refuse.requests, 1);
    assert.equal(u.stats().queued, 0);
    const errors = log.lines.filter((l) => l.level === 'error');
    assert.equal(errors.length, 1);
    assert.match(
      errors[0]?.msg ?? '',
      /refused \(HTTP 417 "Incomplete call data: no talkgroup"\); dropped/,
    );
    await u.close();
  });

  it('drops a call with no talkgroup, channel or frequency before sending it', async () => {
    const log = memoryLogger();
    const id = 1_800_000_100_000;
    const rows = new Map([[id, row(id, { talkgroup: null, channel: null, freq: null })]]);
    const before = rdio.requests;
    const u = new CallUploader({
      spec: parseCallUploadSpec(`rdio-scanner:${rdio.url}?key=K&system=5`),
      source: source(rows, () => Number.MAX_SAFE_INTEGER),
      queueRoot: tempDir('cu-'),
      clock: systemClock,
      logger: log,
    });
    await u.start();
    u.callClosed(rows.get(id) ?? row(id));
    await waitFor(() => u.stats().rejected === 1, 'the drop', 5000);
    assert.equal(rdio.requests, before);
    assert.match(
      log.lines.find((l) => l.level === 'error')?.msg ?? '',
      /no talkgroup, channel or frequency/,
    );
    await u.close();
  });

  it('a bad key: the call stays queued and is retried every authRetryMs, logged once, sent once the key is right', async () => {
    const log = memoryLogger();
    const id = 1_800_000_300_000;
    const rows = new Map([[id, row(id)]]);
    rdio.key = 'OTHER';
    const u = new CallUploader({
      spec: parseCallUploadSpec(`rdio-scanner:${rdio.url}?key=K&system=5`),
      source: source(rows, () => Number.MAX_SAFE_INTEGER),
      queueRoot: tempDir('cu-'),
      clock: systemClock,
      logger: log,
      authRetryMs: 100,
    });
    await u.start();
    const before = rdio.replies.length;
    u.callClosed(rows.get(id) ?? row(id));
    await waitFor(() => rdio.replies.length - before >= 4, 'four refusals', 5000);
    assert.ok(rdio.replies.slice(before).every((r) => r.status === 401));
    assert.equal(u.stats().queued, 1);
    assert.equal(u.stats().authFailing, true);
    assert.equal(log.lines.filter((l) => /refuses the key/.test(l.msg)).length, 1);
    rdio.key = 'K';
    await waitFor(() => rdio.calls.some((c) => c.timestampMs === id), 'the upload', 5000);
    await waitFor(() => u.stats().queued === 0, 'the queue emptied', 5000);
    assert.ok(log.lines.some((l) => /accepts the key again/.test(l.msg)));
    await u.close();
  });

  it('cuts a call after cutWaitMs when the segment holding its end never comes', async () => {
    const id = 1_800_000_200_000;
    const rows = new Map([[id, row(id)]]);
    const u = new CallUploader({
      spec: parseCallUploadSpec(`rdio-scanner:${rdio.url}?key=K&system=5`),
      source: source(rows, () => null),
      queueRoot: tempDir('cu-'),
      clock: systemClock,
      logger: memoryLogger(),
      cutWaitMs: 600,
    });
    await u.start();
    const t0 = Date.now();
    u.callClosed(rows.get(id) ?? row(id));
    await waitFor(() => rdio.calls.some((c) => c.timestampMs === id), 'the upload', 5000);
    assert.ok(Date.now() - t0 >= 550, `${Date.now() - t0} ms`);
    assert.equal(rdio.calls.find((c) => c.timestampMs === id)?.talkgroup, 100);
    await u.close();
  });
});
