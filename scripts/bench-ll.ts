// scripts/bench-ll.ts: npm run bench:ll: 1k, 5k and 10k held LL-HLS playlist requests woken by one publish: wake spread and server RSS for the live server (startServer, ffmpeg ingest) beside a bare node:http floor (loopback only).
// Usage: node --import tsx scripts/bench-ll.ts [--counts 1000,5000,10000] [--rounds 5] [--routes] [--slice-ms N]
//   --node-flags '--max-old-space-size=96': extra flags for every server child (what-if)
//   --routes: also the /hls routes alone over a ManualFeed, holding before Express (front) and in it (Express only)
import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import { BENCH_LL, type ChildReply, type ParentCommand } from './bench-ll-protocol.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? def) : def;
}

let COUNTS = arg('counts', '1000,5000,10000').split(',').map(Number);
const ROUNDS = Number(arg('rounds', '5'));
/** Connections opened at a time (the listen backlog is 511). */
const CONNECT_BATCH = 256;
const ROUTE_ROWS = process.argv.includes('--routes');
/** The wake's slice (src/http/playlist-waiters.ts WAKE_SLICE_MS) for the routes rows; '' keeps the default. */
const SLICE_MS = arg('slice-ms', '');
/** --node-flags '…': extra V8/Node flags for every server child, ours and the floor (what-if runs). */
const NODE_FLAGS = arg('node-flags', '').split(' ').filter(Boolean);
const HERE = import.meta.dirname;
const ROOT = join(HERE, '..');
/** Where the origin child is compiled to: inside the repo, so express resolves from node_modules. */
const BUILD = join(ROOT, 'node_modules', '.cache', 'scanner-hls-bench-ll');

/**
 * The server children compiled to plain JavaScript, as the live server runs (dist/): under tsx a
 * child would also carry tsx's loader thread, ~20–40 MB of RSS that is not ours. tsc compiles
 * the children and what they import; if that fails, they run under tsx, with a note.
 */
function buildOrigin(): { dir: string; ext: string; execArgv: string[]; note: string } {
  rmSync(BUILD, { recursive: true, force: true });
  const tsc = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      join(HERE, 'bench-ll-origin.ts'),
      join(HERE, 'bench-ll-live.ts'),
      ...['--outDir', BUILD, '--rootDir', ROOT, '--module', 'NodeNext'],
      ...['--moduleResolution', 'NodeNext', '--target', 'ES2022', '--skipLibCheck'],
      ...['--types', 'node', '--esModuleInterop', '--noEmitOnError', 'false'],
    ],
    { encoding: 'utf8' },
  );
  const dir = join(BUILD, 'scripts');
  if (existsSync(join(dir, 'bench-ll-origin.js')) && existsSync(join(dir, 'bench-ll-live.js'))) {
    // Under node_modules/ Node looks no further up for "type": "module".
    writeFileSync(join(BUILD, 'package.json'), '{ "type": "module" }\n');
    // The page routes read public/ next to src/.
    symlinkSync(join(ROOT, 'public'), join(BUILD, 'public'));
    return {
      dir,
      ext: '.js',
      execArgv: ['--expose-gc'],
      note: 'compiled with tsc, run by plain node',
    };
  }
  process.stderr.write(`tsc could not compile the server children:\n${tsc.stdout}${tsc.stderr}\n`);
  return {
    dir: HERE,
    ext: '.ts',
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

function startOurs(kind: Exclude<Kind, 'floor'>): Child {
  origin ??= buildOrigin();
  const name = kind === 'live' ? 'bench-ll-live' : 'bench-ll-origin';
  const args = [
    ...(kind === 'routes-express' ? ['--express-only'] : []),
    ...(SLICE_MS && kind !== 'live' ? ['--slice-ms', SLICE_MS] : []),
  ];
  return new Child(
    LABEL[kind].trim(),
    fork(join(origin.dir, name + origin.ext), args, {
      execArgv: [...origin.execArgv, ...NODE_FLAGS],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
}

function startFloor(): Child {
  return new Child(
    'floor',
    fork(join(HERE, 'bench-ll-floor.mjs'), [], {
      execArgv: ['--expose-gc', ...NODE_FLAGS],
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

/** Polls until n requests are held (then the count, after a GC if asked), or null once stop() holds. */
async function waitHeld(
  child: Child,
  n: number,
  stop: () => boolean,
  gc = false,
): Promise<Extract<ChildReply, { type: 'count' }> | null> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (stop()) return null;
    const c = await child.ask({ type: 'count' }, 'count');
    if (c.held >= n) return gc ? child.ask({ type: 'count', gc: true }, 'count') : c;
    if (Date.now() > deadline) throw new Error(`${child.name}: ${c.held} of ${n} requests held`);
    await sleep(c.held > n * 0.9 ? 5 : 20);
  }
}

/**
 * One round: a request for the target part on every connection, held, then answered by one
 * publish: on command (floor, routes), or the live packager's publish of that part (live, armed
 * before the requests go out).
 */
async function holdRound(
  kind: Kind,
  child: Child,
  load: Load,
  n: number,
  gc = false,
): Promise<{
  pub: Extract<ChildReply, { type: 'published' }>;
  arrivals: Float64Array;
  held: Extract<ChildReply, { type: 'count' }> | null;
}> {
  const before = await child.ask({ type: 'count' }, 'count');
  const target = before.next ?? { msn: 1, part: 0 };
  const published = child.next('published');
  let publishedYet = false;
  void published.then(() => {
    publishedYet = true;
  });
  if (kind === 'live') child.proc.send({ type: 'arm', target } satisfies ParentCommand);
  const { answered } = load.send(`/hls/live.m3u8?_HLS_msn=${target.msn}&_HLS_part=${target.part}`);
  const held = await waitHeld(child, n, () => publishedYet, gc);
  if (kind !== 'live') child.proc.send({ type: 'publish' } satisfies ParentCommand);
  const pub = await published;
  return { pub, arrivals: await answered, held };
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
  /** Live: requests not yet held when the armed part was published (answered at once). */
  late: number;
}

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const median = (xs: number[]): number =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

/** One server, n held requests: one warm-up round, then ROUNDS measured ones on the same sockets. */
type Kind = 'floor' | 'live' | 'routes' | 'routes-express';
const LABEL: Record<Kind, string> = {
  floor: 'floor',
  live: 'scanner-hls',
  routes: '/hls routes',
  'routes-express': '  Express only',
};

async function measure(
  kind: Kind,
  n: number,
  floorReply: { body: Buffer; headers: Record<string, string> },
): Promise<Result> {
  const child = kind === 'floor' ? startFloor() : startOurs(kind);
  const ready = await child.ready;
  const load = new Load();
  try {
    if (kind === 'floor') {
      child.proc.send({
        type: 'init',
        body: floorReply.body.toString('base64'),
        headers: floorReply.headers,
      } satisfies ParentCommand);
    }
    let idlePublishMs: number | null = null;
    if (kind !== 'floor') {
      const times = kind === 'live' ? 20 : 50;
      const idle = await child.ask({ type: 'idle-publish', times }, 'idle-published');
      idlePublishMs = median(idle.publishMs.slice(times / 4));
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
      late: 0,
    };
    for (let round = 0; round <= ROUNDS; round++) {
      const { pub, arrivals, held } = await holdRound(kind, child, load, n);
      if (round === 0) {
        r.rssFirst = held?.rss ?? NaN;
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
      r.late += Math.max(0, n - pub.answered);
      if (held) {
        r.rssHeld = Math.max(r.rssHeld, held.rss);
        r.heapHeld = Math.max(r.heapHeld, held.heapUsed);
      }
    }
    // One more hold, measured after a forced GC (not before a timed wake: that would move the
    // GC out of it), then released.
    const last = await holdRound(kind, child, load, n, true);
    r.heapGc = last.held?.heapUsed ?? NaN;
    r.errors = load.errors;
    return r;
  } finally {
    load.close();
    await child.stop();
  }
}

const mb = (b: number): string => (b / 2 ** 20).toFixed(1);
const ms = (x: number): string => x.toFixed(2);

/** The live server's playlist response as a player gets it (gzip): the floor sends the same bytes and headers. */
async function livePlaylist(): Promise<{ body: Buffer; headers: Record<string, string> }> {
  const child = startOurs('live');
  try {
    const { port } = await child.ready;
    return await new Promise((resolve, reject) => {
      const req = get(
        { host: '127.0.0.1', port, path: '/hls/live.m3u8', headers: { 'accept-encoding': 'gzip' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            // Node adds Date, Connection and Keep-Alive itself; Content-Length comes from the body.
            const skip = new Set(['date', 'connection', 'keep-alive', 'content-length']);
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) {
              if (!skip.has(k) && typeof v === 'string') headers[k] = v;
            }
            resolve({ body: Buffer.concat(chunks), headers });
          });
        },
      );
      req.on('error', reject);
    });
  } finally {
    await child.stop();
  }
}

async function main(): Promise<void> {
  ensureOpenFiles();
  origin = buildOrigin();
  const floorReply = await livePlaylist();
  const floorBody = floorReply.body;
  const text = gunzipSync(floorBody).toString();
  const kinds: Kind[] = [
    'floor',
    'live',
    ...(ROUTE_ROWS ? (['routes', 'routes-express'] as const) : []),
  ];
  process.stdout.write(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, open files ${openFileLimit()}\n` +
      `scanner-hls: startServer with the defaults (LL-HLS on, PART-TARGET ~0.2 s, 1 s segments, window 12), fed by ffmpeg in real time (AAC over TCP); ` +
      `held requests ask for the first part two segments on and are answered by the packager's publish of it; ${origin.note}\n` +
      `floor: a bare node:http server holding the same requests in a Map, answering each with one Buffer on command: the live playlist with its headers, ${text.length} B (${floorBody.length} B gzipped)\n` +
      (ROUTE_ROWS
        ? `/hls routes: hlsRouter + createApp over a ManualFeed (PART-TARGET ${BENCH_LL.partTargetSec} s), publishing on command, held requests taken before Express (front); "Express only": held inside the Express router\n`
        : '') +
      `each server in its own process; one client process holds one keep-alive socket per request; ${ROUNDS} measured rounds after a warm-up\n` +
      `wake spread = response complete at the client − publish in the server (performance.timeOrigin + now); p50/p99/max: median over the rounds\n` +
      `loop: publish to last response written; RSS of the server child with the requests held: 1st = the first hold in a fresh process (KB/req from it), max = the highest of the measured rounds (garbage included); heap gc = the JS heap in one more hold, after a forced GC (live objects only)\n\n`,
  );
  const header = `${'held'.padStart(6)}  ${'server'.padEnd(14)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'loop ms'.padStart(8)} ${'RSS idle'.padStart(9)} ${'RSS 1st'.padStart(9)} ${'RSS max'.padStart(9)} ${'heap gc'.padStart(9)} ${'KB/req'.padStart(7)} ${'errors'.padStart(6)}\n`;
  process.stdout.write(header);
  const p99s = new Map<number, Partial<Record<Kind, number>>>();
  const delays: string[] = [];
  const notes: string[] = [];
  for (const n of COUNTS) {
    const row: Partial<Record<Kind, number>> = {};
    let floorLoop = NaN;
    for (const kind of kinds) {
      const r = await measure(kind, n, floorReply);
      const p50 = median(r.rounds.map((x) => x.p50));
      const p99 = median(r.rounds.map((x) => x.p99));
      const max = median(r.rounds.map((x) => x.max));
      row[kind] = p99;
      if (kind === 'floor') floorLoop = median(r.loopMs);
      process.stdout.write(
        `${String(n).padStart(6)}  ${LABEL[kind].padEnd(14)} ${ms(p50).padStart(8)} ${ms(p99).padStart(8)} ${ms(max).padStart(8)} ${ms(median(r.loopMs)).padStart(8)} ${mb(r.rssIdle).padStart(6)} MB ${mb(r.rssFirst).padStart(6)} MB ${mb(r.rssHeld).padStart(6)} MB ${mb(r.heapGc).padStart(6)} MB ${((r.rssFirst - r.rssIdle) / n / 1024).toFixed(1).padStart(7)} ${String(r.errors).padStart(6)}\n`,
      );
      if (r.late > 0) {
        notes.push(
          `  ${LABEL[kind].trim()} at ${n}: ${r.late} requests over the rounds were not held yet when their part was published`,
        );
      }
      if (kind === 'live' || kind === 'routes') {
        const what =
          kind === 'live'
            ? "the /hls listener's share of the packager's publish"
            : 'the ManualFeed publish call';
        delays.push(
          `  ${LABEL[kind].trim().padEnd(12)} ${String(n).padStart(6)} held: ${what} ${ms(median(r.publishMs))} ms (nobody held: ${ms(r.idlePublishMs ?? NaN)} ms); answering took ${ms(median(r.loopMs))} ms after it, in slices: the event loop was never busy for more than ${ms(Math.max(...r.stallMs))} ms (the floor's one loop: ${ms(floorLoop)} ms)`,
        );
      }
    }
    p99s.set(n, row);
  }
  if (notes.length) process.stdout.write(`\n${notes.join('\n')}\n`);
  process.stdout.write('\np99 wake spread / floor:\n');
  for (const [n, row] of p99s) {
    const floor = row.floor ?? NaN;
    const parts = kinds
      .filter((k) => k !== 'floor')
      .map(
        (k) =>
          `${LABEL[k].trim()} ${((row[k] ?? NaN) / floor).toFixed(2)}× (${ms(row[k] ?? NaN)} ms)`,
      );
    process.stdout.write(
      `  ${String(n).padStart(6)} held: ${parts.join(', ')}; floor ${ms(floor)} ms\n`,
    );
  }
  process.stdout.write(
    '\nwas publishing delayed? (with the requests held vs with none: the publish callback only schedules the wake)\n' +
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
