// scripts/bench-ll.ts: npm run bench:ll: 1k, 5k and 10k held LL-HLS playlist requests woken by one publish: wake spread and server RSS for scanner-hls's /hls routes beside a bare node:http floor (loopback only).
// Usage: node --import tsx scripts/bench-ll.ts [--counts 1000,5000,10000] [--rounds 5] [--no-express-row] [--slice-ms N]
import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { PLAYLIST_TYPE } from '../src/hls/media-types.js';
import { ManualFeed } from '../test/helpers/manual-feed.js';
import {
  BENCH_LL,
  BENCH_PARTS_PER_SEGMENT,
  type ChildReply,
  type ParentCommand,
} from './bench-ll-protocol.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? def) : def;
}

let COUNTS = arg('counts', '1000,5000,10000').split(',').map(Number);
const ROUNDS = Number(arg('rounds', '5'));
/** Connections opened at a time (the listen backlog is 511). */
const CONNECT_BATCH = 256;
const EXPRESS_ROW = !process.argv.includes('--no-express-row');
/** The wake's slice (src/http/playlist-waiters.ts WAKE_SLICE_MS) to run ours with; '' keeps the default. */
const SLICE_MS = arg('slice-ms', '');
const HERE = import.meta.dirname;
const ROOT = join(HERE, '..');
/** Where the origin child is compiled to: inside the repo, so express resolves from node_modules. */
const BUILD = join(ROOT, 'node_modules', '.cache', 'scanner-hls-bench-ll');

/**
 * The origin child compiled to plain JavaScript, as the live server runs (dist/): under tsx the
 * child would also carry tsx's loader thread, ~20–40 MB of RSS that is not ours. tsc compiles
 * the child and what it imports; if that fails, the child runs under tsx, with a note.
 */
function buildOrigin(): { script: string; execArgv: string[]; note: string } {
  rmSync(BUILD, { recursive: true, force: true });
  const tsc = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      join(HERE, 'bench-ll-origin.ts'),
      ...['--outDir', BUILD, '--rootDir', ROOT, '--module', 'NodeNext'],
      ...['--moduleResolution', 'NodeNext', '--target', 'ES2022', '--skipLibCheck'],
      ...['--types', 'node', '--esModuleInterop', '--noEmitOnError', 'false'],
    ],
    { encoding: 'utf8' },
  );
  const script = join(BUILD, 'scripts', 'bench-ll-origin.js');
  if (existsSync(script)) {
    // Under node_modules/ Node looks no further up for "type": "module".
    writeFileSync(join(BUILD, 'package.json'), '{ "type": "module" }\n');
    return { script, execArgv: ['--expose-gc'], note: 'compiled with tsc, run by plain node' };
  }
  process.stderr.write(`tsc could not compile the origin child:\n${tsc.stdout}${tsc.stderr}\n`);
  return {
    script: join(HERE, 'bench-ll-origin.ts'),
    execArgv: ['--import', 'tsx', '--expose-gc'],
    note: 'run under tsx (tsc failed): its RSS includes the tsx loader thread',
  };
}

/** The soft RLIMIT_NOFILE of this process, from /proc (Node has no getrlimit). */
function openFileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === 'unlimited' ? Infinity : Number(soft);
  } catch {
    return Infinity;
  }
}

/**
 * The client holds one socket per request and so does each server child: each needs n + a margin
 * of descriptors. Node cannot raise its own limit, so when it is too low the bench runs itself
 * again under `sh -c 'ulimit -n N'` once (the children inherit it); if that fails, the counts above
 * the limit are dropped, with a note.
 */
function ensureOpenFiles(): void {
  const need = Math.max(...COUNTS) + 1024;
  const have = openFileLimit();
  if (have >= need) return;
  if (!process.env.BENCH_LL_ULIMIT) {
    process.stdout.write(
      `note: open-file limit ${have} < ${need}; running again under ulimit -n ${need}\n`,
    );
    const r = spawnSync(
      'sh',
      [
        '-c',
        `ulimit -n ${need} && exec "$0" "$@"`,
        process.execPath,
        ...process.execArgv,
        ...process.argv.slice(1),
      ],
      { stdio: 'inherit', env: { ...process.env, BENCH_LL_ULIMIT: '1' } },
    );
    process.exit(r.status ?? 1);
  }
  const kept = COUNTS.filter((n) => n + 1024 <= have);
  process.stdout.write(
    `note: cannot raise the open-file limit above ${have}: running ${kept.join(', ') || 'nothing'} only\n`,
  );
  COUNTS = kept;
}

/** A server child and a way to ask it things over IPC. */
class Child {
  private readonly waiting = new Map<string, (m: ChildReply) => void>();
  readonly ready: Promise<Extract<ChildReply, { type: 'ready' }>>;

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    proc.on('message', (m: ChildReply) => {
      const w = this.waiting.get(m.type);
      if (w) {
        this.waiting.delete(m.type);
        w(m);
      }
    });
    this.ready = this.next('ready');
    proc.on('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(`${name} exited with ${code}\n`);
    });
  }

  next<T extends ChildReply['type']>(type: T): Promise<Extract<ChildReply, { type: T }>> {
    return new Promise((resolve) => {
      this.waiting.set(type, (m) => resolve(m as Extract<ChildReply, { type: T }>));
    });
  }

  ask<T extends ChildReply['type']>(
    cmd: ParentCommand,
    reply: T,
  ): Promise<Extract<ChildReply, { type: T }>> {
    const p = this.next(reply);
    this.proc.send(cmd);
    return p;
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const gone = new Promise((r) => this.proc.once('exit', r));
    this.proc.send({ type: 'exit' } satisfies ParentCommand);
    await gone;
  }
}

let origin: ReturnType<typeof buildOrigin> | null = null;

function startOurs(expressOnly: boolean): Child {
  origin ??= buildOrigin();
  return new Child(
    expressOnly ? 'scanner-hls (Express only)' : 'scanner-hls',
    fork(
      origin.script,
      [...(expressOnly ? ['--express-only'] : []), ...(SLICE_MS ? ['--slice-ms', SLICE_MS] : [])],
      {
        execArgv: origin.execArgv,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    ),
  );
}

function startFloor(): Child {
  return new Child(
    'floor',
    fork(join(HERE, 'bench-ll-floor.mjs'), [], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
}

/** One keep-alive connection of the load client, with the smallest HTTP/1.1 response parser that will do. */
interface Conn {
  sock: Socket;
  buf: Buffer | null;
  /** Bytes of the response in buf (headers + body), or -1 until the headers are in. */
  need: number;
  status: number;
}

/** The load client: n sockets, one held request each per round. */
class Load {
  readonly conns: Conn[] = [];
  private arrivals = new Float64Array(0);
  private got = 0;
  errors = 0;
  private onAll: (() => void) | null = null;

  async open(port: number, n: number): Promise<void> {
    for (let i = 0; i < n; i += CONNECT_BATCH) {
      const batch: Promise<void>[] = [];
      for (let j = i; j < Math.min(n, i + CONNECT_BATCH); j++) batch.push(this.connectOne(port));
      await Promise.all(batch);
    }
  }

  private connectOne(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const sock = connect({ port, host: '127.0.0.1', noDelay: true });
      const c: Conn = { sock, buf: null, need: -1, status: 0 };
      sock.once('connect', () => resolve());
      sock.once('error', reject);
      sock.on('data', (d: Buffer) => this.onData(c, d));
      this.conns.push(c);
    });
  }

  private onData(c: Conn, d: Buffer): void {
    c.buf = c.buf ? Buffer.concat([c.buf, d]) : d;
    for (;;) {
      const buf: Buffer | null = c.buf;
      if (!buf) return;
      if (c.need < 0) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        c.status = Number(head.slice(9, 12));
        const len = /\r\ncontent-length: *(\d+)/i.exec(head);
        c.need = end + 4 + Number(len?.[1] ?? 0);
      }
      if (buf.length < c.need) return;
      this.arrived(c);
      c.buf = buf.length > c.need ? buf.subarray(c.need) : null;
      c.need = -1;
    }
  }

  private arrived(c: Conn): void {
    if (c.status !== 200) this.errors++;
    this.arrivals[this.got++] = performance.timeOrigin + performance.now();
    if (this.got === this.arrivals.length) this.onAll?.();
  }

  /** Sends one held request on every connection; resolves with the arrival times once all are answered. */
  send(path: string): { answered: Promise<Float64Array> } {
    this.arrivals = new Float64Array(this.conns.length);
    this.got = 0;
    const answered = new Promise<Float64Array>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`${this.conns.length - this.got} responses missing after 60 s`)),
        60_000,
      );
      this.onAll = () => {
        clearTimeout(t);
        resolve(this.arrivals);
      };
    });
    answered.catch(() => undefined);
    const req = Buffer.from(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip, deflate\r\nUser-Agent: bench-ll\r\n\r\n`,
    );
    for (const c of this.conns) c.sock.write(req);
    return { answered };
  }

  close(): void {
    for (const c of this.conns) c.sock.destroy();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitHeld(child: Child, n: number): Promise<Extract<ChildReply, { type: 'count' }>> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const c = await child.ask({ type: 'count' }, 'count');
    if (c.held === n) return c;
    if (Date.now() > deadline) throw new Error(`${child.name}: ${c.held} of ${n} requests held`);
    await sleep(c.held > n * 0.9 ? 10 : 50);
  }
}

interface Result {
  /** Per measured round: p50, p99 and max of the wake spread. */
  rounds: { p50: number; p99: number; max: number }[];
  loopMs: number[];
  stallMs: number[];
  publishMs: number[];
  idlePublishMs: number | null;
  rssIdle: number;
  /** At the first hold (a fresh process, no response written yet). */
  rssFirst: number;
  /** The highest over the measured rounds (responses written before raise the high-water mark). */
  rssHeld: number;
  /** The JS heap in one more hold after the rounds, after a forced GC: what the held requests keep alive. */
  heapGc: number;
  heapHeld: number;
  errors: number;
}

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const median = (xs: number[]): number =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

/** One server, n held requests: one warm-up round, then ROUNDS measured ones on the same sockets. */
type Kind = 'floor' | 'ours' | 'ours-express';
const LABEL: Record<Kind, string> = {
  floor: 'floor',
  ours: 'scanner-hls',
  'ours-express': '  Express only',
};

async function measure(kind: Kind, n: number, floorBody: Buffer): Promise<Result> {
  const child = kind === 'floor' ? startFloor() : startOurs(kind === 'ours-express');
  const ready = await child.ready;
  const load = new Load();
  try {
    if (kind === 'floor') {
      child.proc.send({
        type: 'init',
        body: floorBody.toString('base64'),
        headers: {
          'Content-Type': PLAYLIST_TYPE,
          'Cache-Control': 'no-cache',
          'Content-Encoding': 'gzip',
          Vary: 'Accept-Encoding',
        },
      } satisfies ParentCommand);
    }
    let idlePublishMs: number | null = null;
    if (kind !== 'floor') {
      const idle = await child.ask({ type: 'idle-publish', times: 50 }, 'idle-published');
      idlePublishMs = median(idle.publishMs.slice(10));
    }
    const rssIdle = (await child.ask({ type: 'count' }, 'count')).rss;
    await load.open(ready.port, n);
    const r: Result = {
      rounds: [],
      loopMs: [],
      stallMs: [],
      publishMs: [],
      idlePublishMs,
      rssIdle,
      rssFirst: 0,
      rssHeld: 0,
      heapGc: 0,
      heapHeld: 0,
      errors: 0,
    };
    for (let round = 0; round <= ROUNDS; round++) {
      const before = await child.ask({ type: 'count' }, 'count');
      const next = before.next ?? { msn: 1, part: 0 };
      const { answered } = load.send(`/hls/live.m3u8?_HLS_msn=${next.msn}&_HLS_part=${next.part}`);
      const held = await waitHeld(child, n);
      const pub = await child.ask({ type: 'publish' }, 'published');
      const arrivals = await answered;
      if (round === 0) {
        r.rssFirst = held.rss;
        continue; // warm-up: the JIT, first-use allocations
      }
      const spread = [...arrivals].map((a) => a - pub.at).sort((a, b) => a - b);
      r.rounds.push({
        p50: quantile(spread, 0.5),
        p99: quantile(spread, 0.99),
        max: spread.at(-1) ?? NaN,
      });
      r.loopMs.push(pub.loopMs);
      r.stallMs.push(pub.stallMs ?? pub.loopMs);
      r.publishMs.push(pub.publishMs);
      r.rssHeld = Math.max(r.rssHeld, held.rss);
      r.heapHeld = Math.max(r.heapHeld, held.heapUsed);
    }
    // One more hold, measured after a forced GC (not before a timed wake: that would move the
    // GC out of it), then released.
    const before = await child.ask({ type: 'count' }, 'count');
    const next = before.next ?? { msn: 1, part: 0 };
    const { answered } = load.send(`/hls/live.m3u8?_HLS_msn=${next.msn}&_HLS_part=${next.part}`);
    await waitHeld(child, n);
    r.heapGc = (await child.ask({ type: 'count', gc: true }, 'count')).heapUsed;
    await child.ask({ type: 'publish' }, 'published');
    await answered;
    r.errors = load.errors;
    return r;
  } finally {
    load.close();
    await child.stop();
  }
}

const mb = (b: number): string => (b / 2 ** 20).toFixed(1);
const ms = (x: number): string => x.toFixed(2);

async function main(): Promise<void> {
  ensureOpenFiles();
  origin = buildOrigin();
  // The floor answers with the same bytes as ours: the gzipped playlist of the same feed.
  const feed = new ManualFeed({
    lowLatency: BENCH_LL,
    partsPerSegment: BENCH_PARTS_PER_SEGMENT,
    dir: null,
  });
  for (let i = 0; i < 12 * BENCH_PARTS_PER_SEGMENT + 3; i++) feed.publish();
  const text = feed.playlist('no') ?? '';
  const floorBody = gzipSync(text);
  process.stdout.write(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, open files ${openFileLimit()}\n` +
      `playlist: ${text.length} B (${floorBody.length} B gzipped), PART-TARGET ${BENCH_LL.partTargetSec} s, TD ${BENCH_LL.targetDurationSec} s, 12 segments\n` +
      `scanner-hls: the real /hls routes (hlsRouter + createApp) with held requests taken by the front handler, as src/http/mounts.ts liveListener wires them; ${origin.note}\n` +
      (EXPRESS_ROW
        ? '  "Express only": the same routes holding the requests inside Express (no front handler)\n'
        : '') +
      `each server in its own process; one client process holds one keep-alive socket per request; ${ROUNDS} measured rounds after a warm-up\n` +
      `wake spread = response complete at the client − publish call in the server (performance.timeOrigin + now); p50/p99/max: median over the rounds\n` +
      `loop: publish to last response written; RSS of the server child with the requests held: 1st = the first hold in a fresh process (KB/req from it), max = the highest of the measured rounds (garbage included), heap gc = the JS heap in one more hold, after a forced GC (live objects only)\n\n`,
  );
  const header = `${'held'.padStart(6)}  ${'server'.padEnd(14)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'loop ms'.padStart(8)} ${'RSS idle'.padStart(9)} ${'RSS 1st'.padStart(9)} ${'RSS max'.padStart(9)} ${'heap gc'.padStart(9)} ${'KB/req'.padStart(7)} ${'errors'.padStart(6)}\n`;
  process.stdout.write(header);
  const p99s = new Map<number, { ours: number; floor: number }>();
  const delays: string[] = [];
  for (const n of COUNTS) {
    const row: Partial<Record<Kind, number>> = {};
    let floorLoop = NaN;
    const kinds: Kind[] = EXPRESS_ROW ? ['floor', 'ours', 'ours-express'] : ['floor', 'ours'];
    for (const kind of kinds) {
      const r = await measure(kind, n, floorBody);
      const p50 = median(r.rounds.map((x) => x.p50));
      const p99 = median(r.rounds.map((x) => x.p99));
      const max = median(r.rounds.map((x) => x.max));
      row[kind] = p99;
      if (kind === 'floor') floorLoop = median(r.loopMs);
      process.stdout.write(
        `${String(n).padStart(6)}  ${LABEL[kind].padEnd(14)} ${ms(p50).padStart(8)} ${ms(p99).padStart(8)} ${ms(max).padStart(8)} ${ms(median(r.loopMs)).padStart(8)} ${mb(r.rssIdle).padStart(6)} MB ${mb(r.rssFirst).padStart(6)} MB ${mb(r.rssHeld).padStart(6)} MB ${mb(r.heapGc).padStart(6)} MB ${((r.rssFirst - r.rssIdle) / n / 1024).toFixed(1).padStart(7)} ${String(r.errors).padStart(6)}\n`,
      );
      if (kind === 'ours') {
        delays.push(
          `  ${String(n).padStart(6)} held: publish call ${ms(median(r.publishMs))} ms (idle ${ms(r.idlePublishMs ?? NaN)} ms); answering took ${ms(median(r.loopMs))} ms after it, in slices: the event loop was never busy for more than ${ms(Math.max(...r.stallMs))} ms (the floor's one loop: ${ms(floorLoop)} ms)`,
        );
      }
    }
    p99s.set(n, { ours: row.ours ?? NaN, floor: row.floor ?? NaN });
  }
  process.stdout.write('\np99 wake spread, scanner-hls / floor:\n');
  for (const [n, v] of p99s) {
    process.stdout.write(
      `  ${String(n).padStart(6)} held: ${(v.ours / v.floor).toFixed(2)}× (${ms(v.ours)} / ${ms(v.floor)} ms)\n`,
    );
  }
  process.stdout.write(
    '\nwas publishing delayed? (the publish call with the requests held vs with none: the callback only schedules the wake)\n' +
      delays.join('\n') +
      '\n',
  );
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench:ll: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
