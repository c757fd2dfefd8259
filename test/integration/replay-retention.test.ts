// test/integration/replay-retention.test.ts: the replay archive on a real --out across restarts (fake clock): what the database keeps is reconciled with the files, retained files are not the packager's strays, and turning --retention off reaps them.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CallService, type CallServiceOptions } from '../../src/calls/call-service.js';
import { nullLogger } from '../../src/logger.js';
import type { ListedSegment } from '../../src/packager.js';
import { DiskStore } from '../../src/storage/disk-store.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { tempDir } from '../helpers/server.js';

const T0 = Date.UTC(2026, 0, 1);

function seg(msn: number): ListedSegment {
  return {
    msn,
    uri: `live-run1-${msn}.ts`,
    durationSec: 1,
    discontinuity: false,
    programDateTimeMs: T0 + msn * 1000,
    bytes: 376,
  };
}

describe('the replay archive across restarts', () => {
  it('reconciles with --out, hides kept files from the packager, and reaps when retention is off', async () => {
    const dir = tempDir('replay-retention-');
    const out = join(dir, 'segments');
    const store = new DiskStore(out);
    await store.init();
    const clock = new FakeClock(T0);
    const opts = (retentionSec: number): CallServiceOptions => ({
      stateDir: join(dir, 'state'),
      stream: 'live',
      outDir: out,
      store,
      clock,
      logger: nullLogger,
      targetDurationSec: 1,
      retentionSec,
      retentionMaxBytes: 0,
      callsRetentionSec: 0,
      callsMaxBytes: 0,
    });
    let calls = CallService.open(opts(3600));
    await calls.reconcile();
    calls.start();
    for (let msn = 0; msn < 10; msn++) {
      await store.writeAtomic(seg(msn).uri, new Uint8Array(376));
      calls.archive.listed(seg(msn));
      if (msn >= 3) assert.equal(calls.archive.evicted(seg(msn - 3)), true);
      await clock.advance(1000);
    }
    await calls.close();

    // A file goes missing while the server is down (an operator's rm).
    rmSync(join(out, 'live-run1-2.ts'));
    calls = CallService.open(opts(3600));
    await calls.reconcile();
    const rows = calls.db.allSegments().map((s) => s.msn);
    assert.deepEqual(
      rows.sort((a, b) => a - b),
      [0, 1, 3, 4, 5, 6, 7, 8, 9],
      'the missing file is forgotten',
    );
    const view = await calls.packagerStore().sizes();
    assert.deepEqual(
      [...view.keys()].sort(),
      ['live-run1-7.ts', 'live-run1-8.ts', 'live-run1-9.ts'],
      'the packager sees only what its window holds, so it deletes no kept segment as a stray',
    );
    await calls.close();

    // Restarted without --retention: what an earlier run kept goes, what the window holds stays.
    calls = CallService.open(opts(0));
    await calls.reconcile();
    calls.start();
    await clock.advance(10);
    await calls.reaper.kick();
    assert.deepEqual([...(await store.sizes()).keys()].sort(), [
      'live-run1-7.ts',
      'live-run1-8.ts',
      'live-run1-9.ts',
    ]);
    assert.equal(calls.db.retainedBytes(), 0);
    await calls.close();
  });
});
