// scripts/soak.ts: the long soaks against the real CLI. --restarts N runs the restart storm; otherwise a day of stream (--hours, default 24).
// Usage: node --import tsx scripts/soak.ts [--restarts N] [--hours H] [--seed S] [--speed X] [--cli tsx|dist|PATH] [--keep]
import { parseArgs } from 'node:util';
import {
  type CliKind,
  defaultCli,
  type DayReport,
  formatViolations,
  runDaySoak,
  runStorm,
  type StormReport,
} from '../test/helpers/soak.js';

const MB = 1024 * 1024;

function num(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`soak: --${name} must be a positive number, got ${v}`);
  return n;
}

function stormSummary(r: StormReport): string {
  return [
    `restart storm: ${r.restarts} restarts (${r.signals.SIGTERM} SIGTERM, ${r.signals.SIGKILL} SIGKILL), seed ${r.seed}`,
    `  triggers: ${JSON.stringify(r.triggers)}`,
    `  ${r.segmentsSeen} segments listed, ${r.segmentsDecoded} decoded by ffmpeg (${r.decodesSkipped} sampled out), ${r.playlistsPolled} playlists polled`,
    `  --out peak ${r.maxFiles} files / ${(r.maxBytes / MB).toFixed(2)} MB (bound ${r.fileBound} files / ${(r.byteBound / MB).toFixed(2)} MB)`,
    `  ${r.mediaSec.toFixed(0)} s of media in ${r.wallSec.toFixed(1)} s wall`,
    r.dir ? `  kept: ${r.dir}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

function daySummary(r: DayReport): string {
  const first = r.samples[0];
  const last = r.samples.at(-1);
  const fig = (x: typeof first | undefined): string =>
    x
      ? `disk ${(x.diskBytes / MB).toFixed(1)} MB (${x.files} files), rss ${(x.rssBytes / MB).toFixed(1)} MB, fds ${x.fds}, segments ${x.segments}, msn ${x.msn}`
      : '-';
  return [
    `day soak: ${r.hours} h of media at ${r.speed}× (achieved ${r.achievedSpeed.toFixed(0)}× over the feed) in ${r.wallSec.toFixed(1)} s wall (feed ${r.feedWallSec.toFixed(1)} s)`,
    `  first report: ${fig(first)}`,
    `  last report:  ${fig(last)}`,
    `  wrap at ${r.wrapAtSec} s media; ${r.wrapSegments.length} segments checked there; reconnects: ${r.reconnects.map((x) => `${x.kind}@${x.atSec.toFixed(0)}s→msn ${x.expectedMsn} disc ${String(x.discontinuity)}`).join(', ')}`,
    `  discontinuities in the stream: ${r.discontinuityTotal}; ${r.segmentsListed} segments; max lag ~${r.maxLagSec.toFixed(0)} s media; file bound ${r.fileBound}`,
    `  pacing: ${r.pace.drainWaits} drain waits, ${r.pace.reanchors} re-anchors; ${r.decoded} segments decoded`,
    r.harnessProblems.length ? `  HARNESS PROBLEMS:\n    ${r.harnessProblems.join('\n    ')}` : '',
    r.dir ? `  kept: ${r.dir}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      restarts: { type: 'string' },
      hours: { type: 'string' },
      seed: { type: 'string' },
      speed: { type: 'string' },
      cli: { type: 'string' },
      keep: { type: 'boolean' },
    },
    strict: true,
  });
  const cli: CliKind = values.cli ?? defaultCli();
  const seed = Math.floor(num(values.seed, 'seed', Date.now() % 1e9));
  const log = (line: string): void => void process.stdout.write(line + '\n');
  if (values.restarts !== undefined) {
    const restarts = Math.floor(num(values.restarts, 'restarts', 100));
    log(`restart storm: ${restarts} restarts, seed ${seed}, cli ${cli}`);
    const r = await runStorm({
      restarts,
      seed,
      speed: num(values.speed, 'speed', 20),
      cli,
      log,
      keep: values.keep ?? false,
    });
    log(stormSummary(r));
    log(formatViolations(r.violations, r.violationCounts));
    return r.violations.length ? 1 : 0;
  }
  const hours = num(values.hours, 'hours', 24);
  const speed = num(values.speed, 'speed', 30);
  log(`day soak: ${hours} h of media at ${speed}×, cli ${cli}`);
  const r = await runDaySoak({ hours, speed, cli, log, keep: values.keep ?? false });
  log(daySummary(r));
  log(formatViolations(r.violations, r.violationCounts));
  return r.violations.length || r.harnessProblems.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  },
);
