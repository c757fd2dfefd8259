// test/unit/calls/retention.test.ts: planRetention (oldest first, both bounds, never a leased segment) as properties over seeded sets, and the retention settings' units.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatDuration,
  formatSize,
  parseDurationSec,
  parseSizeBytes,
} from '../../../src/calls/units.js';
import { planRetention, type RetainedSegment } from '../../../src/storage/retention-plan.js';
import { randInt, rng } from '../../helpers/ts-builder.js';

function segments(r: () => number, n: number, t0: number): RetainedSegment[] {
  let t = t0;
  return Array.from({ length: n }, (_, i) => {
    t += randInt(r, 500, 2000);
    return { uri: `live-r-${i}.ts`, endMs: t, bytes: randInt(r, 1000, 9000) };
  });
}

describe('planRetention', () => {
  it('holds its rules for random sets, ages, quotas and leases', () => {
    const r = rng(5);
    for (let round = 0; round < 500; round++) {
      const segs = segments(r, randInt(r, 0, 60), 1_000_000);
      const total = segs.reduce((s, x) => s + x.bytes, 0);
      const nowMs = 1_000_000 + randInt(r, 0, 150_000);
      const maxAgeMs = randInt(r, 0, 100_000);
      const maxBytes = r() < 0.3 ? 0 : randInt(r, 0, total + 5000);
      const leasedSet = new Set(segs.filter(() => r() < 0.15).map((s) => s.uri));
      const plan = planRetention(segs, total, {
        nowMs,
        maxAgeMs,
        maxBytes,
        leased: (u) => leasedSet.has(u),
      });
      const removed = new Set(plan.remove);
      // Never a leased segment.
      for (const u of plan.remove) assert.ok(!leasedSet.has(u));
      // Oldest first: whatever is removed comes before whatever unleased one is kept.
      const keptUnleased = segs.filter((s) => !removed.has(s.uri) && !leasedSet.has(s.uri));
      const lastRemoved = Math.max(
        -1,
        ...plan.remove.map((u) => segs.findIndex((s) => s.uri === u)),
      );
      for (const k of keptUnleased)
        assert.ok(segs.indexOf(k) > lastRemoved, 'a newer one went first');
      // Both bounds, for everything not leased.
      const kept = segs.filter((s) => !removed.has(s.uri));
      assert.equal(
        plan.keptBytes,
        kept.reduce((s, x) => s + x.bytes, 0),
      );
      const unleasedTooOld = keptUnleased.filter((k) => nowMs - k.endMs > maxAgeMs);
      assert.deepEqual(unleasedTooOld, [], 'a segment past --retention stays');
      if (maxBytes > 0) {
        assert.ok(
          plan.keptBytes <= maxBytes || keptUnleased.length === 0,
          'over the quota with unleased segments left',
        );
      }
      // Nothing more than needed: without the last removal the bounds would not hold.
      if (plan.remove.length && leasedSet.size === 0) {
        const last = segs.find((s) => s.uri === plan.remove.at(-1));
        assert.ok(
          last &&
            (nowMs - last.endMs > maxAgeMs ||
              (maxBytes > 0 && plan.keptBytes + last.bytes > maxBytes)),
        );
      }
    }
  });

  it('keeps everything young and under quota, and says when to look at the next batch', () => {
    const segs = segments(rng(1), 10, 0);
    const none = planRetention(segs, 50_000, {
      nowMs: 0,
      maxAgeMs: 1e9,
      maxBytes: 0,
      leased: () => false,
    });
    assert.deepEqual(none, { remove: [], keptBytes: 50_000, more: false });
    const all = planRetention(segs, 1e9, {
      nowMs: 1e9,
      maxAgeMs: 0,
      maxBytes: 0,
      leased: () => false,
    });
    assert.equal(all.remove.length, 10);
    assert.equal(all.more, true, 'the whole batch went: the next may be due too');
  });
});

describe('retention units', () => {
  it('reads durations and sizes, and shows them back', () => {
    assert.equal(parseDurationSec('24h'), 86400);
    assert.equal(parseDurationSec('90m'), 5400);
    assert.equal(parseDurationSec('30d'), 2_592_000);
    assert.equal(parseDurationSec('2w'), 1_209_600);
    assert.equal(parseDurationSec('45'), 45);
    assert.equal(parseDurationSec('off'), 0);
    assert.equal(parseDurationSec(0), 0);
    for (const bad of ['', '1y', '-1d', '3 days', 'h', '1e3', true])
      assert.throws(() => parseDurationSec(bad), /must be a duration such as 90m, 24h or 30d/);
    assert.equal(parseSizeBytes('500M'), 500 * 2 ** 20);
    assert.equal(parseSizeBytes('20G'), 20 * 2 ** 30);
    assert.equal(parseSizeBytes('1.5GiB'), 1.5 * 2 ** 30);
    assert.equal(parseSizeBytes('4096'), 4096);
    assert.equal(parseSizeBytes('0'), 0);
    for (const bad of ['', 'lots', '-5M', '5P', '1,000'])
      assert.throws(() => parseSizeBytes(bad), /must be a size such as 500M or 20G/);
    assert.equal(formatDuration(86400), '1d');
    assert.equal(formatDuration(5400), '90m');
    assert.equal(formatDuration(0), 'off');
    assert.equal(formatSize(256 * 2 ** 20), '256M');
    assert.equal(formatSize(0), 'no limit');
  });
});
