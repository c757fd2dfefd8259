// test/integration/ingest-integrity.test.ts: over real TCP, every elementary-stream byte the encoders send reaches the published segments: short reads, back-to-back publishers, takeover, --ingest-allow.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { systemClock } from '../../src/clock.js';
import { BACKLOG_HIGH, type IngestSink } from '../../src/ingest/ingest-source.js';
import { TcpIngest } from '../../src/ingest/tcp-ingest.js';
import { memoryLogger } from '../../src/logger.js';
import { elementaryStreams, randomReads, seeded } from '../helpers/es.js';
import { makeTs, type MediaKind } from '../helpers/media.js';
import { freePort } from '../helpers/nginx.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { closePublisher, openPublisher, writeAll } from '../helpers/tcp.js';
import { waitFor } from '../helpers/wait.js';

const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function server(over: Parameters<typeof startTestServer>[0] = {}, logger = memoryLogger()) {
  // A window long enough that every segment of a test stays listed.
  const s = await startTestServer({ window: 200, segmentDurationSec: 2, ...over }, { logger });
  servers.push(s);
  return { s, logger };
}

interface Listed {
  uri: string;
  discontinuity: boolean;
}

async function listed(s: TestServer): Promise<Listed[]> {
  const r = await fetch(`${s.baseUrl}/hls/live.m3u8`);
  if (r.status !== 200) return [];
  const out: Listed[] = [];
  let disc = false;
  for (const line of (await r.text()).split('\n')) {
    if (line === '#EXT-X-DISCONTINUITY') disc = true;
    else if (line && !line.startsWith('#')) {
      out.push({ uri: line, discontinuity: disc });
      disc = false;
    }
  }
  return out;
}

/** Waits until no publisher is connected and every write is done; returns the listed segments. */
async function settled(s: TestServer): Promise<Listed[]> {
  await waitFor(() => !s.packager.getStatus().ingest.connected, 'the publisher to be gone');
  await s.packager.idle();
  return listed(s);
}

/** The bytes of the listed real segments, as served over HTTP. */
async function download(s: TestServer, segs: Listed[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const x of segs) {
    const r = await fetch(`${s.baseUrl}/hls/${x.uri}`);
    assert.equal(r.status, 200, x.uri);
    out.push(Buffer.from(await r.arrayBuffer()));
  }
  return out;
}

/** Writes bytes in the given read sizes, yielding to the event loop so reads stay short. */
async function writeInReads(port: number, bytes: Buffer, seed: number): Promise<void> {
  const sock = await openPublisher(port);
  sock.setNoDelay(true);
  let at = 0;
  for (const cut of randomReads(bytes.length, 1, 700, seeded(seed))) {
    const end = Math.min(cut, bytes.length);
    if (!sock.write(bytes.subarray(at, end))) await new Promise((r) => sock.once('drain', r));
    at = end;
    await new Promise((r) => setImmediate(r));
    if (at >= bytes.length) break;
  }
  await closePublisher(sock);
}

function assertSameEs(got: Map<number, Buffer>, want: Map<number, Buffer>, what: string): void {
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `${what}: PIDs`);
  for (const [pid, es] of want) {
    const out = got.get(pid) ?? Buffer.alloc(0);
    assert.ok(es.equals(out), `${what}: PID ${pid}: ${out.length} bytes out, ${es.length} in`);
  }
}

describe('ingest integrity over real TCP', () => {
  const kinds: MediaKind[] = ['mp3', 'mp3-lsf', 'aac', 'h264', 'mp3-gst'];
  for (const kind of kinds) {
    it(`${kind}: random 1–700-byte writes; the published segments carry the input's elementary streams byte for byte`, async () => {
      const { s } = await server();
      const input = readFileSync(await makeTs(kind, 6));
      await writeInReads(s.ingestPort, input, kind.length * 7919);
      const segs = await settled(s);
      assert.ok(segs.length >= 3, `${kind}: segments listed`);
      const bytes = await download(s, segs);
      assertSameEs(elementaryStreams(Buffer.concat(bytes)), elementaryStreams(input), kind);
    });
  }

  it('back-to-back publishers (the next connects before the last one closed): nothing is lost, each change is a discontinuity', async () => {
    const { s, logger } = await server();
    const input = readFileSync(await makeTs('aac', 4));
    const rounds = 5;
    for (let i = 0; i < rounds; i++) {
      const sock = await openPublisher(s.ingestPort);
      await writeAll(sock, input);
      // Half-close and go on at once: the next publisher connects before this close is seen.
      sock.end();
    }
    const segs = await waitFor(async () => {
      await s.packager.idle();
      const l = await listed(s);
      return !s.packager.getStatus().ingest.connected && l.length >= rounds * 2 ? l : null;
    }, 'all rounds published');
    const bytes = await download(s, segs);
    const es = elementaryStreams(Buffer.concat(bytes));
    const one = elementaryStreams(input);
    const want = new Map([...one].map(([pid, b]) => [pid, Buffer.concat(Array(rounds).fill(b))]));
    assertSameEs(es, want, `${rounds} publishers`);
    // The timestamps restart with every publisher: each one's first segment is marked.
    const perRound = segs.length / rounds;
    assert.equal(Number.isInteger(perRound), true, `${segs.length} segments for ${rounds} rounds`);
    const marked = segs.map((x, i) => (x.discontinuity ? i : -1)).filter((i) => i >= 0);
    assert.deepEqual(
      marked,
      Array.from({ length: rounds - 1 }, (_, r) => (r + 1) * perRound),
    );
    const takeovers = logger.lines.filter((l) => /takes over from/.test(l.msg)).length;
    const metrics = await (await fetch(`${s.baseUrl}/metrics`)).text();
    const counted = Number(/^scanner_hls_ingest_takeovers_total (\d+)/m.exec(metrics)?.[1]);
    assert.equal(counted, takeovers, 'takeovers counted in /metrics as logged');
  });

  it('a new publisher takes over a silent one: the old segment is published, its socket closed, both named in the log', async () => {
    const { s, logger } = await server();
    const input = readFileSync(await makeTs('mp3', 6));
    const a = await openPublisher(s.ingestPort);
    const aClosed = new Promise<void>((r) => a.once('close', () => r()));
    a.on('error', () => undefined);
    await writeAll(a, input.subarray(0, 188 * 300));
    await waitFor(() => s.packager.getStatus().input.bytes >= 188 * 300, 'first bytes');
    // a now goes silent without closing (a Wi-Fi encoder that lost its link).
    const b = await openPublisher(s.ingestPort);
    await aClosed;
    await writeAll(b, input);
    await closePublisher(b);
    const segs = await settled(s);
    const bytes = await download(s, segs);
    const want = elementaryStreams(Buffer.concat([input.subarray(0, 188 * 300), input]));
    assertSameEs(elementaryStreams(Buffer.concat(bytes)), want, 'takeover');
    const firstOfB = segs.findIndex((x) => x.discontinuity);
    assert.ok(firstOfB > 0, 'the new publisher starts after a discontinuity');
    assert.equal(segs.filter((x) => x.discontinuity).length, 1);
    const line = logger.lines.find((l) => /takes over from/.test(l.msg));
    assert.ok(line, 'the takeover is logged');
    assert.match(line.msg, /publisher 127\.0\.0\.1:\d+ takes over from 127\.0\.0\.1:\d+/);
  });

  it('a burst of connections while one streams: at most 4 wait, the newest of them publish in turn, nothing is lost', async () => {
    const { s, logger } = await server();
    const input = readFileSync(await makeTs('mp3', 4));
    const a = await openPublisher(s.ingestPort);
    a.on('error', () => undefined);
    await writeAll(a, input.subarray(0, 188 * 100));
    await waitFor(() => s.packager.getStatus().input.bytes >= 188 * 100, 'first bytes');
    const burst = [];
    const closed: Promise<boolean>[] = [];
    for (let i = 0; i < 10; i++) {
      const b = await openPublisher(s.ingestPort);
      b.on('error', () => undefined);
      closed.push(new Promise<boolean>((r) => b.once('close', () => r(true))));
      burst.push(b);
    }
    // The last four stay open (waiting); the first six are closed to make room.
    const early = await Promise.all(closed.slice(0, 6));
    assert.deepEqual(early, Array(6).fill(true));
    // The one that ends up publishing sends a whole file; its elementary streams all arrive.
    const last = burst[9];
    await writeAll(last, input);
    for (const b of burst.slice(6, 9)) b.destroy();
    await closePublisher(last);
    const segs = await settled(s);
    const es = elementaryStreams(Buffer.concat(await download(s, segs)));
    const want = elementaryStreams(Buffer.concat([input.subarray(0, 188 * 100), input]));
    assertSameEs(es, want, 'burst');
    // The first, plus at most the one adopted before the burst filled the queue, plus the last four.
    const adopted = logger.lines.filter((l) => /^publisher connected from/.test(l.msg)).length;
    assert.ok(adopted <= 6, `${adopted} connections became the publisher`);
  });

  it('--ingest-allow refuses TCP publishers from elsewhere, logs once and counts every refusal', async () => {
    const { s, logger } = await server({ ingestAllow: '10.0.0.0/8,fd00::/8' });
    for (let i = 0; i < 3; i++) {
      const sock = await openPublisher(s.ingestPort);
      await new Promise((r) => sock.once('close', r));
    }
    const metrics = await (await fetch(`${s.baseUrl}/metrics`)).text();
    assert.match(metrics, /^scanner_hls_ingest_refused_total 3$/m);
    const lines = logger.lines.filter((l) => /not in --ingest-allow/.test(l.msg));
    assert.equal(lines.length, 1, 'rate-limited to one line');
    assert.match(
      lines[0].msg,
      /refused a publisher from 127\.0\.0\.1:\d+: not in --ingest-allow 10\.0\.0\.0\/8,fd00::\/8/,
    );
    assert.equal(s.packager.getStatus().input.bytes, 0);
  });

  it('--ingest-allow lets listed addresses publish', async () => {
    const { s } = await server({ ingestAllow: '127.0.0.0/8' });
    const input = readFileSync(await makeTs('mp3', 6));
    const sock = await openPublisher(s.ingestPort);
    await writeAll(sock, input);
    await closePublisher(sock);
    assert.ok((await settled(s)).length >= 3);
  });

  it('--ingest-allow drops UDP datagrams from elsewhere and counts them', async () => {
    const port = await freePort();
    const { s } = await server({ ingest: `udp://127.0.0.1:${port}`, ingestAllow: '192.0.2.0/24' });
    const input = readFileSync(await makeTs('mp3', 2));
    const u = createSocket('udp4');
    for (let i = 0; i < 5; i++)
      await new Promise<void>((r) =>
        u.send(input.subarray(i * 1316, (i + 1) * 1316), port, '127.0.0.1', () => r()),
      );
    u.close();
    await waitFor(async () => {
      const m = await (await fetch(`${s.baseUrl}/metrics`)).text();
      return /^scanner_hls_ingest_refused_total 5$/m.test(m);
    }, 'five refused datagrams');
    assert.equal(s.packager.getStatus().input.bytes, 0);
  });

  it('segment files on disk are the bytes served', async () => {
    const { s } = await server();
    const input = readFileSync(await makeTs('mp3', 6));
    const sock = await openPublisher(s.ingestPort);
    await writeAll(sock, input);
    await closePublisher(sock);
    const segs = await settled(s);
    const bytes = await download(s, segs);
    segs.forEach((x, i) => assert.ok(readFileSync(join(s.cfg.out, x.uri)).equals(bytes[i])));
  });

  it('backpressure: while the sink has BACKLOG_HIGH writes queued, the socket is not read; no byte is lost', async () => {
    let queued = 0;
    let maxQueued = 0;
    let received = 0;
    let drained: (() => void) | null = null;
    const sink: IngestSink = {
      startSession: () => undefined,
      push(chunk) {
        received += chunk.length;
        queued++;
        maxQueued = Math.max(maxQueued, queued);
        // A slow disk: one write done every 2 ms.
        setTimeout(() => {
          queued--;
          if (queued === 0) drained?.();
        }, 2 * queued);
      },
      endSession: () => Promise.resolve(),
      get backlog() {
        return queued;
      },
      idle: () => (queued === 0 ? Promise.resolve() : new Promise<void>((r) => (drained = r))),
    };
    const ingest = new TcpIngest({
      host: '127.0.0.1',
      port: 0,
      idleTimeoutMs: 10_000,
      sink,
      logger: memoryLogger(),
      clock: systemClock,
    });
    const port = (await ingest.start()).port;
    const bytes = Buffer.alloc(4 * 1024 * 1024, 0x47);
    const sock = await openPublisher(port);
    await writeAll(sock, bytes, 64 * 1024);
    await closePublisher(sock);
    await waitFor(() => received === bytes.length, 'every byte');
    await ingest.close();
    assert.ok(maxQueued <= BACKLOG_HIGH, `at most ${BACKLOG_HIGH} queued, saw ${maxQueued}`);
  });
});
