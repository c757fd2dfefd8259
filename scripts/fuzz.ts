// scripts/fuzz.ts: npm run fuzz: the segmenter on 10,000 (--count) seeded mutations of every kind of test stream, in a worker thread with a per-input time limit; exits 1 on any exception, hang or broken invariant.
// Usage: node --import tsx scripts/fuzz.ts [--count 10000] [--seed N|random] [--time-limit-ms 2000] [--from I]
//        node --import tsx scripts/fuzz.ts --seed N --index I [--dump FILE]   (one input, with details)
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  type CaseResult,
  formatDetails,
  formatFailure,
  formatSummary,
  loadFixtures,
  planCase,
  runFuzz,
} from '../test/helpers/fuzz-engine.js';

const USAGE = `usage: node --import tsx scripts/fuzz.ts [--count N] [--seed N|random] [--time-limit-ms MS] [--from I]
       node --import tsx scripts/fuzz.ts --seed N --index I [--dump FILE]`;

function fail(message: string): never {
  console.error(`fuzz: ${message}\n${USAGE}`);
  process.exit(2);
}

function whole(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer of at least ${min}`);
  return n;
}

let args;
try {
  args = parseArgs({
    options: {
      count: { type: 'string' },
      seed: { type: 'string' },
      'time-limit-ms': { type: 'string' },
      from: { type: 'string' },
      index: { type: 'string' },
      dump: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }).values;
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const seed =
  args.seed === 'random'
    ? Math.floor(Math.random() * 0xffffffff) + 1
    : whole('seed', args.seed, 1, 0);
const timeLimitMs = whole('time-limit-ms', args['time-limit-ms'], 2000, 1);
const single = args.index !== undefined;
const from = single ? whole('index', args.index, 0, 0) : whole('from', args.from, 0, 0);
const count = single ? 1 : whole('count', args.count, 10_000, 1);
if (args.dump !== undefined && !single) fail('--dump needs --index');

const t0 = performance.now();
const fixtures = await loadFixtures();
const fixtureSec = (performance.now() - t0) / 1000;
console.log(
  `fuzz: seed ${seed}, inputs ${from}..${from + count - 1}, time limit ${timeLimitMs} ms per input; ` +
    `fixtures (${fixtureSec.toFixed(1)} s): ${fixtures.map((f) => `${f.name} ${f.bytes.length} B`).join(', ')}`,
);

if (args.dump !== undefined) {
  const plan = planCase(fixtures, seed, from);
  writeFileSync(args.dump, plan.input);
  console.log(`fuzz: wrote input ${from} (${plan.input.length} bytes) to ${args.dump}`);
}

const step = Math.max(1, Math.round(count / 10));
const summary = await runFuzz({
  fixtures,
  seed,
  from,
  count,
  timeLimitMs,
  onResult: (r: CaseResult) => {
    if (r.outcome !== 'ok') console.log(formatFailure(seed, r));
    if (single) {
      console.log(
        `fuzz: input ${r.index}: ${r.fixture}, ${r.description}\n` +
          `  ${r.setup}: ${r.outcome}, ${r.segments} segment(s) (${r.overTarget} over the target), ` +
          `${r.ms.toFixed(1)} ms, warnings: ${r.warnings.join(', ') || 'none'}`,
      );
    } else if ((r.index - from + 1) % step === 0 && r.index + 1 < from + count) {
      console.error(`fuzz: ${r.index - from + 1}/${count} inputs…`);
    }
  },
});
console.log(formatDetails(summary));
console.log(formatSummary(summary));
const failed = summary.exceptions + summary.hangs + summary.invariantFailures;
process.exit(failed > 0 ? 1 : 0);
