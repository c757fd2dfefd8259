// test/helpers/fuzz-engine.ts: the segmenter fuzzer shared by scripts/fuzz.ts and its seeded CI subset: seeded cases (fixture, mutator, segment duration, read sizes), the invariants every run must keep, and a worker thread that is killed and restarted when one input runs past the time limit.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  isMainThread,
  type MessagePort,
  parentPort,
  Worker,
  workerData,
} from 'node:worker_threads';
import { Segmenter, type WarningCode } from '../../src/hls/segmenter.js';
import { crc32Mpeg } from '../../src/ts/crc32.js';
import { elementaryStreams, fixedReads, randomReads, segmentsEs, seeded } from './es.js';
import { makeTs, type MediaKind } from './media.js';
import { MUTATORS, type Rnd } from './mutate.js';

const P = 188;

/** One input the mutators start from. */
export interface Fixture {
  name: string;
  kind: MediaKind;
  bytes: Uint8Array;
}

/** The fixtures: every kind of test stream, short (3–6 s). */
export const FIXTURE_KINDS: readonly { kind: MediaKind; seconds: number }[] = [
  { kind: 'mp3', seconds: 6 },
  { kind: 'mp3-lsf', seconds: 6 },
  { kind: 'aac', seconds: 6 },
  { kind: 'h264', seconds: 3 },
  { kind: 'mp3-two-programs', seconds: 6 },
  { kind: 'mp3-gst', seconds: 6 },
];

/** Makes (or finds cached) the fixtures with ffmpeg and GStreamer, one at a time. */
export async function loadFixtures(): Promise<Fixture[]> {
  const out: Fixture[] = [];
  for (const { kind, seconds } of FIXTURE_KINDS)
    out.push({ name: kind, kind, bytes: readFileSync(await makeTs(kind, seconds)) });
  return out;
}

/** How the input is fed to the segmenter. */
export type ReadMode = 'one' | 'small' | 'large' | 'mixed' | 'bytes';

/** Share of inputs left undamaged (mutator 'none'), fed in random reads, for the identity checks. */
const IDENTITY_SHARE = 0.1;
/** Inputs up to this size may be fed one byte per read. */
const SINGLE_BYTE_MAX = 128 * 1024;
const TARGET_DURATION_SEC = 2;

/** Everything one fuzz input is made of; planCase(fixtures, seed, index) makes the same one every time. */
export interface CasePlan {
  index: number;
  fixture: string;
  kind: MediaKind;
  mutator: string;
  description: string;
  input: Buffer;
  /** Undamaged ('none') or changed losslessly: the elementary streams must come out whole. */
  intact: boolean;
  /** The fixture the input was made from. */
  reference: Uint8Array;
  segmentDurationSec: number;
  targetDurationSec: number;
  /** SegmenterOptions.program: null (the first), or a program number of the two-program fixture. */
  program: number | null;
  reads: ReadMode;
  readSeed: number;
  /** Byte offset where the input ends and a new one starts (a publisher reconnecting), or -1. */
  endAt: number;
  /** LL-HLS parts (every other input, by index, so the seeded draws stay as they were), or null. */
  partDurationSec: number | null;
}

/** A 32-bit hash of (seed, index), so every input has its own generator. */
function caseSeed(seed: number, index: number): number {
  let h = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0 || 1;
}

/** The fixture and mutator of an input, without running the mutator (for reports about a hung worker). */
export function caseHeader(
  fixtures: readonly Fixture[],
  seed: number,
  index: number,
): { rnd: Rnd; fixture: Fixture; mutator: string } {
  const rnd = seeded(caseSeed(seed, index));
  const fixture = fixtures[Math.floor(rnd() * fixtures.length)];
  const mutator =
    rnd() < IDENTITY_SHARE ? 'none' : MUTATORS[Math.floor(rnd() * MUTATORS.length)].name;
  return { rnd, fixture, mutator };
}

/** The input number index of the run with this seed. */
export function planCase(fixtures: readonly Fixture[], seed: number, index: number): CasePlan {
  const { rnd, fixture, mutator } = caseHeader(fixtures, seed, index);
  const m =
    mutator === 'none'
      ? { bytes: Buffer.from(fixture.bytes), description: 'none: undamaged', lossless: true }
      : (MUTATORS.find((x) => x.name === mutator) ?? MUTATORS[0]).mutate(fixture.bytes, rnd);
  const segmentDurationSec = 1 + Math.floor(rnd() * 11) / 10;
  const r = rnd();
  let reads: ReadMode =
    r < 0.1 ? 'one' : r < 0.45 ? 'small' : r < 0.8 ? 'large' : r < 0.9 ? 'mixed' : 'bytes';
  if (reads === 'bytes' && m.bytes.length > SINGLE_BYTE_MAX) reads = 'small';
  // Undamaged inputs are there to show that read sizes change nothing.
  if (mutator === 'none' && reads === 'one') reads = 'mixed';
  const program = fixture.kind === 'mp3-two-programs' ? pickOf(rnd, [null, 7, 9]) : null;
  const endAt = !m.lossless && rnd() < 0.1 ? Math.floor(rnd() * (m.bytes.length + 1)) : -1;
  return {
    index,
    fixture: fixture.name,
    kind: fixture.kind,
    mutator,
    description: m.description,
    input: m.bytes,
    // A lossless change may renumber or move the program a --program option asked for.
    intact: mutator === 'none' || (m.lossless === true && program === null),
    reference: fixture.bytes,
    segmentDurationSec,
    targetDurationSec: TARGET_DURATION_SEC,
    program,
    reads,
    readSeed: Math.floor(rnd() * 0x100000000),
    endAt,
    partDurationSec: index % 2 === 1 ? PART_DURATION_SEC : null,
  };
}

/** The part length asked for in the inputs with parts. */
const PART_DURATION_SEC = 0.2;

function pickOf<T>(rnd: Rnd, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)];
}

/** Reads of 1 byte, 1–700 bytes and 1–64 KiB, mixed. */
function* mixedReads(length: number, rnd: Rnd): Generator<number> {
  for (let i = 0; i < length;) {
    const r = rnd();
    i += r < 0.2 ? 1 : r < 0.6 ? 1 + Math.floor(rnd() * 700) : 1 + Math.floor(rnd() * 65536);
    yield i;
  }
}

/** The read boundaries of a plan (offsets into its input). */
export function readCuts(plan: CasePlan): Iterable<number> {
  const n = plan.input.length;
  const rnd = seeded(plan.readSeed);
  switch (plan.reads) {
    case 'one':
      return [];
    case 'small':
      return randomReads(n, 1, 700, rnd);
    case 'large':
      return randomReads(n, 1, 65536, rnd);
    case 'mixed':
      return mixedReads(n, rnd);
    case 'bytes':
      return fixedReads(n, 1);
  }
}

/** What one segmenter run published. */
export interface Run {
  segments: Buffer[];
  /** Each segment's parts (empty lists when parts are off) and their durations. */
  parts: { bytes: Buffer; durationSec: number; partTargetSec: number }[][];
  durations: number[];
  discontinuities: boolean[];
  warnings: Set<WarningCode>;
}

/** Runs the segmenter over plan's input fed as the given reads (ending it at plan.endAt on the way). */
export function segment(plan: CasePlan, cuts: Iterable<number>): Run {
  const run: Run = {
    segments: [],
    parts: [],
    durations: [],
    discontinuities: [],
    warnings: new Set(),
  };
  let parts: Run['parts'][number] = [];
  const s = new Segmenter(
    {
      segmentDurationSec: plan.segmentDurationSec,
      targetDurationSec: plan.targetDurationSec,
      program: plan.program,
      partDurationSec: plan.partDurationSec,
    },
    (e) => {
      if (e.type === 'warning') run.warnings.add(e.code);
      if (e.type === 'part') {
        const { bytes, durationSec, partTargetSec } = e.part;
        parts.push({ bytes: Buffer.from(bytes), durationSec, partTargetSec });
      }
      if (e.type !== 'segment') return;
      run.parts.push(parts);
      parts = [];
      run.segments.push(Buffer.from(e.segment.bytes));
      run.durations.push(e.segment.durationSec);
      run.discontinuities.push(e.segment.discontinuity);
    },
  );
  const input = plan.input;
  let at = 0;
  let now = 0;
  let ended = plan.endAt < 0;
  /** Feeds input[at, to), ending the first input at endAt on the way. */
  const feed = (to: number): void => {
    if (!ended && plan.endAt <= to) {
      if (plan.endAt > at) s.push(input.subarray(at, plan.endAt), (now += 10));
      s.end((now += 10));
      at = Math.max(at, plan.endAt);
      ended = true;
    }
    if (to > at) s.push(input.subarray(at, to), (now += 10));
    at = Math.max(at, to);
  };
  for (const c of cuts) {
    if (c <= at) continue;
    feed(Math.min(c, input.length));
    if (at >= input.length) break;
  }
  feed(input.length);
  s.end(now + 10);
  return run;
}

// ---- the invariants ----

/** A whole PSI section in the packet at b[off] (PUSI, pointer_field, good CRC), or why not. */
function psiSection(b: Uint8Array, off: number, tableId: number): Uint8Array | string {
  if ((b[off + 1] & 0x40) === 0) return 'no payload_unit_start_indicator';
  const afc = (b[off + 3] >> 4) & 3;
  if ((afc & 1) === 0) return `adaptation_field_control ${afc} (no payload)`;
  const pointer = off + 4 + (afc === 3 ? 1 + b[off + 4] : 0);
  if (pointer >= off + P) return 'no room for pointer_field';
  const start = pointer + 1 + b[pointer];
  if (start + 3 > off + P) return 'pointer_field points past the packet';
  const end = start + 3 + (((b[start + 1] & 0x0f) << 8) | b[start + 2]);
  if (end > off + P || end - start < 12) return 'section does not fit the packet';
  const section = b.subarray(start, end);
  if (section[0] !== tableId) return `table_id ${section[0]}, not ${tableId}`;
  if (crc32Mpeg(section) !== 0) return 'bad CRC_32';
  return section;
}

function pidOf(b: Uint8Array, off: number): number {
  return ((b[off + 1] & 0x1f) << 8) | b[off + 2];
}

/**
 * A published segment is whole packets, the first a PAT (PID 0) and the second a PMT on the PID the
 * PAT names for its program; the rest are on the PIDs that PMT lists (streams and PCR), with no PSI.
 */
export function segmentProblem(b: Uint8Array, durationSec: number): string | null {
  if (b.length % P !== 0) return `${b.length} bytes: not whole packets`;
  if (b.length < 3 * P) return `${b.length / P} packet(s): no media after PAT and PMT`;
  for (let off = 0; off < b.length; off += P)
    if (b[off] !== 0x47) return `packet ${off / P} does not start with 0x47`;
  if (!Number.isFinite(durationSec) || durationSec <= 0) return `duration ${durationSec}`;
  if (pidOf(b, 0) !== 0) return `first packet is on PID ${pidOf(b, 0)}, not the PAT`;
  const pat = psiSection(b, 0, 0x00);
  if (typeof pat === 'string') return `PAT: ${pat}`;
  let program = -1;
  let pmtPid = -1;
  for (let i = 8; i + 4 <= pat.length - 4 && program < 0; i += 4) {
    const n = (pat[i] << 8) | pat[i + 1];
    if (n !== 0) [program, pmtPid] = [n, ((pat[i + 2] & 0x1f) << 8) | pat[i + 3]];
  }
  if (program < 0) return 'PAT names no program';
  if (pidOf(b, P) !== pmtPid)
    return `second packet is on PID ${pidOf(b, P)}, not the PMT PID ${pmtPid} the PAT names`;
  const pmt = psiSection(b, P, 0x02);
  if (typeof pmt === 'string') return `PMT: ${pmt}`;
  if (((pmt[3] << 8) | pmt[4]) !== program)
    return `PMT is for program ${(pmt[3] << 8) | pmt[4]}, the PAT names ${program}`;
  const allowed = new Set<number>();
  const pcrPid = ((pmt[8] & 0x1f) << 8) | pmt[9];
  if (pcrPid !== 0x1fff) allowed.add(pcrPid);
  for (let i = 12 + (((pmt[10] & 0x0f) << 8) | pmt[11]); i + 5 <= pmt.length - 4;) {
    allowed.add(((pmt[i + 1] & 0x1f) << 8) | pmt[i + 2]);
    i += 5 + (((pmt[i + 3] & 0x0f) << 8) | pmt[i + 4]);
  }
  for (let off = 2 * P; off < b.length; off += P) {
    const pid = pidOf(b, off);
    if (pid === 0 || pid === pmtPid) return `packet ${off / P}: PSI (PID ${pid}) after the prefix`;
    if (!allowed.has(pid)) return `packet ${off / P} is on PID ${pid}, which the PMT does not list`;
  }
  return null;
}

/** Why two runs differ, or null when they published the same bytes and durations. */
export function runDifference(got: Run, want: Run): string | null {
  if (got.segments.length !== want.segments.length)
    return `${got.segments.length} segments, not ${want.segments.length}`;
  for (let i = 0; i < want.segments.length; i++) {
    if (!got.segments[i].equals(want.segments[i])) return `segment ${i} differs`;
    if (got.durations[i] !== want.durations[i])
      return `segment ${i} lasts ${got.durations[i]} s, not ${want.durations[i]} s`;
    if (got.discontinuities[i] !== want.discontinuities[i])
      return `segment ${i} discontinuity ${got.discontinuities[i]}, not ${want.discontinuities[i]}`;
  }
  return null;
}

/**
 * With parts: the segment is its parts end to end, and each part is a segment of its own (whole
 * packets, PAT and PMT first), no longer than PART-TARGET; for intact input every part but the
 * last is at least 85 % of it (RFC 8216bis §4.4.4.9).
 */
export function partsProblem(
  segmentBytes: Buffer,
  parts: Run['parts'][number],
  intact: boolean,
): string | null {
  if (!parts.length) return 'no parts';
  if (!Buffer.concat(parts.map((p) => p.bytes)).equals(segmentBytes))
    return 'its bytes are not its parts end to end';
  for (const [j, p] of parts.entries()) {
    const problem = segmentProblem(p.bytes, p.durationSec);
    if (problem) return `part ${j}: ${problem}`;
    if (p.durationSec > p.partTargetSec + 1e-9)
      return `part ${j} lasts ${p.durationSec} s, over PART-TARGET ${p.partTargetSec}`;
    if (intact && j < parts.length - 1 && p.durationSec < 0.85 * p.partTargetSec)
      return `part ${j} lasts ${p.durationSec} s, under 85 % of ${p.partTargetSec}`;
  }
  return null;
}

/** Why the segments' elementary streams are not the fixture's, or null (undamaged and lossless inputs). */
export function esDifference(plan: CasePlan, run: Run): string | null {
  if (run.segments.length === 0) return 'no segment from an undamaged input';
  const want = elementaryStreams(plan.reference);
  const got = segmentsEs(run.segments);
  if (got.size === 0) return 'no elementary stream in the segments';
  for (const [pid, es] of got) {
    const ref = want.get(pid);
    if (!ref) return `PID ${pid} is not in the input`;
    if (!es.equals(ref)) return `PID ${pid}: ${es.length} ES bytes out, ${ref.length} in`;
  }
  // A second program is dropped on purpose; otherwise every stream makes it.
  if (plan.kind !== 'mp3-two-programs' && got.size !== want.size)
    return `${got.size} elementary streams out, ${want.size} in`;
  // Every packet is copied (or re-packetised) with its PID's counter carried on across segments.
  const all = Buffer.concat(run.segments);
  const last = new Map<number, number>();
  for (let off = 0; off < all.length; off += P) {
    if ((all[off + 3] & 0x10) === 0) continue;
    const pid = pidOf(all, off);
    const cc = all[off + 3] & 0x0f;
    const before = last.get(pid);
    if (before !== undefined && cc !== ((before + 1) & 0x0f))
      return `PID ${pid}: continuity counter ${cc} after ${before} (output packet ${off / P})`;
    last.set(pid, cc);
  }
  const long = run.durations.findIndex((d) => Math.round(d) > plan.targetDurationSec);
  if (long >= 0)
    return `segment ${long} lasts ${run.durations[long]} s, over the ${plan.targetDurationSec} s target`;
  return null;
}

// ---- one input ----

export type Outcome = 'ok' | 'exception' | 'hang' | 'invariant';

/** What became of one input. */
export interface CaseResult {
  index: number;
  fixture: string;
  mutator: string;
  description: string;
  reads: ReadMode | '?';
  /** Input size, reads, segment duration, program, reconnect point. */
  setup: string;
  segments: number;
  /** Segments whose EXTINF rounds above the target duration (an invariant failure). */
  overTarget: number;
  /** Whole input: mutation, every segmenter run and the checks. */
  ms: number;
  outcome: Outcome;
  message: string;
  /** Undamaged or losslessly changed input, whose elementary streams were compared. */
  identity: boolean;
  warnings: WarningCode[];
}

/** How the input was fed, in a few words. */
export function setupText(plan: CasePlan): string {
  return [
    `${plan.input.length} bytes in ${plan.reads} reads`,
    `${plan.segmentDurationSec} s segments`,
    ...(plan.program === null ? [] : [`program ${plan.program}`]),
    ...(plan.endAt < 0 ? [] : [`input ends and restarts at byte ${plan.endAt}`]),
    ...(plan.partDurationSec === null ? [] : [`${plan.partDurationSec} s parts`]),
  ].join(', ');
}

function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  return (e.stack ?? `${e.name}: ${e.message}`).split('\n').slice(0, 6).join(' | ');
}

/** Runs input number index: the segmenter over the planned reads, then every check. */
export function runCase(
  fixtures: readonly Fixture[],
  seed: number,
  index: number,
  onPlan?: (plan: CasePlan) => void,
): CaseResult {
  const t0 = performance.now();
  const header = caseHeader(fixtures, seed, index);
  const result: CaseResult = {
    index,
    fixture: header.fixture.name,
    mutator: header.mutator,
    description: '',
    reads: '?',
    setup: '',
    segments: 0,
    overTarget: 0,
    ms: 0,
    outcome: 'ok',
    message: '',
    identity: header.mutator === 'none',
    warnings: [],
  };
  const done = (outcome: Outcome, message: string): CaseResult => {
    result.outcome = outcome;
    result.message = message;
    result.ms = performance.now() - t0;
    return result;
  };
  let plan: CasePlan;
  try {
    plan = planCase(fixtures, seed, index);
  } catch (e) {
    return done('exception', `the mutator threw: ${errorText(e)}`);
  }
  Object.assign(result, {
    identity: plan.intact,
    description: plan.description,
    reads: plan.reads,
    setup: setupText(plan),
  });
  onPlan?.(plan);
  let run: Run;
  try {
    run = segment(plan, readCuts(plan));
  } catch (e) {
    return done('exception', errorText(e));
  }
  result.segments = run.segments.length;
  result.overTarget = run.durations.filter((d) => Math.round(d) > plan.targetDurationSec).length;
  // RFC 8216bis §4.4.3.1 holds for damaged input too: no EXTINF rounds above the target.
  if (result.overTarget > 0) {
    const i = run.durations.findIndex((d) => Math.round(d) > plan.targetDurationSec);
    return done(
      'invariant',
      `segment ${i} lasts ${run.durations[i]} s, over the ${plan.targetDurationSec} s target`,
    );
  }
  result.warnings = [...run.warnings].sort();
  for (let i = 0; i < run.segments.length; i++) {
    const p =
      plan.partDurationSec === null
        ? segmentProblem(run.segments[i], run.durations[i])
        : partsProblem(run.segments[i], run.parts[i], plan.intact);
    if (p) return done('invariant', `segment ${i}: ${p}`);
  }
  // The packet walk decides every byte the same way for any split of the input into reads.
  if (plan.reads !== 'one') {
    let whole: Run;
    try {
      whole = segment(plan, []);
    } catch (e) {
      return done('exception', `in the one-buffer run: ${errorText(e)}`);
    }
    const d = runDifference(run, whole);
    if (d) return done('invariant', `${plan.reads} reads vs one buffer: ${d}`);
  }
  if (plan.intact) {
    const d = esDifference(plan, run);
    if (d)
      return done('invariant', `${plan.mutator === 'none' ? 'undamaged' : 'lossless'} input: ${d}`);
  }
  return done('ok', '');
}

// ---- the worker thread ----

interface WorkerData {
  fuzzEngineWorker: true;
  seed: number;
  fixtures: Fixture[];
  /** Test hook: this input never returns, so the watchdog must step in. */
  hangIndex: number | null;
}

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'plan'; index: number; description: string; reads: ReadMode; setup: string }
  | { type: 'result'; result: CaseResult }
  | { type: 'done' };

interface RunRequest {
  from: number;
  to: number;
}

function isWorkerData(d: unknown): d is WorkerData {
  return (
    typeof d === 'object' && d !== null && (d as Partial<WorkerData>).fuzzEngineWorker === true
  );
}

function workerMain(port: MessagePort, data: WorkerData): void {
  const send = (m: WorkerMessage): void => port.postMessage(m);
  port.on('message', (req: RunRequest) => {
    for (let i = req.from; i < req.to; i++) {
      if (i === data.hangIndex) {
        for (;;) {
          // A synchronous loop: only Worker.terminate() gets out of it.
        }
      }
      const result = runCase(data.fixtures, data.seed, i, (plan) =>
        send({
          type: 'plan',
          index: i,
          description: plan.description,
          reads: plan.reads,
          setup: setupText(plan),
        }),
      );
      send({ type: 'result', result });
    }
    send({ type: 'done' });
  });
  send({ type: 'ready' });
}

if (!isMainThread && parentPort && isWorkerData(workerData)) workerMain(parentPort, workerData);

// ---- the main thread: runs inputs in a worker, with a watchdog ----

/** What runFuzz does. */
export interface FuzzOptions {
  fixtures: Fixture[];
  seed: number;
  /** First input index (default 0). */
  from?: number;
  count: number;
  /** An input with no result after this long is a hang: the worker is killed and restarted. */
  timeLimitMs: number;
  /** Called with every result, in order (failures included). */
  onResult?: (r: CaseResult) => void;
  /** Test hook: input that loops forever in the worker. */
  hangIndex?: number;
}

/** Inputs, inputs with at least one segment, and segments. */
export interface Tally {
  inputs: number;
  withSegments: number;
  segments: number;
}

/** Totals of a fuzz run. */
export interface FuzzSummary {
  seed: number;
  from: number;
  inputs: number;
  exceptions: number;
  hangs: number;
  invariantFailures: number;
  segments: number;
  withSegments: number;
  /** Segments whose EXTINF rounds above the target duration (an invariant failure). */
  overTarget: number;
  identityRuns: number;
  slowestMs: number;
  slowestIndex: number;
  totalMs: number;
  workerStarts: number;
  failures: CaseResult[];
  byMutator: Record<string, Tally>;
  byFixture: Record<string, Tally>;
  byReads: Record<string, number>;
  /** Inputs that raised each warning code (what the damage reached). */
  warnings: Record<string, number>;
}

// The worker runs TypeScript: tsx's loader is registered inside it before this module is imported.
const WORKER_BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); });`;
const WORKER_START_MS = 120_000;

function tally(map: Record<string, Tally>, key: string, r: CaseResult): void {
  const t = (map[key] ??= { inputs: 0, withSegments: 0, segments: 0 });
  t.inputs++;
  t.segments += r.segments;
  if (r.segments > 0) t.withSegments++;
}

/** Runs inputs from..from+count-1 of seed in a worker thread; a hung or crashed input is reported and skipped. */
export async function runFuzz(o: FuzzOptions): Promise<FuzzSummary> {
  const t0 = performance.now();
  const from = o.from ?? 0;
  const s: FuzzSummary = {
    seed: o.seed,
    from,
    inputs: 0,
    exceptions: 0,
    hangs: 0,
    invariantFailures: 0,
    segments: 0,
    withSegments: 0,
    overTarget: 0,
    identityRuns: 0,
    slowestMs: 0,
    slowestIndex: -1,
    totalMs: 0,
    workerStarts: 0,
    failures: [],
    byMutator: {},
    byFixture: {},
    byReads: {},
    warnings: {},
  };
  const record = (r: CaseResult): void => {
    if (r.outcome === 'ok' && r.ms > o.timeLimitMs) {
      r.outcome = 'hang';
      r.message = `took ${r.ms.toFixed(0)} ms, over the ${o.timeLimitMs} ms limit`;
    }
    s.inputs++;
    s.segments += r.segments;
    s.overTarget += r.overTarget;
    if (r.segments > 0) s.withSegments++;
    if (r.identity && r.outcome === 'ok') s.identityRuns++;
    if (r.outcome !== 'hang' && r.ms > s.slowestMs) [s.slowestMs, s.slowestIndex] = [r.ms, r.index];
    tally(s.byMutator, r.mutator, r);
    tally(s.byFixture, r.fixture, r);
    s.byReads[r.reads] = (s.byReads[r.reads] ?? 0) + 1;
    for (const w of r.warnings) s.warnings[w] = (s.warnings[w] ?? 0) + 1;
    if (r.outcome === 'exception') s.exceptions++;
    else if (r.outcome === 'hang') s.hangs++;
    else if (r.outcome === 'invariant') s.invariantFailures++;
    if (r.outcome !== 'ok') s.failures.push(r);
    o.onResult?.(r);
  };
  const end = from + o.count;
  let next = from;
  while (next < end) {
    s.workerStarts++;
    next = await runInWorker(o, next, end, record);
  }
  s.totalMs = performance.now() - t0;
  return s;
}

/** Runs [from, to) in a fresh worker until done, a hang or a crash; resolves with the next index to run. */
function runInWorker(
  o: FuzzOptions,
  from: number,
  to: number,
  record: (r: CaseResult) => void,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const data: WorkerData = {
      fuzzEngineWorker: true,
      seed: o.seed,
      fixtures: o.fixtures,
      hangIndex: o.hangIndex ?? null,
    };
    const worker = new Worker(WORKER_BOOT, {
      eval: true,
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: 1024 },
    });
    let next = from;
    let ready = false;
    let settled = false;
    let plan: Extract<WorkerMessage, { type: 'plan' }> | null = null;
    let watchdog: NodeJS.Timeout | undefined;
    const boot = setTimeout(
      () => finish(new Error(`fuzz worker did not start within ${WORKER_START_MS} ms`)),
      WORKER_START_MS,
    );
    function finish(outcome: number | Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(boot);
      clearTimeout(watchdog);
      void worker.terminate();
      if (typeof outcome === 'number') resolve(outcome);
      else reject(outcome);
    }
    /** The input in progress never came back: report it from what the worker said about it. */
    function lost(outcome: 'hang' | 'exception', message: string): void {
      const h = caseHeader(o.fixtures, o.seed, next);
      const p = plan && plan.index === next ? plan : null;
      record({
        index: next,
        fixture: h.fixture.name,
        mutator: h.mutator,
        description: p ? p.description : `${h.mutator}: (stuck before its mutation was made)`,
        reads: p ? p.reads : '?',
        setup: p ? p.setup : '',
        segments: 0,
        overTarget: 0,
        ms: o.timeLimitMs,
        outcome,
        message,
        identity: h.mutator === 'none',
        warnings: [],
      });
      finish(next + 1);
    }
    const arm = (): void => {
      clearTimeout(watchdog);
      watchdog = setTimeout(
        () => lost('hang', `no result within ${o.timeLimitMs} ms; worker killed`),
        o.timeLimitMs,
      );
    };
    worker.on('message', (m: WorkerMessage) => {
      if (settled) return;
      if (m.type === 'ready') {
        ready = true;
        clearTimeout(boot);
        worker.postMessage({ from, to } satisfies RunRequest);
        arm();
      } else if (m.type === 'plan') {
        plan = m;
      } else if (m.type === 'result') {
        record(m.result);
        next = m.result.index + 1;
        arm();
      } else finish(next);
    });
    worker.on('error', (e) => {
      if (!ready) finish(e);
      else lost('exception', `the worker died: ${errorText(e)}`);
    });
    worker.on('exit', (code) => {
      if (settled) return;
      if (!ready) finish(new Error(`fuzz worker exited with code ${code} before starting`));
      else lost('exception', `the worker exited with code ${code}`);
    });
  });
}

// ---- reporting ----

/** The one-line command that runs input index of seed again, alone, with details. */
export function reproduceCommand(seed: number, index: number): string {
  return `node --import tsx scripts/fuzz.ts --seed ${seed} --index ${index}`;
}

/** One line per failure, with what it was and how to run it again. */
export function formatFailure(seed: number, r: CaseResult): string {
  return (
    `fuzz: ${r.outcome.toUpperCase()} input ${r.index} (${r.fixture}, ${r.description}; ${r.setup}): ` +
    `${r.message}\n` +
    `  reproduce: ${reproduceCommand(seed, r.index)}`
  );
}

/** The summary line. */
export function formatSummary(s: FuzzSummary): string {
  return (
    `fuzz: ${s.inputs} inputs, ${s.exceptions} exceptions, ${s.hangs} hangs, ` +
    `${s.invariantFailures} invariant failures, ${s.segments} segments, ` +
    `slowest input ${s.slowestMs.toFixed(0)} ms, total ${(s.totalMs / 1000).toFixed(1)} s`
  );
}

/** Per-mutator, per-fixture, read-mode and warning breakdown, a few lines. */
export function formatDetails(s: FuzzSummary): string {
  const rows = (map: Record<string, Tally>): string =>
    Object.entries(map)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, t]) => `${k} ${t.inputs} (${Math.round((100 * t.withSegments) / t.inputs)}% cut)`)
      .join(', ');
  const counts = (map: Record<string, number>): string =>
    Object.entries(map)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  return [
    `  seed ${s.seed}, inputs ${s.from}..${s.from + s.inputs - 1}; ${s.withSegments} inputs produced segments; ` +
      `${s.identityRuns} undamaged or lossless inputs kept their elementary streams; ` +
      `slowest is input ${s.slowestIndex}; ${s.workerStarts} worker start(s)`,
    `  ${s.overTarget} segment(s) round above the target duration`,
    `  mutators: ${rows(s.byMutator)}`,
    `  fixtures: ${rows(s.byFixture)}`,
    `  reads: ${counts(s.byReads)}`,
    `  inputs with warning: ${counts(s.warnings)}`,
  ].join('\n');
}
