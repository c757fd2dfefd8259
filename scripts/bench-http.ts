// scripts/bench-http.ts: npm run bench:http: scanner-hls's /hls beside nginx serving the same directory and a bare node:http floor (wrk), simulated listeners, and the packager's publish latency under that load (loopback only).
// Usage: npm run bench:http -- [--listeners 200,1000] [--seconds 20] [--max-clients 64] [--max-seconds 10] [--wrk-seconds 5] [--wrk-connections 100] [--wrk-rounds 3] [--wrk-warmup 5] [--idle-seconds 10] [--built] [--cpu-prof DIR]
import { type ChildProcess, execFile, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, shippedConfig, startNginx } from '../test/helpers/nginx.js';

const run = promisify(execFile);

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? def) : def;
}

const LISTENERS = arg('listeners', '200,1000').split(',').map(Number);
const SECONDS = Number(arg('seconds', '20'));
const MAX_CLIENTS = Number(arg('max-clients', '64'));
const MAX_SECONDS = Number(arg('max-seconds', '10'));
const WRK_SECONDS = Number(arg('wrk-seconds', '5'));
const WRK_CONNECTIONS = Number(arg('wrk-connections', '100'));
const WRK_ROUNDS = Number(arg('wrk-rounds', '3'));
/** Seconds of wrk each server gets, unmeasured, before the rounds: V8 compiles a server's hot path only after thousands of requests, and a cold first round would measure the compiler. */
const WRK_WARMUP = Number(arg('wrk-warmup', '5'));
const IDLE_SECONDS = Number(arg('idle-seconds', '10'));
const BUILT = process.argv.includes('--built');
/**
 * The node flags `npm start`, the scanner-hls command's shebang and the systemd unit run the server
 * with (package.json "start"; test/unit/node-flags.test.ts keeps them in step): without
 * --no-memory-reducer, V8's idle-time "reduce" GC left node's own per-request code on a slow path
 * for the rest of the process's life (README "When to put nginx in front").
 */
const SERVER_NODE_FLAGS = ['--no-memory-reducer'];
/** --cpu-prof DIR: scanner-hls and the floor each write a V8 CPU profile there when they exit (open in Chrome DevTools). */
const CPU_PROF_DIR = arg('cpu-prof', '');
const PROFILE_FLAGS = CPU_PROF_DIR ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF_DIR] : [];
const SEGMENT_SEC = 2;

/** Latencies and outcomes of one run. */
class Stats {
  readonly ms: number[] = [];
  errors = 0;
  bytes = 0;
  record(ms: number, ok: boolean, bytes: number): void {
    if (ok) this.ms.push(ms);
    else this.errors++;
    this.bytes += bytes;
  }
  summary(seconds: number): string {
    const s = [...this.ms].sort((a, b) => a - b);
    const q = (p: number): string =>
      (s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0).toFixed(2);
    const n = s.length + this.errors;
    return `${(n / seconds).toFixed(0).padStart(7)} req/s  p50 ${q(0.5).padStart(6)} ms  p99 ${q(0.99).padStart(7)} ms  errors ${this.errors}  (${n} requests, ${(this.bytes / seconds / 1e6).toFixed(1)} MB/s)`;
  }
}

/** One GET on a keep-alive agent; resolves with status, body and time. */
function fetchOnce(
  agent: Agent,
  url: string,
): Promise<{ status: number; body: Buffer; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = get(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks),
          ms: performance.now() - t0,
        }),
      );
      res.on('error', () =>
        resolve({ status: 0, body: Buffer.alloc(0), ms: performance.now() - t0 }),
      );
    });
    req.setTimeout(10_000, () => req.destroy());
    req.on('error', () =>
      resolve({ status: 0, body: Buffer.alloc(0), ms: performance.now() - t0 }),
    );
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A player: reloads the playlist every target duration and fetches each new segment once. */
async function listener(base: string, stats: Stats, endAt: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const fetched = new Set<string>();
  await sleep(Math.random() * SEGMENT_SEC * 1000); // players do not start in lockstep
  while (Date.now() < endAt) {
    const started = Date.now();
    const pl = await fetchOnce(agent, `${base}/hls/live.m3u8`);
    const ok = pl.status === 200 && pl.body.subarray(0, 7).toString() === '#EXTM3U';
    stats.record(pl.ms, ok, pl.body.length);
    if (ok) {
      const uris = pl.body
        .toString()
        .split('\n')
        .filter((l) => l.endsWith('.ts'));
      const fresh = fetched.size === 0 ? uris.slice(-3) : uris.filter((u) => !fetched.has(u));
      for (const u of fresh) {
        fetched.add(u);
        const s = await fetchOnce(agent, `${base}/hls/${u}`);
        stats.record(s.ms, s.status === 200 && s.body[0] === 0x47, s.body.length);
      }
    }
    await sleep(Math.max(0, SEGMENT_SEC * 1000 - (Date.now() - started)));
  }
  agent.destroy();
}

/** No think time: each client alternates playlist and newest-segment requests as fast as it can. */
async function hammer(base: string, stats: Stats, endAt: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  while (Date.now() < endAt) {
    const pl = await fetchOnce(agent, `${base}/hls/live.m3u8`);
    stats.record(pl.ms, pl.status === 200, pl.body.length);
    const last = pl.body
      .toString()
      .split('\n')
      .filter((l) => l.endsWith('.ts'))
      .at(-1);
    if (last) {
      const s = await fetchOnce(agent, `${base}/hls/${last}`);
      stats.record(s.ms, s.status === 200, s.body.length);
    }
  }
  agent.destroy();
}

async function measure(
  base: string,
  clients: number,
  seconds: number,
  fn: typeof listener,
): Promise<Stats> {
  const stats = new Stats();
  const endAt = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, () => fn(base, stats, endAt)));
  return stats;
}

/** req/s and p99 of one wrk run; null when wrk is not installed. */
async function wrk(
  url: string,
  seconds = WRK_SECONDS,
): Promise<{ rps: number; p99ms: number; requests: number; errors: string } | null> {
  let out: string;
  try {
    out = (
      await run('wrk', ['-t2', `-c${WRK_CONNECTIONS}`, `-d${seconds}s`, '--latency', url], {
        timeout: (seconds + 30) * 1000,
      })
    ).stdout;
  } catch (e) {
    if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return null;
    throw e;
  }
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const m = /^\s+99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(out);
  const unit = { us: 0.001, ms: 1, s: 1000 }[m?.[2] ?? 'ms'] ?? 1;
  const p99ms = Number(m?.[1] ?? NaN) * unit;
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1];
  const sockErr = /Socket errors: ([^\n]+)/.exec(out)?.[1];
  const errors = [non2xx ? `${non2xx} non-2xx` : '', sockErr ? `socket errors ${sockErr}` : '']
    .filter(Boolean)
    .join(', ');
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  return { rps, p99ms, requests, errors };
}

/** User+system CPU time of a process so far, ms (Linux /proc); null where there is none. */
function cpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // Fields 14 and 15 of /proc/PID/stat (utime, stime) are the 12th and 13th after "(comm) ".
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS : null;
  } catch {
    return null;
  }
}

/** USER_HZ: 100 on every Linux build this runs on (sysconf(_SC_CLK_TCK)). */
const CLOCK_TICKS = 100;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[Math.floor((s.length - 1) / 2)] ?? NaN);
}

/** The packager's publish-latency histogram (GET /metrics): cumulative count per bucket bound, s. */
async function publishLatency(base: string): Promise<Map<number, number>> {
  const text = (await fetchOnce(new Agent(), `${base}/metrics`)).body.toString();
  const out = new Map<number, number>();
  for (const m of text.matchAll(
    /^scanner_hls_publish_latency_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm,
  )) {
    out.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2]));
  }
  return out;
}

/** p99 of the publishes between two histogram readings: the bucket bound that holds it, ms. */
function p99Between(before: Map<number, number>, after: Map<number, number>): string {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total <= 0) return 'no publishes';
  for (const b of bounds) {
    const n = (after.get(b) ?? 0) - (before.get(b) ?? 0);
    if (n >= 0.99 * total) {
      return `p99 ≤ ${b === Infinity ? '∞' : (b * 1000).toFixed(1)} ms (${total} publishes)`;
    }
  }
  return `${total} publishes`;
}

/** The headers scanner-hls sent that the floor should send too. */
function floorHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [
    'content-type',
    'cache-control',
    'access-control-allow-origin',
    'access-control-expose-headers',
    'etag',
    'vary',
    'accept-ranges',
    'last-modified',
  ]) {
    const v = h[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}

/** GET with the response headers too. */
function fetchFull(
  url: string,
): Promise<{ body: Buffer; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: new Agent() }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ body: Buffer.concat(chunks), headers: res.headers }));
    }).on('error', reject);
  });
}

/** The Node.js floor (bench-http-floor.mjs) in its own process, loaded with scanner-hls's bytes. */
async function startFloor(
  base: string,
  segUri: string,
): Promise<{ baseUrl: string; proc: ChildProcess }> {
  // The same node flags as scanner-hls: both run on the same engine settings.
  const proc = fork(join(import.meta.dirname, 'bench-http-floor.mjs'), [], {
    stdio: 'inherit',
    execArgv: [...SERVER_NODE_FLAGS, ...PROFILE_FLAGS],
  });
  const [ready] = (await once(proc, 'message')) as [{ port: number }];
  const pl = await fetchFull(`${base}/hls/live.m3u8`);
  const seg = await fetchFull(`${base}/hls/${segUri}`);
  proc.send({
    type: 'init',
    playlist: { body: pl.body.toString('base64'), headers: floorHeaders(pl.headers) },
    segment: { body: seg.body.toString('base64'), headers: floorHeaders(seg.headers) },
  });
  await once(proc, 'message');
  return { baseUrl: `http://127.0.0.1:${ready.port}`, proc };
}

async function newestSegment(base: string): Promise<string> {
  const text = (await fetchOnce(new Agent(), `${base}/hls/live.m3u8`)).body.toString();
  return (
    text
      .split('\n')
      .filter((l) => l.endsWith('.ts') && !l.startsWith('#'))
      .at(-1) ?? ''
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shls-bench-http-'));
  const out = join(dir, 'segments');
  mkdirSync(out);
  const httpPort = await freePort();
  const ingestPort = await freePort();
  const nginxPort = await freePort();
  const feed = join(dir, 'feed.ts');
  // A scanner-like feed: 32 kbit/s mono MP3 at 22.05 kHz.
  await run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=22050:duration=20',
    '-ac',
    '1',
    '-c:a',
    'libmp3lame',
    '-b:a',
    '32k',
    '-f',
    'mpegts',
    feed,
  ]);
  const procs: ChildProcess[] = [];
  // --built: the compiled server as `npm start` runs it (npm run build first); else src through tsx,
  // whose keepNames transform adds a call to every closure it creates.
  const main = BUILT
    ? join(import.meta.dirname, '..', 'dist', 'main.js')
    : join(import.meta.dirname, '..', 'src', 'main.ts');
  if (BUILT && !existsSync(main))
    throw new Error('--built: no dist/main.js; run npm run build first');
  const server = spawn(
    process.execPath,
    [
      ...SERVER_NODE_FLAGS,
      ...PROFILE_FLAGS,
      ...(BUILT ? [] : ['--import', 'tsx']),
      main,
      '--out',
      out,
      '--state-dir',
      join(dir, 'state'),
      '--http',
      `127.0.0.1:${httpPort}`,
      '--ingest',
      `tcp://127.0.0.1:${ingestPort}`,
      '--segment-duration',
      String(SEGMENT_SEC),
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  procs.push(server);
  const nginx = await startNginx(
    shippedConfig('scanner-hls.conf', [
      ['listen 80;', `listen 127.0.0.1:${nginxPort};`],
      ['/var/lib/scanner-hls/segments/', `${out}/`],
      ['server 127.0.0.1:8080;', `server 127.0.0.1:${httpPort};`],
    ]),
    nginxPort,
  );
  try {
    for (let i = 0; i < 100; i++) {
      if (
        await fetchOnce(new Agent(), `http://127.0.0.1:${httpPort}/api/status`).then(
          (r) => r.status === 200,
        )
      )
        break;
      await sleep(100);
    }
    const enc = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-re',
        '-stream_loop',
        '-1',
        '-i',
        feed,
        '-c',
        'copy',
        '-f',
        'mpegts',
        `tcp://127.0.0.1:${ingestPort}`,
      ],
      { stdio: 'ignore' },
    );
    procs.push(enc);
    process.stdout.write('waiting for three segments…\n');
    while (
      !existsSync(join(out, 'live.m3u8')) ||
      (await fetchOnce(new Agent(), `http://127.0.0.1:${httpPort}/hls/live.m3u8`)).body
        .toString()
        .split('.ts').length < 4
    ) {
      await sleep(500);
    }
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    process.stdout.write(
      `machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${(await run('nginx', ['-v'])).stderr.trim()}; client, servers and encoder share the machine\n` +
        `feed: 32 kbit/s MP3, ${SEGMENT_SEC} s segments, window 6; scanner-hls runs ${BUILT ? 'dist/main.js (built)' : 'src/main.ts through tsx (--built: dist/main.js)'} with node ${SERVER_NODE_FLAGS.join(' ')}, as npm start does (so does the floor)\n\n`,
    );
    const shls = `http://127.0.0.1:${httpPort}`;
    const floor = await startFloor(shls, await newestSegment(shls));
    procs.push(floor.proc);
    const idleBefore = await publishLatency(shls);
    await sleep(IDLE_SECONDS * 1000);
    process.stdout.write(
      `publish latency with no HTTP load, ${IDLE_SECONDS} s: ${p99Between(idleBefore, await publishLatency(shls))}\n\n`,
    );
    process.stdout.write(
      `wrk -t2 -c${WRK_CONNECTIONS} -d${WRK_SECONDS}s --latency, each server first warmed up for ${WRK_WARMUP} s (unmeasured), then ${WRK_ROUNDS} rounds taking turns, medians (the newest segment, looked up before each run); rounds is the lowest and highest ratio of a round to the floor's run in that round; CPU is the server process's user+sys time per request; publish is scanner-hls's publish latency while wrk loaded that server:\n`,
    );
    const wrkTargets = [
      { name: 'Node.js floor', base: floor.baseUrl, pid: floor.proc.pid },
      { name: 'scanner-hls', base: shls, pid: server.pid },
      { name: 'nginx (same directory)', base: nginx.baseUrl, pid: undefined },
    ];
    let wrkMissing = false;
    for (const what of ['playlist', 'segment'] as const) {
      const runs = new Map<
        string,
        {
          rps: number[];
          p99: number[];
          cpuUs: number[];
          errors: string[];
          publish: Map<number, number>;
        }
      >();
      if (WRK_WARMUP > 0) {
        for (const t of wrkTargets) {
          const path = what === 'playlist' ? '/hls/live.m3u8' : `/hls/${await newestSegment(shls)}`;
          if ((await wrk(`${t.base}${path}`, WRK_WARMUP)) === null) break;
        }
      }
      for (let round = 0; round < WRK_ROUNDS && !wrkMissing; round++) {
        for (const t of wrkTargets) {
          const path = what === 'playlist' ? '/hls/live.m3u8' : `/hls/${await newestSegment(shls)}`;
          const h0 = await publishLatency(shls);
          const cpu0 = cpuMs(t.pid);
          const r = await wrk(`${t.base}${path}`);
          const cpu1 = cpuMs(t.pid);
          const h1 = await publishLatency(shls);
          if (r === null) {
            process.stdout.write('  wrk is not installed: the wrk rows are skipped\n');
            wrkMissing = true;
            break;
          }
          const row = runs.get(t.name) ?? {
            rps: [],
            p99: [],
            cpuUs: [],
            errors: [],
            publish: new Map<number, number>(),
          };
          // scanner-hls's publishes during this run (whichever server wrk loads).
          for (const [le, n] of h1)
            row.publish.set(le, (row.publish.get(le) ?? 0) + n - (h0.get(le) ?? 0));
          row.rps.push(r.rps);
          row.p99.push(r.p99ms);
          if (cpu0 !== null && cpu1 !== null && r.requests > 0) {
            row.cpuUs.push(((cpu1 - cpu0) * 1000) / r.requests);
          }
          if (r.errors) row.errors.push(r.errors);
          runs.set(t.name, row);
        }
      }
      if (wrkMissing) break;
      const floorRuns = runs.get('Node.js floor')?.rps ?? [];
      const floorRps = median(floorRuns);
      for (const t of wrkTargets) {
        const row = runs.get(t.name);
        if (!row) continue;
        const rps = median(row.rps);
        // Each round's ratio to the floor's run in the same round (they ran one after the other).
        const perRound = row.rps.map((r, i) => r / (floorRuns[i] ?? NaN)).filter(Number.isFinite);
        const spread =
          t.name === 'Node.js floor' || perRound.length < 2
            ? ''
            : `  rounds ${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)}×`;
        const cpu = row.cpuUs.length
          ? `CPU ${median(row.cpuUs).toFixed(1).padStart(5)} µs/req`
          : ''.padEnd(19);
        process.stdout.write(
          `  ${what.padEnd(9)} ${t.name.padEnd(24)} ${rps.toFixed(0).padStart(7)} req/s  p99 ${median(row.p99).toFixed(2).padStart(7)} ms  ${(floorRps > 0 ? `${(rps / floorRps).toFixed(2)}× floor` : '').padEnd(11)}  ${cpu}  publish ${p99Between(new Map(), row.publish)}${spread}${row.errors.length ? `  ${row.errors.join('; ')}` : ''}\n`,
        );
      }
    }
    process.stdout.write('\n');
    const targets = [
      ['scanner-hls', shls],
      ['nginx (same directory)', nginx.baseUrl],
    ] as const;
    for (const n of LISTENERS) {
      process.stdout.write(
        `${n} listeners (playlist every ${SEGMENT_SEC} s + each new segment), ${SECONDS} s:\n`,
      );
      for (const [name, base] of targets) {
        const before = base === shls ? await publishLatency(shls) : null;
        const s = await measure(base, n, SECONDS, listener);
        const pub = before ? `  publish ${p99Between(before, await publishLatency(shls))}` : '';
        process.stdout.write(`  ${name.padEnd(24)} ${s.summary(SECONDS)}${pub}\n`);
      }
    }
    process.stdout.write(
      `\nsaturation: ${MAX_CLIENTS} clients without think time (playlist + newest segment), ${MAX_SECONDS} s:\n`,
    );
    for (const [name, base] of targets) {
      const before = base === shls ? await publishLatency(shls) : null;
      const s = await measure(base, MAX_CLIENTS, MAX_SECONDS, hammer);
      const pub = before ? `  publish ${p99Between(before, await publishLatency(shls))}` : '';
      process.stdout.write(`  ${name.padEnd(24)} ${s.summary(MAX_SECONDS)}${pub}\n`);
    }
  } finally {
    for (const p of procs.reverse()) {
      p.kill('SIGTERM');
      if (p.exitCode === null) await once(p, 'exit');
    }
    await nginx.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(
      `bench:http: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exit(1);
  },
);
