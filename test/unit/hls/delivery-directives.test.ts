// test/unit/hls/delivery-directives.test.ts: _HLS_msn, _HLS_part and _HLS_skip (RFC 8216bis §6.2.5) decided for a table of requests and for random positions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  advancePartLimit,
  type Decision,
  decideDirectives,
  type FeedState,
  isSatisfied,
} from '../../../src/hls/delivery-directives.js';
import type { LowLatencyInfo, PartPosition } from '../../../src/hls/live-feed.js';
import { seededRandom } from '../../../src/random.js';

/** PART-TARGET 0.25 s, TD 1 s: Advance Part Limit 12 parts, 4 parts per segment estimated. */
const LL: LowLatencyInfo = { partTargetSec: 0.25, targetDurationSec: 1, canSkipUntilSec: 6 };

function state(position: PartPosition | null, over: Partial<FeedState> = {}): FeedState {
  return { lowLatency: LL, position, ended: false, ...over };
}

function decide(query: string, s: FeedState): Decision {
  return decideDirectives(new URLSearchParams(query), s);
}

/** The name of the parameter a 400 message must mention. */
function assertBad(d: Decision, param: string, query: string): void {
  assert.equal(d.kind, 'bad', `${query}: ${JSON.stringify(d)}`);
  if (d.kind !== 'bad') return;
  assert.ok(d.message.includes(param), `${query}: "${d.message}" names ${param}`);
  assert.ok(!d.message.includes('\n'), 'one line');
}

const lexGe = (p: PartPosition, t: PartPosition): boolean =>
  p.msn > t.msn || (p.msn === t.msn && p.part >= t.part);

describe('advancePartLimit', () => {
  it('§6.2.5.2: 3 / PART-TARGET below one second, else 3', () => {
    assert.equal(advancePartLimit(0.25), 12);
    assert.equal(advancePartLimit(0.5), 6);
    assert.equal(advancePartLimit(0.2), 15);
    assert.equal(advancePartLimit(1), 3);
    assert.equal(advancePartLimit(2), 3);
  });
});

describe('decideDirectives', () => {
  const P = { msn: 10, part: 2 };

  it('LL off: every _HLS_ parameter is ignored, even a malformed one, and the full playlist goes now', () => {
    for (const q of ['_HLS_part=1', '_HLS_msn=abc', '_HLS_skip=maybe', '_HLS_msn=99999', '']) {
      assert.deepEqual(decide(q, { lowLatency: null, position: null, ended: false }), {
        kind: 'now',
        skip: 'no',
      });
    }
  });

  it('§6.2.5: a playlist with EXT-X-ENDLIST ignores blocking and skip directives', () => {
    for (const q of ['_HLS_msn=999', '_HLS_msn=11&_HLS_part=3', '_HLS_skip=YES']) {
      assert.deepEqual(decide(q, state(P, { ended: true })), { kind: 'now', skip: 'no' });
    }
  });

  it('a table of requests at position 10.2', () => {
    const cases: [string, Decision][] = [
      ['', { kind: 'now', skip: 'no' }],
      ['foo=1&_HLS_other=2', { kind: 'now', skip: 'no' }],
      ['_HLS_skip=YES', { kind: 'now', skip: 'YES' }],
      ['_HLS_skip=v2', { kind: 'now', skip: 'v2' }],
      // Reached: the same part, an earlier part, an earlier segment with any part index.
      ['_HLS_msn=10&_HLS_part=2', { kind: 'now', skip: 'no' }],
      ['_HLS_msn=10&_HLS_part=0', { kind: 'now', skip: 'no' }],
      ['_HLS_msn=9&_HLS_part=99', { kind: 'now', skip: 'no' }],
      ['_HLS_msn=3', { kind: 'now', skip: 'no' }],
      // _HLS_msn alone: part 0 of that segment, which 10 already has.
      ['_HLS_msn=10', { kind: 'now', skip: 'no' }],
      ['_HLS_msn=11', { kind: 'wait', target: { msn: 11, part: 0 }, skip: 'no' }],
      ['_HLS_msn=10&_HLS_part=3', { kind: 'wait', target: { msn: 10, part: 3 }, skip: 'no' }],
      ['_HLS_msn=011&_HLS_part=03', { kind: 'wait', target: { msn: 11, part: 3 }, skip: 'no' }],
      // Combined with a delta update.
      [
        '_HLS_msn=11&_HLS_part=1&_HLS_skip=YES',
        { kind: 'wait', target: { msn: 11, part: 1 }, skip: 'YES' },
      ],
      ['_HLS_skip=v2&_HLS_msn=10&_HLS_part=1', { kind: 'now', skip: 'v2' }],
      // M = last + 2 is allowed.
      ['_HLS_msn=12', { kind: 'wait', target: { msn: 12, part: 0 }, skip: 'no' }],
      // Parts ahead of 10.2: 10.14 is 12 (the limit), 11.10 is 2 + 10, 12.6 is 2 + 4 + 6.
      ['_HLS_msn=10&_HLS_part=14', { kind: 'wait', target: { msn: 10, part: 14 }, skip: 'no' }],
      ['_HLS_msn=11&_HLS_part=10', { kind: 'wait', target: { msn: 11, part: 10 }, skip: 'no' }],
      ['_HLS_msn=12&_HLS_part=6', { kind: 'wait', target: { msn: 12, part: 6 }, skip: 'no' }],
    ];
    for (const [q, want] of cases) assert.deepEqual(decide(q, state(P)), want, q);
  });

  it('400 for malformed values, naming the parameter', () => {
    const cases: [string, string][] = [
      ['_HLS_part=1', '_HLS_part'],
      ['_HLS_part=1&_HLS_skip=YES', '_HLS_part'],
      ['_HLS_msn=-1', '_HLS_msn'],
      ['_HLS_msn=1.5', '_HLS_msn'],
      ['_HLS_msn=%201', '_HLS_msn'],
      ['_HLS_msn=0x10', '_HLS_msn'],
      ['_HLS_msn=1e3', '_HLS_msn'],
      ['_HLS_msn=', '_HLS_msn'],
      ['_HLS_msn=+3', '_HLS_msn'],
      ['_HLS_msn=99999999999999999999', '_HLS_msn'],
      ['_HLS_msn=10&_HLS_msn=11', '_HLS_msn'],
      ['_HLS_msn=11&_HLS_part=-1', '_HLS_part'],
      ['_HLS_msn=11&_HLS_part=one', '_HLS_part'],
      ['_HLS_msn=11&_HLS_part=', '_HLS_part'],
      ['_HLS_skip=yes', '_HLS_skip'],
      ['_HLS_skip=V2', '_HLS_skip'],
      ['_HLS_skip=', '_HLS_skip'],
      ['_HLS_skip=YES&_HLS_skip=YES', '_HLS_skip'],
      ['_HLS_msn=11&_HLS_skip=NO', '_HLS_skip'],
    ];
    for (const [q, param] of cases) assertBad(decide(q, state(P)), param, q);
  });

  it('§6.2.5.2: 400 for _HLS_msn past the last segment + 2 and for parts past the Advance Part Limit', () => {
    assertBad(decide('_HLS_msn=13', state(P)), '_HLS_msn', 'msn 13');
    assertBad(decide('_HLS_msn=13&_HLS_part=0', state(P)), '_HLS_msn', 'msn 13 part 0');
    assertBad(decide('_HLS_msn=10&_HLS_part=15', state(P)), '_HLS_part', '10.15');
    assertBad(decide('_HLS_msn=11&_HLS_part=11', state(P)), '_HLS_part', '11.11');
    assertBad(decide('_HLS_msn=12&_HLS_part=7', state(P)), '_HLS_part', '12.7');
    // PART-TARGET 1 s (TD 4): the limit is 3 parts.
    const slow = state(
      { msn: 5, part: 0 },
      {
        lowLatency: { partTargetSec: 1, targetDurationSec: 4, canSkipUntilSec: 24 },
      },
    );
    assert.equal(decide('_HLS_msn=5&_HLS_part=3', slow).kind, 'wait');
    assertBad(decide('_HLS_msn=5&_HLS_part=4', slow), '_HLS_part', '5.4 at 1 s parts');
    // _HLS_msn alone is only held to the msn rule, not the part limit (5 → 7.0 is 8 parts).
    assert.equal(decide('_HLS_msn=7', slow).kind, 'wait');
  });

  it('the segment in progress counts the parts it already has when they exceed the estimate', () => {
    // 10.6 published although TD / PART-TARGET estimates 4 parts: 11.0 is one part ahead.
    const long = state({ msn: 10, part: 6 });
    assert.equal(decide('_HLS_msn=11&_HLS_part=11', long).kind, 'wait');
    assert.equal(decide('_HLS_msn=11&_HLS_part=12', long).kind, 'bad');
  });

  it('§6.2.5.1: _HLS_skip is ignored without CAN-SKIP-UNTIL, but a bad value is still refused', () => {
    const noSkip = state(P, { lowLatency: { ...LL, canSkipUntilSec: 0 } });
    assert.deepEqual(decide('_HLS_skip=YES', noSkip), { kind: 'now', skip: 'no' });
    assert.deepEqual(decide('_HLS_msn=11&_HLS_skip=v2', noSkip), {
      kind: 'wait',
      target: { msn: 11, part: 0 },
      skip: 'no',
    });
    assertBad(decide('_HLS_skip=1', noSkip), '_HLS_skip', 'skip=1');
  });

  it('before the first part every well-formed blocking request waits (no limit to count from)', () => {
    assert.deepEqual(decide('_HLS_msn=0', state(null)), {
      kind: 'wait',
      target: { msn: 0, part: 0 },
      skip: 'no',
    });
    assert.equal(decide('_HLS_msn=500&_HLS_part=40', state(null)).kind, 'wait');
    assertBad(decide('_HLS_part=0', state(null)), '_HLS_part', 'part alone');
  });

  it('property: for random positions and requests, now ⇔ P ≥ (M, N), and 400 only past a limit', () => {
    const r = seededRandom(8216);
    const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
    for (let i = 0; i < 20000; i++) {
      const info: LowLatencyInfo = {
        partTargetSec: [0.1, 0.2, 0.25, 0.333, 0.5, 1, 2][int(0, 6)] ?? 0.25,
        targetDurationSec: int(1, 6),
        canSkipUntilSec: 36,
      };
      const P = { msn: int(0, 50), part: int(0, 30) };
      const M = int(Math.max(0, P.msn - 3), P.msn + 4);
      const withPart = r() < 0.8;
      const N = withPart ? int(0, 40) : 0;
      const q = withPart ? `_HLS_msn=${M}&_HLS_part=${N}` : `_HLS_msn=${M}`;
      const d = decide(q, { lowLatency: info, position: P, ended: false });
      const target = { msn: M, part: N };
      // An independent count: step part by part from P to (M, 0), then N more.
      const perSegment = Math.ceil(info.targetDurationSec / info.partTargetSec);
      let ahead = 0;
      for (let at = { ...P }; at.msn < M; ahead++) {
        const partsOfAt = at.msn === P.msn ? Math.max(perSegment, P.part + 1) : perSegment;
        at =
          at.part + 1 < partsOfAt
            ? { msn: at.msn, part: at.part + 1 }
            : { msn: at.msn + 1, part: 0 };
      }
      ahead = M === P.msn ? N - P.part : ahead + N;
      const tooFar = M > P.msn + 2 || (withPart && ahead > advancePartLimit(info.partTargetSec));
      if (lexGe(P, target))
        assert.deepEqual(d, { kind: 'now', skip: 'no' }, `${q} at ${P.msn}.${P.part}`);
      else if (tooFar)
        assert.equal(d.kind, 'bad', `${q} at ${P.msn}.${P.part}: ${JSON.stringify(d)}`);
      else assert.deepEqual(d, { kind: 'wait', target, skip: 'no' }, `${q} at ${P.msn}.${P.part}`);
      assert.equal(isSatisfied(target, P), lexGe(P, target));
    }
  });

  it('property: over a random stream of parts, a request is answered exactly at the part §6.2.5.2 names', () => {
    const r = seededRandom(62552);
    const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
    // A generous limit so the walk sees only now/wait (the limits are checked above).
    const info: LowLatencyInfo = { partTargetSec: 0.01, targetDurationSec: 1, canSkipUntilSec: 6 };
    for (let run = 0; run < 300; run++) {
      // Segments of 1 to 8 parts, published one part at a time.
      const partsOf = Array.from({ length: 12 }, () => int(1, 8));
      const stream: PartPosition[] = [];
      partsOf.forEach((n, msn) => {
        for (let part = 0; part < n; part++) stream.push({ msn, part });
      });
      const M = int(0, 9);
      const withPart = r() < 0.7;
      const N = withPart ? int(0, 10) : 0;
      // "If the Client requests a Part Index greater than that of the final Partial Segment of
      // the Parent Segment, the Server MUST treat the request as one for Part Index 0 of the
      // following Parent Segment."
      const wanted = N < (partsOf[M] ?? 0) ? { msn: M, part: N } : { msn: M + 1, part: 0 };
      const wantedAt = stream.findIndex((p) => p.msn === wanted.msn && p.part === wanted.part);
      const q = withPart ? `_HLS_msn=${M}&_HLS_part=${N}` : `_HLS_msn=${M}`;
      // Asked from a random earlier point, then re-decided after every publish, as a held request is.
      const askedAt = int(0, wantedAt);
      let answeredAt = -1;
      for (let i = askedAt; i < stream.length && answeredAt < 0; i++) {
        const d = decide(q, { lowLatency: info, position: stream[i] ?? null, ended: false });
        if (d.kind === 'now') answeredAt = i;
        else if (d.kind === 'bad') assert.ok(M > (stream[i]?.msn ?? 0) + 2, `${q}: ${d.message}`);
      }
      assert.equal(answeredAt, Math.max(askedAt, wantedAt), `${q} over ${partsOf.join(',')}`);
    }
  });
});
