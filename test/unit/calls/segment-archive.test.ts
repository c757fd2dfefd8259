// test/unit/calls/segment-archive.test.ts: the archive and reaper on a fake clock and a memory store: kept beyond the window, reaped by age and bytes, leases honoured; calls.db schema steps.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'libsql';
import { CallDb } from '../../../src/calls/call-db.js';
import { CallService } from '../../../src/calls/call-service.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../src/calls/call-schema.js';
import { ReplayArchive } from '../../../src/calls/segment-archive.js';
import { nullLogger } from '../../../src/logger.js';
import type { ListedSegment } from '../../../src/packager.js';
import { archiveView } from '../../../src/storage/archive-view.js';
import { RetentionReaper } from '../../../src/storage/retention-reaper.js';
import { MemoryStore } from '../../../src/storage/segment-store.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { waitFor } from '../../helpers/wait.js';

const T0 = Date.UTC(2026, 0, 1);

function seg(msn: number, over: Partial<ListedSegment> = {}): ListedSegment {
  return {
    msn,
    uri: `live-run1-${msn}.ts`,
    durationSec: 1,
    discontinuity: false,
    programDateTimeMs: T0 + msn * 1000,
    bytes: 1000,
    ...over,
  };
}

function setup(retain: boolean, maxAgeMs: number, maxBytes = 0) {
  const clock = new FakeClock(T0);
  const store = new MemoryStore();
  const db = CallDb.open(':memory:');
  const reaper = new RetentionReaper({
    index: db,
    store,
    clock,
    logger: nullLogger,
    maxAgeMs,
    maxBytes,
    intervalMs: 1000,
    onDeleted: (u) => archive.reaped(u),
  });
  const archive = new ReplayArchive({
    db,
    stream: 'live',
    retain,
    reaper,
    logger: nullLogger,
    now: () => clock.now(),
  });
  reaper.start();
  /** One segment a second, as the packager lists them, the window holding 3. */
  const play = async (from: number, to: number): Promise<void> => {
    for (let msn = from; msn < to; msn++) {
      await store.writeAtomic(`live-run1-${msn}.ts`, new Uint8Array(1000));
      archive.listed(seg(msn));
      if (msn >= 3) {
        const gone = seg(msn - 3);
        if (!archive.evicted(gone)) await store.remove(gone.uri);
      }
      await clock.advance(1000);
    }
  };
  const files = async () => [...(await store.sizes()).keys()].sort((a, b) => num(a) - num(b));
  return { clock, store, db, reaper, archive, play, files };
}

const num = (uri: string): number => Number(/-(\d+)\.ts$/.exec(uri)?.[1]);

describe('ReplayArchive and RetentionReaper', () => {
  it("without --retention only indexes: evicted segments are the packager's", async () => {
    const t = setup(false, 0);
    await t.play(0, 10);
    assert.deepEqual((await t.files()).map(num), [7, 8, 9]);
    assert.equal(t.db.allSegments().length, 10, 'rows stay until the packager deletes the file');
    for (let msn = 0; msn < 7; msn++) t.archive.deleted(`live-run1-${msn}.ts`);
    assert.deepEqual(
      t.db
        .allSegments()
        .map((s) => s.msn)
        .sort((a, b) => a - b),
      [7, 8, 9],
    );
    await t.reaper.close();
  });

  it('keeps segments for --retention after their media ended, then deletes the oldest first', async () => {
    const t = setup(true, 5000);
    await t.play(0, 20);
    // At t = 20 s: segment n ended at n + 1 s; kept while 20 − (n + 1) ≤ 5 (the reaper runs every 1 s).
    const kept = (await t.files()).map(num);
    assert.deepEqual(kept, [14, 15, 16, 17, 18, 19]);
    assert.deepEqual(
      t.db
        .allSegments()
        .map((s) => s.msn)
        .sort((a, b) => a - b),
      kept,
      'the index lists exactly the files on disk',
    );
    assert.ok(
      t.db
        .allSegments()
        .filter((s) => s.retained)
        .every((s) => s.msn < 17),
    );
    assert.ok(t.archive.isRetained('live-run1-14.ts') && !t.archive.isRetained('live-run1-18.ts'));
    await t.reaper.close();
  });

  it('stays within --retention-max-bytes, and never deletes a leased segment', async () => {
    const t = setup(true, 3600_000, 4000);
    await t.play(0, 6);
    // The lease covers segments 0..2 (already retained) for 10 s.
    t.reaper.lease(['live-run1-0.ts', 'live-run1-1.ts', 'live-run1-2.ts'], t.clock.now() + 10_000);
    await t.play(6, 12);
    const files = (await t.files()).map(num);
    assert.ok(
      [0, 1, 2].every((n) => files.includes(n)),
      'leased segments stay',
    );
    assert.ok(!files.includes(3) && !files.includes(4), 'unleased old ones went');
    assert.ok(t.db.retainedBytes() <= 4000, 'the leased ones count towards the quota');
    await t.clock.advance(10_000);
    await t.play(12, 14);
    const after = (await t.files()).map(num);
    assert.ok(!after.includes(0), 'the lease ran out');
    assert.ok(t.db.retainedBytes() <= 4000);
    await t.reaper.close();
  });

  it('archiveView hides retained files from the packager and passes everything else on', async () => {
    const t = setup(true, 3600_000);
    await t.play(0, 6);
    const view = archiveView(t.store, (n) => t.archive.isRetained(n));
    assert.deepEqual(
      [...(await view.sizes()).keys()].map(num).sort((a, b) => a - b),
      [3, 4, 5],
    );
    await view.writeAtomic('x.ts', 'y');
    assert.equal(t.store.read('x.ts')?.length, 1);
    await t.reaper.close();
  });
});

describe('calls.db schema', () => {
  it('is WAL, migrates a version-1 file (text index rebuilt), refuses a newer one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'calls-db-'));
    const path = join(dir, 'calls.db');
    const v1 = new Database(path);
    v1.exec(MIGRATIONS[0] ?? '');
    v1.pragma('user_version = 1');
    v1.prepare(
      "INSERT INTO calls (id, start_time, label, talkgroup, open) VALUES (1000, 1, 'Fire Dispatch', '2416', 0)",
    ).run();
    v1.close();
    const db = CallDb.open(path);
    assert.equal(db.journalMode(), 'wal');
    assert.deepEqual(
      db.listCalls({ limit: 5, q: 'dispatch' }).rows.map((r) => r.id),
      [1000],
    );
    db.close();
    const newer = new Database(path);
    newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();
    assert.throws(() => CallDb.open(path), /newer than this program's/);
  });
});

describe('CallService.onReaped', () => {
  it('tells listeners of each retained segment the reaper deletes (the upload mirror deletes it too)', async () => {
    const clock = new FakeClock(T0);
    const store = new MemoryStore();
    const stateDir = mkdtempSync(join(tmpdir(), 'calls-reaped-'));
    const calls = CallService.open({
      stateDir,
      stream: 'live',
      outDir: stateDir,
      store,
      clock,
      logger: nullLogger,
      targetDurationSec: 1,
      retentionSec: 5,
      retentionMaxBytes: 0,
      callsRetentionSec: 86400,
      callsMaxBytes: 0,
    });
    const reaped: string[] = [];
    const off = calls.onReaped((u) => reaped.push(u));
    calls.start();
    for (let msn = 0; msn < 4; msn++) {
      await store.writeAtomic(`live-run1-${msn}.ts`, new Uint8Array(1000));
      calls.archive.listed(seg(msn));
    }
    for (let msn = 0; msn < 2; msn++) assert.ok(calls.archive.evicted(seg(msn)));
    // Segment n ends at n + 1 s; past 5 s of retention the reaper's next run (every 60 s) deletes it.
    await clock.advance(61_000);
    await waitFor(() => reaped.length === 2, 'two segments reaped');
    assert.deepEqual(reaped.sort(), ['live-run1-0.ts', 'live-run1-1.ts']);
    assert.deepEqual([...(await store.sizes()).keys()].sort(), [
      'live-run1-2.ts',
      'live-run1-3.ts',
    ]);
    off();
    await calls.close();
  });
});
