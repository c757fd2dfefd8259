// test/integration/live-audio-load.test.ts: /live.mp3 under load on a real server: 500 listeners on raw sockets with bounded memory, a stalled reader dropped while others play, the listener limit.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { makeTs, publishLive, stopProcess } from '../helpers/media.js';
import { closePublisher, openPublisher, writeAll } from '../helpers/tcp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const servers: TestServer[] = [];
const children: ChildProcess[] = [];
after(async () => {
  for (const p of children) await stopProcess(p);
  for (const s of servers) await s.close();
});

/** 128 kbit/s MP3 (makeTs 'mp3'). */
const BYTES_PER_SEC = 16_000;

async function liveServer(over: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const s = await startTestServer({ liveAudio: true, ...over });
  servers.push(s);
  children.push(
    publishLive(await makeTs('mp3', 12), s.ingestPort, { loop: true, lowLatency: true }),
  );
  await waitFor(() => s.audio.recent(1).length > 0, 'the first audio');
  return s;
}

/** A listener on a raw socket: counts the body bytes after the response head. */
interface Reader {
  sock: Socket;
  status: number;
  bytes: number;
  closed: boolean;
}

function listen(s: TestServer, path = '/live.mp3'): Promise<Reader> {
  return new Promise((resolve, reject) => {
    const r: Reader = {
      sock: connect(s.httpPort, '127.0.0.1'),
      status: 0,
      bytes: 0,
      closed: false,
    };
    let head = Buffer.alloc(0);
    r.sock.on('connect', () => r.sock.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`));
    r.sock.on('data', (d: Buffer) => {
      if (r.status === 0) {
        head = Buffer.concat([head, d]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        r.status = Number(head.subarray(9, 12).toString());
        r.bytes = head.length - end - 4;
        resolve(r);
        return;
      }
      r.bytes += d.length;
    });
    r.sock.on('close', () => {
      r.closed = true;
      if (r.status === 0) reject(new Error('closed before a response'));
    });
    r.sock.on('error', () => undefined);
  });
}

describe('/live.mp3 under load', () => {
  it('serves 500 listeners at once, each in real time, with bounded memory', async (t) => {
    const s = await liveServer({ liveAudioMaxListeners: 1000 });
    const rssBefore = process.memoryUsage().rss;
    const readers: Reader[] = [];
    for (let i = 0; i < 500; i += 50) {
      readers.push(...(await Promise.all(Array.from({ length: 50 }, () => listen(s)))));
    }
    assert.ok(readers.every((r) => r.status === 200));
    assert.equal(s.liveAudio?.stats().listeners, 500);
    const at = readers.map((r) => r.bytes);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 4000));
    const sec = (Date.now() - t0) / 1000;
    const gained = readers.map((r, i) => r.bytes - at[i]);
    const least = Math.min(...gained);
    const most = Math.max(...gained);
    // Every listener keeps playing: about real time each (paced, so never much more).
    assert.ok(least >= 0.6 * sec * BYTES_PER_SEC, `slowest got ${least} B in ${sec} s`);
    assert.ok(most <= (sec + 1.5) * BYTES_PER_SEC, `fastest got ${most} B in ${sec} s`);
    assert.ok(readers.every((r) => !r.closed));
    const grewMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    t.diagnostic(
      `500 listeners: ${least}-${most} B each in ${sec} s; RSS +${grewMb.toFixed(0)} MB`,
    );
    // Server and 500 clients share this process; the queues hold references to shared chunks.
    assert.ok(grewMb < 150, `RSS grew ${grewMb.toFixed(0)} MB for 500 listeners`);
    assert.equal(s.liveAudio?.stats().droppedSlow, 0);
    for (const r of readers) r.sock.destroy();
    await waitFor(() => s.liveAudio?.stats().listeners === 0, 'listeners gone');
  });

  it('drops a reader that stopped reading, within a bound, while another plays on', async (t) => {
    const s = await liveServer();
    const good = await listen(s);
    // A client on a real network (MSS 1448) with a small receive window that never reads: on
    // loopback's 64 KB MSS the kernel alone would hold megabytes for it.
    const stalled = spawn(
      'python3',
      [
        '-c',
        [
          'import socket, sys, time',
          's = socket.socket()',
          's.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 1448)',
          's.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)',
          `s.connect(('127.0.0.1', ${s.httpPort}))`,
          "s.sendall(b'GET /live.mp3 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')",
          'time.sleep(60)',
        ].join('\n'),
      ],
      { stdio: 'ignore' },
    );
    children.push(stalled);
    await waitFor(() => s.liveAudio?.stats().listeners === 2, 'the stalled reader connected');
    const t0 = Date.now();
    await waitFor(
      () => s.liveAudio?.stats().droppedSlow === 1,
      'the stalled reader dropped',
      30_000,
      100,
    );
    const tookSec = (Date.now() - t0) / 1000;
    t.diagnostic(`stalled reader dropped after ${tookSec} s`);
    // What the kernel holds (~85 KB here) plus the 2 s cap, at 16 KB/s: well under 20 s.
    assert.ok(tookSec < 20, `dropped after ${tookSec} s`);
    assert.equal(s.liveAudio?.stats().listeners, 1);
    const before = good.bytes;
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(good.bytes - before > 0.5 * BYTES_PER_SEC, 'the other listener plays on');
    assert.ok(!good.closed);
    good.sock.destroy();
  });

  it('keeps real time when the encoder sends 20 s at once', async () => {
    const s = await startTestServer({ liveAudio: true });
    servers.push(s);
    const ts = readFileSync(await makeTs('mp3', 24));
    const pub = await openPublisher(s.ingestPort);
    // About 2 s first (128 kbit/s audio in TS is ~18 KB/s), so there is audio to join.
    await writeAll(pub, ts.subarray(0, 188 * 200));
    await waitFor(() => s.audio.format(), 'the first audio');
    const reader = await listen(s);
    const t0 = Date.now();
    const at0 = reader.bytes;
    await writeAll(pub, ts.subarray(188 * 200));
    await new Promise((r) => setTimeout(r, 3000));
    const sec = (Date.now() - t0) / 1000;
    const got = reader.bytes - at0;
    // The feed did get far more than real time (its history keeps about 10 s).
    const fed = s.audio.recent(60).reduce((n, c) => n + c.durationSec, 0);
    assert.ok(fed >= 8, `the feed has ${fed} s`);
    // Paced on media time: real time plus at most the lead, though 20 s are waiting.
    assert.ok(got <= (sec + 1) * BYTES_PER_SEC, `${got} B in ${sec} s`);
    assert.ok(got >= (sec - 1) * BYTES_PER_SEC, `${got} B in ${sec} s`);
    reader.sock.destroy();
    await closePublisher(pub);
  });

  it('refuses listeners beyond --live-audio-max-listeners with 503', async () => {
    const s = await liveServer({ liveAudioMaxListeners: 2 });
    const a = await listen(s);
    const b = await listen(s);
    const res = await fetch(`${s.baseUrl}/live.mp3`);
    assert.equal(res.status, 503);
    assert.ok(Number(res.headers.get('retry-after')) > 0);
    assert.match(await res.text(), /too many listeners \(--live-audio-max-listeners 2\)/);
    assert.equal(s.liveAudio?.stats().refused, 1);
    a.sock.destroy();
    await waitFor(() => s.liveAudio?.stats().listeners === 1, 'one left');
    const c = await listen(s);
    assert.equal(c.status, 200);
    b.sock.destroy();
    c.sock.destroy();
  });
});
