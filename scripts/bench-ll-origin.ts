// scripts/bench-ll-origin.ts: bench:ll's server child for scanner-hls: the real /hls routes in the real app (hlsRouter, createApp, and the front handler as the live server wires it) over a ManualFeed, driven over IPC.
// Run by scripts/bench-ll.ts (compiled, or with --import tsx); --express-only holds requests in the Express router instead of the front handler; --slice-ms N sets the wake's slice.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../src/clock.js';
import { createApp } from '../src/http/app.js';
import { hlsRouter } from '../src/http/hls-routes.js';
import type { WakeStats } from '../src/http/playlist-waiters.js';
import { nullLogger } from '../src/logger.js';
import {
  BENCH_LL,
  BENCH_PARTS_PER_SEGMENT,
  type ChildReply,
  type ParentCommand,
  probeEventLoop,
} from './bench-ll-protocol.js';
import { ManualFeed } from '../test/helpers/manual-feed.js';

/**
 * Timers that never fire: the one sweep timer would answer 503 three target durations after a
 * request is held, and opening 10,000 connections can take longer than 3 s. The sweep is not what
 * is measured; its cost (one timer, whatever the count) is not in the wake loop either.
 */
const stillClock: Clock = { now: () => Date.now(), setTimer: () => () => undefined };

const dir = mkdtempSync(join(tmpdir(), 'shls-bench-ll-'));
const feed = new ManualFeed({
  lowLatency: BENCH_LL,
  partsPerSegment: BENCH_PARTS_PER_SEGMENT,
  dir,
  partBytes: 188 * 6,
});
// A full window (12 segments) and a segment in progress, as a player sees it.
for (let i = 0; i < 12 * BENCH_PARTS_PER_SEGMENT + 2; i++) feed.publish();

let lastWake: WakeStats | null = null;
const sliceAt = process.argv.indexOf('--slice-ms');
const wakeSliceMs = sliceAt > 0 ? Number(process.argv[sliceAt + 1]) : undefined;
const hls = hlsRouter({
  stream: 'live',
  outDir: dir,
  feed,
  clock: stillClock,
  wakeSliceMs,
  onWake: (s) => {
    lastWake = s;
  },
});
const app = createApp({ mounts: [{ path: '/hls', router: hls.router }], logger: nullLogger });
const expressOnly = process.argv.includes('--express-only');
// As src/http/mounts.ts liveListener: held requests are taken before Express.
const server = createServer(
  expressOnly
    ? app
    : (req, res) =>
        hls.front(req, res, () => {
          app(req, res);
        }),
);
// As src/server.ts: held requests must not be cut by the request timeout.
server.requestTimeout = 0;
server.keepAliveTimeout = 65_000;

function send(m: ChildReply): void {
  process.send?.(m);
}

/** One publish: the time of the call and how long the call (the packager's side) took. */
function publishOnce(): { at: number; publishMs: number } {
  const t0 = performance.now();
  feed.publish();
  const t1 = performance.now();
  return { at: performance.timeOrigin + t0, publishMs: t1 - t0 };
}

process.on('message', (m: ParentCommand) => {
  switch (m.type) {
    case 'count':
      if (m.gc) (globalThis as { gc?: () => void }).gc?.();
      send({
        type: 'count',
        held: hls.waiters.size.playlists,
        rss: process.memoryUsage().rss,
        heapUsed: process.memoryUsage().heapUsed,
        next: feed.next(),
      });
      break;
    case 'idle-publish': {
      // Publishing with nobody waiting: the reference for "was publishing delayed".
      const times: number[] = [];
      for (let i = 0; i < m.times; i++) times.push(publishOnce().publishMs);
      send({ type: 'idle-published', publishMs: times, next: feed.next() });
      break;
    }
    case 'publish': {
      lastWake = null;
      const p = publishOnce();
      probeEventLoop(
        () => lastWake !== null,
        (stallMs) => {
          const wake: WakeStats | null = lastWake;
          if (wake === null) return;
          send({
            type: 'published',
            ...p,
            loopMs: wake.ms,
            stallMs,
            answered: wake.playlists,
            next: feed.next(),
          });
        },
      );
      break;
    }
    case 'exit':
      hls.waiters.close();
      server.closeAllConnections();
      server.close();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
  }
});

server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  send({
    type: 'ready',
    port: typeof a === 'object' && a ? a.port : 0,
    rss: process.memoryUsage().rss,
    next: feed.next(),
  });
});
