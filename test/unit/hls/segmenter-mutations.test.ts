// test/unit/hls/segmenter-mutations.test.ts: the seeded CI subset of npm run fuzz: 2,000 mutated streams never make the segmenter throw or hang, every segment is whole packets led by PAT and PMT, and undamaged streams keep their elementary streams and bytes whatever the read sizes.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Segmenter } from '../../../src/hls/segmenter.js';
import { seeded } from '../../helpers/es.js';
import {
  type CasePlan,
  esDifference,
  type Fixture,
  formatFailure,
  formatSummary,
  loadFixtures,
  planCase,
  type Run,
  runDifference,
  runFuzz,
  segment,
  segmentProblem,
} from '../../helpers/fuzz-engine.js';
import { MUTATORS, mutateOnce } from '../../helpers/mutate.js';

const SEED = 20260101;
/** About 6 s on a 2-core VM (2.7 ms an input); npm run fuzz runs 10,000. */
const COUNT = 2000;

/** A generator per small seed (xorshift's first draws from 1, 2, 3… are all near 0). */
function rndFor(seed: number): () => number {
  return seeded(Math.imul(seed, 0x9e3779b1) >>> 0 || 1);
}

describe('Segmenter on mutated streams (seeded subset of npm run fuzz)', () => {
  let fixtures: Fixture[];
  before(async () => {
    fixtures = await loadFixtures();
  });

  it('every mutator is pure and repeatable, and never throws, whatever the input length', () => {
    const real = fixtures[0].bytes;
    const noise = Buffer.alloc(3000);
    const rnd = rndFor(99);
    for (let i = 0; i < noise.length; i++) noise[i] = Math.floor(rnd() * 256);
    const inputs: Uint8Array[] = [
      ...[0, 1, 4, 187, 188, 189, 375, 376, 377, 188 * 12 + 5].map((n) => real.subarray(0, n)),
      real.subarray(7, 7 + 188 * 30), // misaligned
      noise,
      Buffer.alloc(188 * 5, 0x47),
    ];
    for (const m of MUTATORS) {
      for (const input of inputs) {
        const before = Buffer.from(input);
        for (let seed = 1; seed <= 6; seed++) {
          const what = `${m.name} on ${input.length} bytes, seed ${seed}`;
          const a = m.mutate(input, rndFor(seed));
          const b = m.mutate(input, rndFor(seed));
          assert.ok(Buffer.isBuffer(a.bytes), `${what}: a Buffer`);
          assert.ok(a.bytes.equals(b.bytes), `${what}: same bytes for the same seed`);
          assert.equal(a.description, b.description, `${what}: same description`);
          assert.ok(a.description.startsWith(`${m.name}: `), `${what}: "${a.description}"`);
          a.bytes.fill(0);
          assert.ok(before.equals(input), `${what}: input left alone, output is a new buffer`);
        }
      }
    }
    // Even a generator stuck at one value ends every mutator (no rejection loops).
    for (const m of MUTATORS)
      for (const stuck of [0, 0.5, 1 - 2 ** -32])
        for (const input of [real, real.subarray(0, 400)]) m.mutate(input, () => stuck);
    assert.ok(MUTATORS.some((m) => m.name === 'combo'));
    assert.match(mutateOnce(real, rndFor(3)).description, /^[a-z-]+: /);
  });

  it('every mutator changes every fixture for most seeds', () => {
    for (const m of MUTATORS) {
      for (const f of fixtures) {
        let changed = 0;
        for (let seed = 1; seed <= 10; seed++)
          if (!m.mutate(f.bytes, rndFor(seed)).bytes.equals(f.bytes)) changed++;
        // psi-span on a fixture without that table, say, may leave one seed's input alone.
        assert.ok(changed >= 7, `${m.name} on ${f.name}: only ${changed}/10 seeds changed it`);
      }
    }
  });

  it('the segment check finds a torn packet, a missing PAT or PMT, and PSI or foreign PIDs after them', () => {
    const segments: Buffer[] = [];
    const s = new Segmenter({ segmentDurationSec: 2, targetDurationSec: 2, program: null }, (e) => {
      if (e.type === 'segment') segments.push(Buffer.from(e.segment.bytes));
    });
    s.push(fixtures[0].bytes, 0);
    s.end(0);
    const good = segments[0];
    assert.equal(segmentProblem(good, 2), null);
    const pmtPid = ((good[189] & 0x1f) << 8) | good[190];
    const edited = (edit: (b: Buffer) => Buffer | void): Buffer => {
      const b = Buffer.from(good);
      return edit(b) ?? b;
    };
    const cases: [string, Buffer, RegExp][] = [
      ['torn', good.subarray(0, good.length - 1), /not whole packets/],
      ['no sync', edited((b) => void (b[188 * 3] = 0)), /does not start with 0x47/],
      ['no PAT', good.subarray(188), /not the PAT/],
      ['PAT CRC', edited((b) => void (b[20] ^= 1)), /PAT: bad CRC/],
      ['PMT PID', edited((b) => void (b[190] ^= 1)), /not the PMT PID/],
      ['PAT again', Buffer.concat([good, good.subarray(0, 188)]), /PSI \(PID 0\)/],
      ['PMT again', Buffer.concat([good, good.subarray(188, 376)]), /PSI \(PID/],
      ['foreign PID', edited((b) => void (b[188 * 4 + 2] ^= 0x40)), /the PMT does not list/],
    ];
    for (const [what, b, want] of cases) assert.match(segmentProblem(b, 2) ?? 'none', want, what);
    assert.match(segmentProblem(good, 0) ?? 'none', /duration 0/);
    assert.ok(pmtPid > 0);
  });

  it('the run checks find lost elementary-stream bytes, broken counters and runs that differ', () => {
    const f = fixtures[0];
    const plan: CasePlan = {
      ...planCase(fixtures, SEED, 0),
      ...{ fixture: f.name, kind: f.kind, mutator: 'none', description: 'none: undamaged' },
      ...{ input: Buffer.from(f.bytes), reference: f.bytes, intact: true },
      ...{ segmentDurationSec: 2, program: null, reads: 'one', endAt: -1 },
    };
    const run = segment(plan, []);
    assert.ok(run.segments.length >= 3);
    assert.equal(esDifference(plan, run), null);
    assert.equal(runDifference(segment(plan, [1000, 1001, 5000]), run), null);
    const doctored = (edit: (segments: Buffer[]) => void): Run => {
      const segments = run.segments.map((b) => Buffer.from(b));
      edit(segments);
      return { ...run, segments };
    };
    const noLastPacket = doctored((s) => (s[0] = s[0].subarray(0, s[0].length - 188)));
    assert.match(esDifference(plan, noLastPacket) ?? 'none', /ES bytes out/);
    const badCounter = doctored((s) => (s[1][188 * 3 + 3] ^= 0x01));
    assert.match(esDifference(plan, badCounter) ?? 'none', /continuity counter/);
    assert.match(runDifference(noLastPacket, run) ?? 'none', /segment 0 differs/);
    const oneLess = { ...run, segments: run.segments.slice(1) };
    assert.match(runDifference(oneLess, run) ?? 'none', /segments, not/);
  });

  it(`${COUNT} seeded mutated inputs: no exception, no hang, no broken invariant`, async () => {
    const s = await runFuzz({ fixtures, seed: SEED, count: COUNT, timeLimitMs: 5000 });
    const report = [formatSummary(s), ...s.failures.map((f) => formatFailure(SEED, f))].join('\n');
    assert.equal(s.inputs, COUNT, report);
    assert.equal(s.exceptions, 0, report);
    assert.equal(s.hangs, 0, report);
    assert.equal(s.invariantFailures, 0, report);
    assert.equal(s.workerStarts, 1, report);
    // The damage is real but most inputs still play: a good share yields segments.
    assert.ok(s.withSegments >= 0.85 * COUNT, `${s.withSegments} inputs produced segments`);
    assert.ok(s.segments >= 3 * COUNT, `${s.segments} segments`);
    assert.ok(s.identityRuns >= 0.06 * COUNT, `${s.identityRuns} undamaged inputs checked`);
    for (const m of [...MUTATORS.map((x) => x.name), 'none'])
      assert.ok((s.byMutator[m]?.inputs ?? 0) >= 30, `${m}: ${s.byMutator[m]?.inputs} inputs`);
    for (const f of fixtures) assert.ok((s.byFixture[f.name]?.inputs ?? 0) >= 100, f.name);
    for (const r of ['one', 'small', 'large', 'mixed', 'bytes'])
      assert.ok((s.byReads[r] ?? 0) >= 50, `${r} reads: ${s.byReads[r]}`);
    // The damage reaches every way the segmenter can complain.
    const codes = ['cc-error', 'resync', 'psi', 'pts-jump', 'pmt-change', 'transport-error'];
    for (const w of [...codes, 'no-timing-stream'])
      assert.ok((s.warnings[w] ?? 0) >= 5, `warning ${w}: ${s.warnings[w]} inputs`);
  });

  it('an input that never returns is killed at the time limit and reported with its seed, and the run goes on', async () => {
    const s = await runFuzz({ fixtures, seed: SEED, count: 4, timeLimitMs: 1500, hangIndex: 1 });
    assert.equal(s.inputs, 4);
    assert.equal(s.hangs, 1);
    assert.equal(s.exceptions + s.invariantFailures, 0);
    assert.equal(s.workerStarts, 2);
    assert.equal(s.failures[0].index, 1);
    assert.match(formatFailure(SEED, s.failures[0]), /--seed 20260101 --index 1$/);
  });
});
