// scripts/bench-latency-origins.ts: bench:latency's origins: scanner-hls (startServer in-process, fed over its TCP ingest) and ffmpeg's hls muxer behind a bare static server.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type { AppConfig } from '../src/config.js';
import { startTestServer } from '../test/helpers/server.js';
import type { EdgeWatch } from './bench-latency-media.js';

/** Where one configuration's playlist is served, and how to feed and stop it. */
export interface Origin {
  playlistUrl: string;
  pageUrl: string;
  write(b: Uint8Array): void;
  /** Calls edges.saw() with the playlist after each publish (or, for a directory, every 20 ms). */
  watchEdge(edges: EdgeWatch): () => void;
  close(): Promise<void>;
}

export async function scannerOrigin(over: Partial<AppConfig>): Promise<Origin> {
  const server = await startTestServer(over);
  const socket = await openSocket(server.ingestPort);
  return {
    playlistUrl: `${server.baseUrl}/hls/${server.cfg.stream}.m3u8`,
    pageUrl: `${server.baseUrl}/`,
    write: (b) => void socket.write(b),
    watchEdge: (edges) =>
      server.packager.onPublish(() => edges.saw(server.packager.playlistText())),
    close: async () => {
      socket.destroy();
      await server.close();
      rmSync(server.dir, { recursive: true, force: true });
    },
  };
}

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.off('error', reject);
      resolve(s);
    });
    s.setNoDelay(true);
    s.once('error', reject);
  });
}

const TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
};

/** A bare static server for ffmpeg's directory: no-cache, CORS, nothing else. */
function staticServer(dir: string): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const type = TYPES[extname(path)];
    if (!type || path.includes('..')) {
      res.writeHead(404).end();
      return;
    }
    readFile(join(dir, path)).then(
      (body) => {
        res.writeHead(200, {
          'Content-Type': type,
          'Cache-Control': 'no-cache',
          'Access-Control-Allow-Origin': '*',
        });
        res.end(body);
      },
      () => res.writeHead(404, { 'Access-Control-Allow-Origin': '*' }).end(),
    );
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ server, port: typeof a === 'object' && a ? a.port : 0 });
    });
  });
}

/** ffmpeg's hls muxer (1 s, PDT on) reading the paced feed on stdin; our idle server only serves the page (?src=). */
export async function ffmpegOrigin(): Promise<Origin> {
  const dir = mkdtempSync(join(tmpdir(), 'shls-bench-ffmpeg-'));
  const ff: ChildProcess = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-fflags', 'nobuffer'],
      ...['-probesize', '32', '-analyzeduration', '0', '-f', 'mpegts', '-i', 'pipe:0'],
      ...['-c', 'copy', '-copyts', '-muxdelay', '0', '-muxpreload', '0', '-f', 'hls'],
      ...['-hls_time', '1', '-hls_list_size', '12'],
      ...['-hls_flags', 'delete_segments+program_date_time+temp_file+independent_segments'],
      ...['-hls_segment_filename', join(dir, 'seg%05d.ts'), join(dir, 'index.m3u8')],
    ],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  ff.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  ff.stdin?.on('error', () => {});
  const { server: files, port } = await staticServer(dir);
  const page = await startTestServer();
  const playlistUrl = `http://127.0.0.1:${port}/index.m3u8`;
  return {
    playlistUrl,
    pageUrl: `${page.baseUrl}/?src=${encodeURIComponent(playlistUrl)}`,
    write: (b) => {
      if (ff.exitCode !== null) throw new Error(`ffmpeg exited ${ff.exitCode}: ${stderr.trim()}`);
      ff.stdin?.write(b);
    },
    watchEdge: (edges) => {
      const timer = setInterval(() => {
        readFile(join(dir, 'index.m3u8'), 'utf8').then(
          (text) => edges.saw(text),
          () => undefined,
        );
      }, 20);
      return () => clearInterval(timer);
    },
    close: async () => {
      ff.stdin?.end();
      await new Promise<void>((r) => {
        if (ff.exitCode !== null) return r();
        const t = setTimeout(() => ff.kill('SIGKILL'), 3000);
        ff.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
      await new Promise<void>((r) => files.close(() => r()));
      files.closeAllConnections();
      await page.close();
      rmSync(dir, { recursive: true, force: true });
      rmSync(page.dir, { recursive: true, force: true });
    },
  };
}
