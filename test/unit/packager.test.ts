// test/unit/packager.test.ts: segment lifetime on disk: listed, then kept for the availability duration, then deleted (fake clock).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Packager } from '../../src/packager.js';
import { MemoryStore } from '../../src/storage/segment-store.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { testPackager } from '../helpers/packager.js';
import { makeTs } from '../helpers/media.js';
import { tempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const listed = (p: Packager) =>
  (p.playlistText() ?? '').split('\n').filter((l) => l.endsWith('.ts'));

describe('Packager segment lifetime', () => {
  it('§6.2.2: a segment that left the playlist stays for (window + 2) × target duration, then goes', async () => {
    const dir = tempDir();
    const clock = new FakeClock();
    const p = testPackager(dir, clock);
    await p.init();
    p.startSession('test');
    p.push(readFileSync(await makeTs('mp3', 11)));
    await p.endSession();
    const files = () => readdirSync(join(dir, 'seg')).filter((f) => f.endsWith('.ts'));
    // The last segment is 1.04 s: three would list less than 3 × TD (§6.2.2), so four stay.
    assert.equal(listed(p).length, 4);
    assert.equal(files().length, 6, 'evicted segments are still downloadable');
    await clock.advance((3 + 2) * 2 * 1000 - 1);
    assert.equal(files().length, 6);
    await clock.advance(1);
    // The deletions are real file-system calls: wait for them to land.
    const want = JSON.stringify([...listed(p)].sort());
    await waitFor(
      () => JSON.stringify(files().sort()) === want,
      'only the listed segments to remain',
    );
    await p.close();
  });

  it('a restart deletes what the previous run left unlisted, after the availability time, and keeps the listed', async () => {
    const dir = tempDir();
    const clock = new FakeClock();
    const a = testPackager(dir, clock);
    await a.init();
    a.startSession('test');
    a.push(readFileSync(await makeTs('mp3', 11)));
    await a.endSession();
    await a.close();
    // A stray segment of ours and a temp file from a crash.
    writeFileSync(join(dir, 'seg', 'live-old-99.ts'), 'x');
    writeFileSync(join(dir, 'seg', '.tmp-live-x.ts'), 'x');
    const b = testPackager(dir, clock);
    await b.init();
    assert.deepEqual(listed(b), listed(a));
    assert.ok(!existsSync(join(dir, 'seg', '.tmp-live-x.ts')), 'temp files go at once');
    assert.ok(
      existsSync(join(dir, 'seg', 'live-old-99.ts')),
      'a stray may still be in use: it waits',
    );
    await clock.advance(10_000);
    const want = JSON.stringify([...listed(a)].sort());
    const left = () =>
      JSON.stringify(
        readdirSync(join(dir, 'seg'))
          .filter((f) => f.endsWith('.ts'))
          .sort(),
      );
    await waitFor(() => left() === want, 'the stray segment to be deleted');
    await b.close();
  });
});

describe('Packager over a MemoryStore', () => {
  it('restart: lists only what the store still holds at its size, numbers go on, and marks the join', async () => {
    const dir = tempDir();
    const clock = new FakeClock();
    const store = new MemoryStore();
    const a = testPackager(dir, clock, { store, window: 5 });
    await a.init();
    a.startSession('test');
    a.push(readFileSync(await makeTs('mp3', 11)));
    await a.endSession();
    await a.close();
    const before = listed(a);
    assert.equal(before.length, 5);
    // The third listed file is lost: only the two after it can be listed again.
    await store.remove(before[2]);
    const b = testPackager(dir, clock, { store, window: 5 });
    await b.init();
    assert.deepEqual(listed(b), before.slice(3));
    assert.match(b.playlistText() ?? '', /#EXT-X-MEDIA-SEQUENCE:4\n/);
    b.startSession('test');
    b.push(readFileSync(await makeTs('mp3', 3)));
    await b.endSession();
    const text = b.playlistText() ?? '';
    const firstNew = text.split('\n').findIndex((l) => l === listed(b)[2]);
    assert.equal(text.split('\n')[firstNew - 3], '#EXT-X-DISCONTINUITY', text);
    await b.close();
  });
});
