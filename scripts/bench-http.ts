// scripts/bench-http.ts: npm run bench:http: simulated HLS listeners against scanner-hls's Express and against nginx serving the same directory (loopback only).
// Usage: npm run bench:http -- [--listeners 200,1000] [--seconds 20] [--max-clients 64] [--max-seconds 10]
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
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
  const main = join(import.meta.dirname, '..', 'src', 'main.ts');
  const server = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
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
        `feed: 32 kbit/s MP3, ${SEGMENT_SEC} s segments, window 6\n\n`,
    );
    const targets = [
      ['scanner-hls (Express)', `http://127.0.0.1:${httpPort}`],
      ['nginx (same directory)', nginx.baseUrl],
    ] as const;
    for (const n of LISTENERS) {
      process.stdout.write(
        `${n} listeners (playlist every ${SEGMENT_SEC} s + each new segment), ${SECONDS} s:\n`,
      );
      for (const [name, base] of targets) {
        const s = await measure(base, n, SECONDS, listener);
        process.stdout.write(`  ${name.padEnd(24)} ${s.summary(SECONDS)}\n`);
      }
    }
    process.stdout.write(
      `\nsaturation: ${MAX_CLIENTS} clients without think time (playlist + newest segment), ${MAX_SECONDS} s:\n`,
    );
    for (const [name, base] of targets) {
      const s = await measure(base, MAX_CLIENTS, MAX_SECONDS, hammer);
      process.stdout.write(`  ${name.padEnd(24)} ${s.summary(MAX_SECONDS)}\n`);
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
