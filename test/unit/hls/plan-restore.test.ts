// test/unit/hls/plan-restore.test.ts: a restart lists only the saved segments whose files are there at their size; sequence numbers never go back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WindowState } from '../../../src/hls/live-window.js';
import { planRestore } from '../../../src/hls/plan-restore.js';

function saved(n: number, first = 10, discAt: number[] = []): WindowState {
  return {
    targetDurationSec: 2,
    mediaSequence: first,
    discontinuitySequence: 3,
    nextMsn: first + n,
    segments: Array.from({ length: n }, (_, i) => ({
      msn: first + i,
      uri: `live-r-${first + i}.ts`,
      durationSec: 2,
      discontinuity: discAt.includes(i),
      programDateTimeMs: 1_000_000 + i * 2000,
      bytes: 1000 + i,
    })),
  };
}

const allFiles = (w: WindowState) => new Map(w.segments.map((s) => [s.uri, s.bytes ?? 0]));

describe('planRestore', () => {
  it('keeps every segment whose file is there at its recorded size', () => {
    const w = saved(4);
    const p = planRestore(w, allFiles(w), 2);
    assert.equal(p.reason, null);
    assert.deepEqual(p.window, w);
    assert.deepEqual(p.dropped, []);
  });

  it('an emptied --out lists nothing, and the sequence numbers go on', () => {
    const w = saved(4, 10, [0, 2]);
    const p = planRestore(w, new Map(), 2);
    assert.deepEqual(p.window.segments, []);
    assert.equal(p.window.mediaSequence, 14);
    assert.equal(p.window.nextMsn, 14);
    // §6.2.2: both discontinuities left with their segments.
    assert.equal(p.window.discontinuitySequence, 5);
    assert.equal(p.dropped.length, 4);
    assert.match(p.reason ?? '', /4 listed segment file\(s\) are missing/);
  });

  it('a hole keeps only the tail after it (sequence numbers are positions)', () => {
    const w = saved(5, 20, [1]);
    const files = allFiles(w);
    files.delete('live-r-22.ts');
    const p = planRestore(w, files, 2);
    assert.deepEqual(
      p.window.segments.map((s) => s.msn),
      [23, 24],
    );
    assert.equal(p.window.mediaSequence, 23);
    assert.equal(p.window.discontinuitySequence, 4);
    assert.equal(p.window.nextMsn, 25);
    assert.deepEqual(
      p.dropped.map((s) => s.msn),
      [20, 21, 22],
    );
  });

  it('a file of another size counts as missing (a torn copy); one without a recorded size only has to exist', () => {
    const w = saved(3);
    const files = allFiles(w);
    files.set('live-r-11.ts', 5);
    assert.deepEqual(
      planRestore(w, files, 2).window.segments.map((s) => s.msn),
      [12],
    );
    const legacy = { ...w, segments: w.segments.map(({ bytes: _b, ...s }) => s) };
    const sized = new Map([...files].map(([k]) => [k, 1]));
    assert.equal(planRestore(legacy, sized, 2).window.segments.length, 3);
  });

  it('a changed target duration lists nothing but keeps counting', () => {
    const w = saved(3);
    const p = planRestore(w, allFiles(w), 4);
    assert.deepEqual(p.window.segments, []);
    assert.equal(p.window.targetDurationSec, 4);
    assert.equal(p.window.mediaSequence, 13);
    assert.match(p.reason ?? '', /target duration changed from 2 to 4/);
  });

  it('for any set of missing files: never decreasing sequences, a contiguous tail of present files', () => {
    let seed = 99;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let iter = 0; iter < 500; iter++) {
      const n = Math.floor(rnd() * 8);
      const disc = Array.from({ length: n }, (_, i) => i).filter(() => rnd() < 0.3);
      const w = saved(n, Math.floor(rnd() * 1000), disc);
      const files = new Map([...allFiles(w)].filter(() => rnd() < 0.8));
      const p = planRestore(w, files, 2);
      assert.ok(p.window.mediaSequence >= w.mediaSequence);
      assert.ok(p.window.discontinuitySequence >= w.discontinuitySequence);
      assert.ok(p.window.nextMsn >= w.nextMsn);
      assert.ok(p.window.segments.every((s) => files.get(s.uri) === s.bytes));
      const msns = p.window.segments.map((s) => s.msn);
      assert.deepEqual(
        msns,
        w.segments.slice(w.segments.length - msns.length).map((s) => s.msn),
      );
      if (msns.length) assert.equal(p.window.mediaSequence, msns[0]);
      assert.equal(p.dropped.length + msns.length, n);
    }
  });
});
