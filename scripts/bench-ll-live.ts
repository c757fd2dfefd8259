// scripts/bench-ll-live.ts: bench:ll's server child for the whole live server: startServer (LL-HLS on, defaults) fed in real time by ffmpeg over TCP, driven over IPC.
// Run by scripts/bench-ll.ts (compiled, or with --import tsx). Publishes come from the packager, not on command: the parent arms a target part and this child reports the publish that reaches it.
import type { ChildProcess } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { defaultConfig } from '../src/config.js';
import type { PartPosition } from '../src/hls/live-feed.js';
import { nullLogger } from '../src/logger.js';
import { startServer } from '../src/server.js';
import { makeTs, publishLive, stopProcess } from '../test/helpers/media.js';
import { type ChildReply, type ParentCommand, probeEventLoop } from './bench-ll-protocol.js';

/** Requests in flight (started, not finished): once they are sent, that is how many are held. */
let inflight = 0;
subscribe('http.server.request.start', () => {
  inflight++;
});
subscribe('http.server.response.finish', () => {
  inflight--;
});

const dir = mkdtempSync(join(tmpdir(), 'shls-bench-ll-live-'));
const cfg = defaultConfig();
const server = await startServer(
  {
    ...cfg,
    httpHost: '127.0.0.1',
    httpPort: 0,
    ingest: 'tcp://127.0.0.1:0',
    out: join(dir, 'segments'),
    stateDir: join(dir, 'state'),
    logLevel: 'error',
  },
  nullLogger,
);
const { packager } = server;
const encoder: ChildProcess = publishLive(await makeTs('aac', 30), server.ingestPort, {
  loop: true,
});

function send(m: ChildReply): void {
  process.send?.(m);
}

const after = (p: PartPosition | null, t: PartPosition): boolean =>
  p !== null && (p.msn > t.msn || (p.msn === t.msn && p.part >= t.part));

/**
 * The time our /hls listener adds to the packager's publish: one listener before every other
 * (prepended) and one after (added now, so after the /hls router's) take the time around it.
 */
let enteredAt = 0;
let lastPublishMs = 0;
packager.prependListener('publish', () => {
  enteredAt = performance.now();
});
packager.on('publish', () => {
  lastPublishMs = performance.now() - enteredAt;
});
const idleTimes: number[] = [];
let armed: PartPosition | null = null;

packager.on('publish', () => {
  const target = armed;
  const at = performance.timeOrigin + enteredAt;
  if (target === null) {
    idleTimes.push(lastPublishMs);
    return;
  }
  if (!after(packager.position(), target)) return;
  armed = null;
  const publishMs = lastPublishMs;
  const heldAtPublish = inflight;
  const t0 = enteredAt;
  probeEventLoop(
    () => inflight === 0,
    (stallMs, now) =>
      send({
        type: 'published',
        at,
        publishMs,
        loopMs: now - t0,
        stallMs,
        answered: heldAtPublish,
      }),
  );
});

process.on('message', (m: ParentCommand) => {
  switch (m.type) {
    case 'count': {
      if (m.gc) (globalThis as { gc?: () => void }).gc?.();
      const mem = process.memoryUsage();
      const p = packager.position();
      send({
        type: 'count',
        held: inflight,
        rss: mem.rss,
        heapUsed: mem.heapUsed,
        // Two segments on (the _HLS_msn limit): 1.2–2 s of parts away, time to hold them all.
        next: p ? { msn: p.msn + 2, part: 0 } : { msn: 0, part: 0 },
      });
      break;
    }
    case 'idle-publish': {
      // Publishes with nobody waiting, as they came.
      const wait = (): void => {
        if (idleTimes.length < m.times) {
          setTimeout(wait, 50);
          return;
        }
        send({
          type: 'idle-published',
          publishMs: idleTimes.splice(0),
          next: packager.position() ?? { msn: 0, part: 0 },
        });
      };
      idleTimes.length = 0;
      wait();
      break;
    }
    case 'arm':
      armed = m.target;
      break;
    case 'publish':
      break;
    case 'init':
      break;
    case 'exit':
      void (async () => {
        await stopProcess(encoder);
        await server.close();
        rmSync(dir, { recursive: true, force: true });
        process.exit(0);
      })();
      break;
  }
});

// Ready once the window is full (the playlist a listener gets from then on): window + 1 segments.
const started = performance.now();
const ready = (): void => {
  if ((packager.position()?.msn ?? -1) <= cfg.window) {
    if (performance.now() - started > 60_000) {
      process.stderr.write('bench-ll-live: the window did not fill within 60 s\n');
      process.exit(1);
    }
    setTimeout(ready, 100);
    return;
  }
  send({ type: 'ready', port: server.httpPort, rss: process.memoryUsage().rss });
};
ready();
