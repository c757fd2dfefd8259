// test/integration/gap-playback.test.ts: across a 10 s encoder outage, the GAP URIs are real silence that nginx serves and ffmpeg reads from the live playlist without an error.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { makeTs, publishLive, stopProcess } from '../helpers/media.js';
import { freePort, shippedConfig, startNginx, type TestNginx } from '../helpers/nginx.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/** Runs ffmpeg reading url until it has read seconds of media; resolves with its stderr. */
function ffmpegReads(url: string, seconds: number): { done: Promise<string>; child: ChildProcess } {
  const child = spawn(
    'ffmpeg',
    ['-hide_banner', '-v', 'warning', '-i', url, '-t', String(seconds), '-f', 'null', '-'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<string>((resolve) => child.once('exit', () => resolve(err.trim())));
  return { done, child };
}

const exited = (p: ChildProcess) => new Promise<void>((r) => p.once('exit', () => r()));

describe('GAP segments across an outage', () => {
  let server: TestServer;
  let nginx: TestNginx;
  const children: ChildProcess[] = [];

  before(async () => {
    server = await startTestServer({ segmentDurationSec: 1, targetDurationSec: 1, window: 30 });
    const port = await freePort();
    nginx = await startNginx(
      shippedConfig('scanner-hls.conf', [
        ['listen 80;', `listen 127.0.0.1:${port};`],
        ['/var/lib/scanner-hls/segments/', `${server.cfg.out}/`],
        ['server 127.0.0.1:8080;', `server 127.0.0.1:${server.httpPort};`],
      ]),
      port,
    );
  });
  after(async () => {
    for (const c of children) await stopProcess(c);
    await nginx?.stop();
    await server?.close();
  });

  it('ffmpeg reads the live playlist through nginx across 10 s of silence with no error; every GAP URI is served', async () => {
    const clip = await makeTs('mp3-lsf', 6);
    const first = publishLive(clip, server.ingestPort);
    children.push(first);
    await waitFor(() => server.packager.getStatus().segmentsPublished >= 2, 'first segments');
    const reader = ffmpegReads(`${nginx.baseUrl}/hls/live.m3u8`, 20);
    children.push(reader.child);
    await exited(first);
    // The outage: 10 s with no encoder at all.
    await new Promise((r) => setTimeout(r, 10_000));
    const second = publishLive(clip, server.ingestPort);
    children.push(second);
    const stderr = await reader.done;
    assert.equal(stderr, '', 'ffmpeg reported nothing while reading across the outage');
    await exited(second);
    const text = await (await fetch(`${nginx.baseUrl}/hls/live.m3u8`)).text();
    const lines = text.split('\n');
    const gapUris = lines.filter((l, i) => l.endsWith('.ts') && lines[i - 2] === '#EXT-X-GAP');
    assert.ok(
      gapUris.length >= 7,
      `GAP segments listed for the outage: ${gapUris.length}\n${text}`,
    );
    for (const uri of gapUris) {
      const r = await fetch(`${nginx.baseUrl}/hls/${uri}`);
      assert.equal(r.status, 200, uri);
      assert.equal(r.headers.get('content-type'), 'video/mp2t', uri);
      const body = Buffer.from(await r.arrayBuffer());
      assert.ok(body.length > 0 && body.length % 188 === 0 && body[0] === 0x47, uri);
    }
  });
});
