// test/unit/call-upload/upload-queue.test.ts: UploadQueue on a real directory: order, survival across reopen, leftovers of a crash cleaned, and the bound dropping the oldest with a log line.
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { UploadQueue } from '../../../src/call-upload/upload-queue.js';
import type { CallRow } from '../../../src/calls/call-format.js';
import { memoryLogger } from '../../../src/logger.js';
import { tempDir } from '../../helpers/server.js';

function row(id: number): CallRow {
  return {
    id,
    start_time: id / 1000,
    stop_time: id / 1000 + 2,
    call_length: 2,
    freq: 154_250_000,
    talkgroup: null,
    talkgroup_tag: null,
    channel: 3,
    bank: 1,
    label: null,
    open: 0,
    codec: 'mp3',
  };
}

const job = (id: number) => ({ call: row(id), ext: 'mp3', type: 'audio/mpeg', queuedAtMs: id });

describe('UploadQueue', () => {
  it('keeps calls oldest first and finds them again after a reopen', async () => {
    const dir = tempDir('uq-');
    const log = memoryLogger();
    const q = await UploadQueue.open({ dir, logger: log });
    for (const id of [3000, 1000, 2000]) await q.add(job(id), new Uint8Array(100).fill(id % 251));
    assert.equal(q.head()?.id, 1000);
    assert.deepEqual(q.stats(), { queued: 3, bytes: 300, dropped: 0 });
    const again = await UploadQueue.open({ dir, logger: log });
    assert.equal(again.head()?.id, 1000);
    assert.equal(again.head()?.call.channel, 3);
    await again.remove(1000);
    assert.equal(again.head()?.id, 2000);
    assert.deepEqual(readdirSync(dir).sort(), ['2000.json', '2000.mp3', '3000.json', '3000.mp3']);
  });

  it('removes what a crash left half-written', async () => {
    const dir = tempDir('uq-');
    const log = memoryLogger();
    const q = await UploadQueue.open({ dir, logger: log });
    await q.add(job(1000), new Uint8Array(60));
    writeFileSync(join(dir, '2000.mp3.tmp'), 'x');
    writeFileSync(join(dir, '3000.mp3'), 'audio without a job');
    writeFileSync(join(dir, '4000.json'), '{"not": "a job"}');
    writeFileSync(join(dir, '5000.json'), JSON.stringify(job(5000))); // no audio
    const again = await UploadQueue.open({ dir, logger: log });
    assert.equal(again.stats().queued, 1);
    assert.deepEqual(readdirSync(dir).sort(), ['1000.json', '1000.mp3']);
    assert.equal(log.lines.filter((l) => /damaged or has no audio/.test(l.msg)).length, 2);
  });

  it('drops the oldest beyond its count or bytes, with a log line each', async () => {
    const dir = tempDir('uq-');
    const log = memoryLogger();
    const q = await UploadQueue.open({ dir, logger: log, maxJobs: 3, maxBytes: 1000 });
    for (let i = 1; i <= 5; i++) await q.add(job(i * 1000), new Uint8Array(100));
    assert.equal(q.head()?.id, 3000);
    assert.equal(q.stats().dropped, 2);
    const lines = log.lines.filter((l) => /call-upload queue full/.test(l.msg));
    assert.equal(lines.length, 2);
    assert.match(lines[0]?.msg ?? '', /dropped the oldest, call 1000 /);
    assert.equal(lines[0]?.level, 'warn');
    await q.add(job(9000), new Uint8Array(900));
    // 100 + 100 + 900 > 1000: the oldest two go.
    assert.equal(q.head()?.id, 5000);
    assert.equal(q.stats().bytes, 1000);
    assert.equal(readdirSync(dir).length, 4);
  });
});
