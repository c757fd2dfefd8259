// test/integration/blocking-reload.test.ts: LL-HLS delivery over real HTTP: blocking playlist reloads, delta updates, gzip, 400/503, held hinted parts, disconnects (a ManualFeed), and once through the whole live server.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import {
  type IncomingHttpHeaders,
  type IncomingMessage,
  createServer,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { createApp } from '../../src/http/app.js';
import { type HlsRouter, hlsRouter } from '../../src/http/hls-routes.js';
import type { WakeStats } from '../../src/http/playlist-waiters.js';
import type { LowLatencyInfo } from '../../src/hls/live-feed.js';
import { nullLogger } from '../../src/logger.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { makeTs, publishLive, stopProcess } from '../helpers/media.js';
import { startTestServer } from '../helpers/server.js';
import { ManualFeed, manualPartUri } from '../helpers/manual-feed.js';
import { waitFor } from '../helpers/wait.js';

const LL: LowLatencyInfo = { partTargetSec: 0.25, targetDurationSec: 1, canSkipUntilSec: 6 };

interface Served {
  base: string;
  port: number;
  dir: string;
  feed: ManualFeed;
  clock: FakeClock;
  hls: HlsRouter;
  /** What each wake after a publish did. */
  wakes: WakeStats[];
  /** Requests that reached Express. */
  expressRequests: string[];
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

/**
 * How held requests reach the router: through HlsRouter.front before Express (as the live server
 * does, src/http/mounts.ts liveListener), or through Express alone (the router holds them itself).
 */
type Via = 'front' | 'express';

/** The real /hls router in the real app on 127.0.0.1 port 0, fed by a ManualFeed and a FakeClock. */
async function serveVia(
  via: Via,
  lowLatency: LowLatencyInfo | null,
  partsPerSegment: number,
  wakeSliceMs?: number,
): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'shls-ll-'));
  const feed = new ManualFeed({ lowLatency, partsPerSegment, dir });
  const clock = new FakeClock();
  const wakes: WakeStats[] = [];
  const hls = hlsRouter({
    stream: 'live',
    outDir: dir,
    feed,
    clock,
    onWake: (w) => wakes.push(w),
    wakeSliceMs,
  });
  const app = createApp({ mounts: [{ path: '/hls', router: hls.router }], logger: nullLogger });
  const expressRequests: string[] = [];
  const toExpress = (req: IncomingMessage, res: ServerResponse): void => {
    expressRequests.push(req.url ?? '');
    app(req, res);
  };
  const server = createServer(
    via === 'front' ? (req, res) => hls.front(req, res, () => toExpress(req, res)) : toExpress,
  );
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  return { base: `http://127.0.0.1:${port}`, port, dir, feed, clock, hls, wakes, expressRequests };
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A GET on its own connection; `done` tells whether it has been answered yet; `abort` hangs up. */
function get(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): { reply: Promise<Reply>; done: () => boolean; abort: () => void } {
  let finished = false;
  let abort = (): void => undefined;
  const reply = new Promise<Reply>((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        finished = true;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end();
    abort = () => req.destroy();
  });
  reply.catch(() => undefined);
  return { reply, done: () => finished, abort };
}

const heldPlaylists = (s: Served): number => s.hls.waiters.size.playlists;
const heldParts = (s: Served): number => s.hls.waiters.size.parts;

/** Publishes n parts. */
function publish(s: Served, n = 1): void {
  for (let i = 0; i < n; i++) s.feed.publish();
}

for (const via of ['front', 'express'] as const) {
  const serve = (
    lowLatency: LowLatencyInfo | null = LL,
    partsPerSegment = 4,
    wakeSliceMs?: number,
  ): Promise<Served> => serveVia(via, lowLatency, partsPerSegment, wakeSliceMs);

  describe(
    `blocking playlist reload (RFC 8216bis §6.2.5.2), held via ${via}`,
    { timeout: 60_000 },
    () => {
      it('a request for the next part is held, and the publish of that part answers it with a playlist that lists it', async () => {
        const s = await serve();
        publish(s); // 0.0
        const r = get(`${s.base}/hls/live.m3u8?_HLS_msn=0&_HLS_part=1`);
        await waitFor(() => heldPlaylists(s) === 1, 'the request is held');
        assert.equal(r.done(), false);
        publish(s); // 0.1
        const res = await r.reply;
        assert.equal(res.status, 200);
        assert.equal(res.headers['content-type'], 'application/vnd.apple.mpegurl');
        assert.equal(res.headers['cache-control'], 'no-cache');
        assert.equal(res.headers['access-control-allow-origin'], '*');
        assert.match(res.body.toString(), /URI="live-0\.1\.ts"/);
        assert.equal(res.body.toString(), s.feed.playlist('no'));
        assert.equal(heldPlaylists(s), 0);
      });

      it('the front handler holds what waits and answers the rest itself, outside Express', async () => {
        const s = await serve();
        publish(s);
        const held = get(`${s.base}/hls/live.m3u8?_HLS_msn=0&_HLS_part=1`);
        const part = get(`${s.base}/hls/live-0.1.ts`);
        await waitFor(() => heldPlaylists(s) === 1 && heldParts(s) === 1, 'held');
        assert.equal((await get(`${s.base}/hls/live.m3u8`).reply).status, 200);
        assert.equal((await get(`${s.base}/hls/live.m3u8?_HLS_part=1`).reply).status, 400);
        publish(s);
        assert.equal((await held.reply).status, 200);
        assert.equal((await part.reply).status, 200);
        const seen = s.expressRequests.map((u) => u.replace(/^\/hls/, ''));
        // hls-front.ts answers /hls itself: nothing reaches Express.
        if (via === 'front') assert.deepEqual(seen, []);
        else assert.equal(seen.length, 4);
      });

      it('a request already satisfied is answered at once, with the whole playlist', async () => {
        const s = await serve();
        publish(s, 7); // up to 1.2
        for (const q of ['_HLS_msn=1&_HLS_part=2', '_HLS_msn=0&_HLS_part=9', '_HLS_msn=1', '']) {
          const res = await get(`${s.base}/hls/live.m3u8?${q}`).reply;
          assert.equal(res.status, 200, q);
          assert.equal(res.body.toString(), s.feed.playlist('no'), q);
        }
      });

      it('_HLS_msn alone waits for part 0 of that segment, not for a later part of the one before', async () => {
        const s = await serve();
        publish(s, 3); // 0.2
        const r = get(`${s.base}/hls/live.m3u8?_HLS_msn=1`);
        await waitFor(() => heldPlaylists(s) === 1, 'held');
        publish(s); // 0.3: segment 0 cut, still not msn 1
        await new Promise((res) => setImmediate(res)); // the wake for 0.3 has run
        assert.equal(heldPlaylists(s), 1, 'still held after 0.3');
        assert.equal(r.done(), false);
        publish(s); // 1.0
        const res = await r.reply;
        assert.equal(res.status, 200);
        assert.match(res.body.toString(), /URI="live-1\.0\.ts"/);
      });

      it('§6.2.5.2: a part index past the end of the segment is answered by part 0 of the next', async () => {
        const s = await serve();
        publish(s, 2); // 0.1
        const r = get(`${s.base}/hls/live.m3u8?_HLS_msn=0&_HLS_part=6`);
        await waitFor(() => heldPlaylists(s) === 1, 'held');
        publish(s, 2); // 0.2, 0.3 (the last part of segment 0)
        await new Promise((res) => setImmediate(res)); // the wake for 0.3 has run
        assert.equal(heldPlaylists(s), 1, 'segment 0 has no part 6; still held after 0.3');
        assert.equal(r.done(), false);
        publish(s); // 1.0
        const res = await r.reply;
        assert.equal(res.status, 200);
        assert.match(res.body.toString(), /URI="live-1\.0\.ts"/);
        assert.match(res.body.toString(), /^live-0\.ts$/m);
      });

      it('each waiter is answered by the publish that reaches its own target', async () => {
        const s = await serve();
        publish(s); // 0.0
        const a = get(`${s.base}/hls/live.m3u8?_HLS_msn=0&_HLS_part=1`);
        const b = get(`${s.base}/hls/live.m3u8?_HLS_msn=0&_HLS_part=2`);
        await waitFor(() => heldPlaylists(s) === 2, 'both held');
        publish(s); // 0.1
        assert.match((await a.reply).body.toString(), /live-0\.1\.ts/);
        assert.equal(b.done(), false);
        assert.equal(heldPlaylists(s), 1);
        publish(s); // 0.2
        assert.match((await b.reply).body.toString(), /live-0\.2\.ts/);
      });

      it('400 at once for a bad or too-far directive: one text line naming the parameter', async () => {
        const s = await serve();
        publish(s, 6); // 1.1
        const cases: [string, string][] = [
          ['_HLS_part=1', '_HLS_part'],
          ['_HLS_msn=x', '_HLS_msn'],
          ['_HLS_msn=-2', '_HLS_msn'],
          ['_HLS_msn=2&_HLS_part=1.5', '_HLS_part'],
          ['_HLS_skip=no', '_HLS_skip'],
          ['_HLS_msn=4', '_HLS_msn'], // last msn 1, + 2 = 3
          ['_HLS_msn=1&_HLS_part=14', '_HLS_part'], // 13 parts ahead of 1.1; the limit is 12
        ];
        for (const [q, param] of cases) {
          const res = await get(`${s.base}/hls/live.m3u8?${q}`).reply;
          assert.equal(res.status, 400, q);
          assert.match(res.headers['content-type'] ?? '', /^text\/plain/);
          assert.equal(res.headers['access-control-allow-origin'], '*');
          const text = res.body.toString();
          assert.ok(
            text.endsWith('\n') && text.indexOf('\n') === text.length - 1,
            `${q}: one line`,
          );
          assert.ok(text.includes(param), `${q}: ${text}`);
        }
        assert.equal(heldPlaylists(s), 0);
      });

      it('with LL off the _HLS_ parameters are ignored: the playlist now, never a 400', async () => {
        const s = await serve(null);
        publish(s, 4);
        for (const q of ['_HLS_part=1', '_HLS_msn=99', '_HLS_msn=x&_HLS_skip=maybe']) {
          const res = await get(`${s.base}/hls/live.m3u8?${q}`).reply;
          assert.equal(res.status, 200, q);
          assert.equal(res.body.toString(), s.feed.playlist('no'));
        }
        assert.equal(heldPlaylists(s), 0);
      });

      it('§6.2.5.2: 503 once a request has been held for three target durations', async () => {
        const s = await serve(); // TD 1 s
        publish(s);
        const early = get(`${s.base}/hls/live.m3u8?_HLS_msn=1`);
        await waitFor(() => heldPlaylists(s) === 1, 'held');
        await s.clock.advance(1000);
        const later = get(`${s.base}/hls/live.m3u8?_HLS_msn=1&_HLS_part=1`);
        await waitFor(() => heldPlaylists(s) === 2, 'both held');
        await s.clock.advance(1999);
        assert.equal(early.done(), false, 'not yet at 2.999 s');
        await s.clock.advance(1);
        const res = await early.reply;
        assert.equal(res.status, 503);
        assert.equal(res.headers['access-control-allow-origin'], '*');
        assert.equal(later.done(), false, 'the later one has its own 3 s');
        assert.equal(heldPlaylists(s), 1);
        await s.clock.advance(1000);
        assert.equal((await later.reply).status, 503);
        assert.equal(heldPlaylists(s), 0);
      });

      it('answers come in slices with event-loop turns between them, and a publish meanwhile joins in', async () => {
        const s = await serve(LL, 4, 0); // a slice ends after every answer
        publish(s);
        const first = Array.from({ length: 20 }, () =>
          get(`${s.base}/hls/live.m3u8?_HLS_msn=0&_HLS_part=1`),
        );
        const second = Array.from({ length: 5 }, () =>
          get(`${s.base}/hls/live.m3u8?_HLS_msn=0&_HLS_part=2`),
        );
        await waitFor(() => heldPlaylists(s) === 25, 'held');
        publish(s); // 0.1: the first 20
        let turns = 0;
        const spin = (): void => {
          turns++;
          if (turns < 3) setImmediate(spin);
          else publish(s); // 0.2, published while the first 20 are still being answered
        };
        setImmediate(spin);
        const replies = await Promise.all([...first, ...second].map((r) => r.reply));
        for (const r of replies) assert.equal(r.status, 200);
        for (const r of replies.slice(0, 20)) assert.match(r.body.toString(), /live-0\.1\.ts/);
        for (const r of replies.slice(20)) assert.match(r.body.toString(), /live-0\.2\.ts/);
        assert.equal(heldPlaylists(s), 0);
        const stats = s.wakes.at(-1);
        assert.equal(stats?.playlists, 25, 'one wake report for both publishes');
        assert.ok((stats?.slices ?? 0) >= 20, `slices ${stats?.slices}`);
      });

      it('a client that hangs up is forgotten at once, and a later publish writes to nobody', async () => {
        const s = await serve();
        publish(s);
        const r = get(`${s.base}/hls/live.m3u8?_HLS_msn=0&_HLS_part=1`);
        const stay = get(`${s.base}/hls/live.m3u8?_HLS_msn=0&_HLS_part=1`);
        await waitFor(() => heldPlaylists(s) === 2, 'held');
        r.abort();
        await waitFor(() => heldPlaylists(s) === 1, 'the hung-up request is removed');
        publish(s);
        assert.equal((await stay.reply).status, 200);
        assert.equal(heldPlaylists(s), 0);
      });

      it('EXT-X-ENDLIST releases every held request with the final playlist', async () => {
        const s = await serve();
        publish(s);
        const r = get(`${s.base}/hls/live.m3u8?_HLS_msn=2`);
        await waitFor(() => heldPlaylists(s) === 1, 'held');
        s.feed.publish({ end: true }); // 0.1, and the stream ends
        const res = await r.reply;
        assert.equal(res.status, 200);
        assert.match(res.body.toString(), /#EXT-X-ENDLIST/);
        // Once ended, a directive is ignored, not held or refused.
        const after = await get(`${s.base}/hls/live.m3u8?_HLS_msn=9&_HLS_part=0`).reply;
        assert.equal(after.status, 200);
      });
    },
  );

  describe(`delta updates and gzip, held via ${via}`, { timeout: 60_000 }, () => {
    it('_HLS_skip=YES and v2 select the delta playlist, now or after blocking', async () => {
      const s = await serve();
      publish(s, 17); // 4.0: segments 0..3 cut
      const yes = await get(`${s.base}/hls/live.m3u8?_HLS_skip=YES`).reply;
      assert.equal(yes.body.toString(), s.feed.playlist('YES'));
      assert.match(yes.body.toString(), /#EXT-X-SKIP:SKIPPED-SEGMENTS=2/);
      const v2 = await get(`${s.base}/hls/live.m3u8?_HLS_skip=v2`).reply;
      assert.equal(v2.body.toString(), s.feed.playlist('v2'));
      assert.notEqual(v2.body.toString(), yes.body.toString());
      const held = get(`${s.base}/hls/live.m3u8?_HLS_msn=4&_HLS_part=1&_HLS_skip=YES`);
      const full = get(`${s.base}/hls/live.m3u8?_HLS_msn=4&_HLS_part=1`);
      await waitFor(() => heldPlaylists(s) === 2, 'held');
      publish(s); // 4.1
      const d = await held.reply;
      assert.equal(d.body.toString(), s.feed.playlist('YES'));
      assert.match(d.body.toString(), /live-4\.1\.ts/);
      assert.equal((await full.reply).body.toString(), s.feed.playlist('no'));
    });

    it('Apple 10.1: gzip when Accept-Encoding allows it, identity otherwise, Vary either way', async () => {
      const s = await serve();
      publish(s, 9);
      const plain = await get(`${s.base}/hls/live.m3u8`, { 'accept-encoding': 'identity' }).reply;
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.equal(plain.headers.vary, 'Accept-Encoding');
      for (const ae of ['gzip', 'gzip, deflate, br', 'br;q=1, gzip;q=0.5', '*']) {
        const z = await get(`${s.base}/hls/live.m3u8`, { 'accept-encoding': ae }).reply;
        assert.equal(z.headers['content-encoding'], 'gzip', ae);
        assert.equal(z.headers.vary, 'Accept-Encoding');
        assert.equal(Number(z.headers['content-length']), z.body.length);
        assert.equal(gunzipSync(z.body).toString(), plain.body.toString(), ae);
      }
      for (const ae of ['gzip;q=0', 'identity;q=1, gzip;q=0.5', 'deflate', '*;q=0']) {
        const r = await get(`${s.base}/hls/live.m3u8`, { 'accept-encoding': ae }).reply;
        assert.equal(r.headers['content-encoding'], undefined, ae);
        assert.equal(r.body.toString(), plain.body.toString(), ae);
      }
      // Held requests choose the same way.
      const q = '_HLS_msn=2&_HLS_part=1';
      const held = get(`${s.base}/hls/live.m3u8?${q}`, { 'accept-encoding': 'gzip' });
      const heldPlain = get(`${s.base}/hls/live.m3u8?${q}`, { 'accept-encoding': 'identity' });
      await waitFor(() => heldPlaylists(s) === 2, 'held');
      publish(s);
      const hz = await held.reply;
      assert.equal(hz.headers['content-encoding'], 'gzip');
      assert.equal(hz.headers.vary, 'Accept-Encoding');
      assert.equal(gunzipSync(hz.body).toString(), s.feed.playlist('no'));
      const hp = await heldPlain.reply;
      assert.equal(hp.headers['content-encoding'], undefined);
      assert.equal(hp.body.toString(), s.feed.playlist('no'));
    });

    it('held requests share one encoding and one gzip per playlist text, not one per request', async () => {
      const s = await serve();
      publish(s);
      const n = 40;
      const reqs = Array.from({ length: n }, (_, i) =>
        get(
          `${s.base}/hls/live.m3u8?_HLS_msn=0&_HLS_part=1`,
          i % 2 ? { 'accept-encoding': 'gzip' } : { 'accept-encoding': 'identity' },
        ),
      );
      await waitFor(() => heldPlaylists(s) === n, 'all held');
      const before = { ...s.hls.bodies.counts };
      const calls = s.feed.playlistCalls;
      publish(s);
      const replies = await Promise.all(reqs.map((r) => r.reply));
      assert.equal(s.hls.bodies.counts.texts - before.texts, 1, 'one text encoded');
      assert.equal(s.hls.bodies.counts.gzips - before.gzips, 1, 'one gzip');
      // Once for EXT-X-ENDLIST, then once per variant (plain, gzip) per slice of answers.
      const slices = s.wakes.at(-1)?.slices ?? 0;
      assert.ok(
        s.feed.playlistCalls - calls <= 1 + 2 * slices && slices < n / 4,
        `playlist() asked ${s.feed.playlistCalls - calls} times in ${slices} slices`,
      );
      const text = s.feed.playlist('no');
      for (const [i, r] of replies.entries()) {
        assert.equal(r.status, 200);
        const body = i % 2 ? gunzipSync(r.body).toString() : r.body.toString();
        assert.equal(body, text);
      }
    });

    it('an unchanged playlist is answered 304 to If-None-Match', async () => {
      const s = await serve();
      publish(s, 2);
      const first = await get(`${s.base}/hls/live.m3u8`).reply;
      const etag = first.headers.etag ?? '';
      assert.ok(etag, 'an ETag');
      assert.equal(
        (await get(`${s.base}/hls/live.m3u8`, { 'if-none-match': etag }).reply).status,
        304,
      );
      publish(s);
      assert.equal(
        (await get(`${s.base}/hls/live.m3u8`, { 'if-none-match': etag }).reply).status,
        200,
      );
    });
  });

  describe(`hinted parts (RFC 8216bis §6.2.6), held via ${via}`, { timeout: 60_000 }, () => {
    it('a GET for the hinted part is held with no byte sent, then served whole in one burst', async () => {
      const s = await serve();
      publish(s); // 0.0; the hint is 0.1
      const hint = s.feed.preloadHint();
      assert.equal(hint, 'live-0.1.ts');
      const sock = connect(s.port, '127.0.0.1');
      const got: Buffer[] = [];
      sock.on('data', (c: Buffer) => got.push(c));
      const ended = new Promise<void>((r) => sock.on('end', r));
      sock.write(`GET /hls/${hint} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      await waitFor(() => heldParts(s) === 1, 'the part GET is held');
      assert.equal(got.length, 0, 'nothing sent before the part is whole');
      publish(s); // 0.1 written, then listed
      await ended;
      const raw = Buffer.concat(got);
      const split = raw.indexOf('\r\n\r\n');
      const head = raw.subarray(0, split).toString();
      const body = raw.subarray(split + 4);
      assert.match(head, /^HTTP\/1\.1 200/);
      assert.match(head, /content-type: video\/mp2t/i);
      assert.match(head, /access-control-allow-origin: \*/i);
      assert.match(head, new RegExp(`content-length: ${body.length}`, 'i'));
      assert.deepEqual(body, readFileSync(join(s.dir, 'live-0.1.ts')));
      assert.equal(heldParts(s), 0);
    });

    it('several waiters for one hinted part all get it; a part already there is served at once', async () => {
      const s = await serve();
      publish(s);
      const rs = [0, 1, 2].map(() => get(`${s.base}/hls/live-0.1.ts`));
      await waitFor(() => heldParts(s) === 3, 'held');
      const wakes = s.wakes.length;
      s.feed.republish(); // an update that does not move the hint: still held, not 404
      await waitFor(() => s.wakes.length > wakes, 'the wake');
      assert.equal(s.wakes.at(-1)?.partUris, 0, 'the hinted part is not answered yet');
      assert.equal(heldParts(s), 3);
      publish(s);
      const want = readFileSync(join(s.dir, 'live-0.1.ts'));
      for (const r of rs) assert.deepEqual((await r.reply).body, want);
      const again = await get(`${s.base}/hls/live-0.1.ts`).reply;
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, want);
      assert.equal(heldParts(s), 0);
    });

    it('a hint withdrawn without its file gets 404 after the publish; a part that is not the hint gets 404 at once', async () => {
      const s = await serve();
      publish(s);
      const r = get(`${s.base}/hls/${manualPartUri({ msn: 0, part: 1 })}`);
      await waitFor(() => heldParts(s) === 1, 'held');
      s.feed.publish({ writeFile: false });
      assert.equal((await r.reply).status, 404);
      const ahead = await get(`${s.base}/hls/live-0.7.ts`).reply;
      assert.equal(ahead.status, 404);
      assert.equal(heldParts(s), 0);
    });

    it('a held part gets 503 after three target durations, and a hung-up one is forgotten', async () => {
      const s = await serve();
      publish(s);
      const gone = get(`${s.base}/hls/live-0.1.ts`);
      const r = get(`${s.base}/hls/live-0.1.ts`);
      await waitFor(() => heldParts(s) === 2, 'held');
      gone.abort();
      await waitFor(() => heldParts(s) === 1, 'forgotten');
      await s.clock.advance(3000);
      assert.equal((await r.reply).status, 503);
      assert.equal(heldParts(s), 0);
    });

    it('segments and other files are still served from the directory', async () => {
      const s = await serve();
      publish(s);
      writeFileSync(join(s.dir, 'live-0.ts'), Buffer.alloc(376, 0x47));
      const seg = await get(`${s.base}/hls/live-0.ts`).reply;
      assert.equal(seg.status, 200);
      assert.equal(seg.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal((await get(`${s.base}/hls/nothing.ts`).reply).status, 404);
    });
  });
}

describe('the live server (startServer, LL-HLS on, ffmpeg ingest)', { timeout: 120_000 }, () => {
  it("a blocking reload is answered by the packager's publish of that part, gzipped; the hinted part comes whole", async () => {
    const s = await startTestServer();
    const enc = publishLive(await makeTs('aac', 20), s.ingestPort, { loop: true });
    try {
      const p = await waitFor(() => s.packager.position(), 'a published part', 30_000);
      const next = { msn: p.msn + 1, part: 0 };
      const r = get(`${s.baseUrl}/hls/live.m3u8?_HLS_msn=${next.msn}&_HLS_part=${next.part}`, {
        'accept-encoding': 'gzip',
      });
      const res = await r.reply;
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-encoding'], 'gzip');
      const text = gunzipSync(res.body).toString();
      assert.match(text, new RegExp(`-${next.msn}\\.0\\.ts"`), 'lists the part asked for');
      const pos = s.packager.position();
      assert.ok(pos && (pos.msn > next.msn || (pos.msn === next.msn && pos.part >= 0)));
      const hint = s.packager.preloadHint();
      assert.ok(hint);
      const part = await get(`${s.baseUrl}/hls/${hint}`).reply;
      assert.equal(part.status, 200);
      assert.equal(part.headers['content-type'], 'video/mp2t');
      assert.equal(part.body.length % 188, 0);
      assert.equal(part.body[0], 0x47);
      assert.equal((await get(`${s.baseUrl}/hls/live.m3u8?_HLS_part=1`).reply).status, 400);
    } finally {
      await stopProcess(enc);
      await s.close();
    }
  });
});
