// test/integration/day-soak.test.ts: a short "day of stream": 0.5 h of media through the real TCP path at 30× real time (LL-HLS parts on), across a 33-bit PTS wrap and three reconnects; disk, RSS and fds stay flat, and only the reconnects are discontinuities.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatViolations, runDaySoak } from '../helpers/soak.js';

describe('a day of stream, short', () => {
  it(
    'streams 0.5 h of media with a PTS wrap and three reconnects, flat and clean',
    { timeout: 300_000 },
    async (t) => {
      const r = await runDaySoak({
        hours: 0.5,
        // LL-HLS writes five part files per segment: 30× is what this 2-core machine keeps up with.
        speed: 30,
        // Around the wrap and the reconnects the feed slows well below that, so every segment there is read.
        slowSpeed: 5,
        reportEverySec: 300,
        reconnects: [
          { at: 0.2, kind: 'continue' },
          { at: 0.6, kind: 'jump' },
          { at: 0.8, kind: 'continue' },
        ],
        log: (line) => console.log(line),
      });
      t.diagnostic(
        `${r.hours} h at ${r.speed}× (achieved ${r.achievedSpeed.toFixed(0)}×) in ${r.wallSec.toFixed(1)} s wall; ` +
          `${r.segmentsListed} segments; discontinuities ${r.discontinuityTotal}; wrap at ${r.wrapAtSec} s`,
      );
      assert.deepEqual(r.harnessProblems, []);
      assert.equal(r.reconnects.length, 3);
      assert.ok(r.samples.length >= 5, `${r.samples.length} reports`);
      assert.ok(r.wrapSegments.length >= 2, 'segments around the PTS wrap were checked');
      assert.ok(r.violations.length === 0, formatViolations(r.violations, r.violationCounts));
    },
  );
});
