// test/unit/sse.test.ts: SseStreams (src/http/sse.ts): headers, retry field, events, broadcast, keep-alive on the injected clock, cleanup on close.
import assert from 'node:assert/strict';
import { createServer, get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import express from 'express';
import type { Clock } from '../../src/clock.js';
import { sseEvent, SseStreams, SSE_KEEP_ALIVE_MS } from '../../src/http/sse.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { waitFor } from '../helpers/wait.js';

/** A FakeClock that also counts its timers that have neither fired nor been cancelled. */
function countingClock(): { clock: FakeClock; timing: Clock; pending: () => number } {
  const clock = new FakeClock();
  let pending = 0;
  const timing: Clock = {
    now: () => clock.now(),
    setTimer(fn, delayMs) {
      pending++;
      let live = true;
      const done = (): void => {
        if (live) pending--;
        live = false;
      };
      const cancel = clock.setTimer(() => {
        done();
        fn();
      }, delayMs);
      return () => {
        done();
        cancel();
      };
    },
  };
  return { clock, timing, pending: () => pending };
}

describe('SseStreams', () => {
  test('one stream: headers, retry, events; keep-alive only as the fake clock moves; cleanup', async () => {
    const { clock, timing, pending } = countingClock();
    const streams = new SseStreams({ clock: timing });
    let closed = 0;
    const app = express();
    app.get('/events', (_req, res) => {
      const s = streams.start(res, () => closed++);
      s.send('hello', { n: 1 });
    });
    const http = createServer(app);
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const port = (http.address() as AddressInfo).port;
    let raw = '';
    const res = await new Promise<IncomingMessage>((r) =>
      get(`http://127.0.0.1:${port}/events`, r),
    );
    res.setEncoding('utf8');
    res.on('data', (d: string) => (raw += d));
    try {
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.headers['x-accel-buffering'], 'no');
      await waitFor(() => raw.includes('event: hello'), 'the first event', 5000);
      assert.equal(raw, `retry: 3000\n\n${sseEvent('hello', { n: 1 })}`);
      assert.equal(streams.size, 1);
      assert.equal(pending(), 1, 'one keep-alive timer on the injected clock');

      await clock.advance(SSE_KEEP_ALIVE_MS - 1);
      streams.broadcast(sseEvent('status', { ok: true }));
      await waitFor(() => raw.includes('event: status'), 'the broadcast', 5000);
      assert.doesNotMatch(raw, /keep-alive/, 'no keep-alive before the interval on the fake clock');
      await clock.advance(1);
      await waitFor(() => raw.endsWith(': keep-alive\n\n'), 'a keep-alive comment', 5000);
      await clock.advance(SSE_KEEP_ALIVE_MS);
      await waitFor(
        () => raw.split(': keep-alive').length === 3,
        'a second keep-alive comment',
        5000,
      );

      res.destroy();
      await waitFor(() => closed === 1 && streams.size === 0, 'cleanup on close', 5000);
      assert.equal(pending(), 0, 'the keep-alive timer was cancelled');
    } finally {
      res.destroy();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    }
  });

  test('endAll ends every open stream and runs their close handlers', async () => {
    const clock = new FakeClock();
    const streams = new SseStreams({ clock, keepAliveMs: 50 });
    let closed = 0;
    const app = express();
    app.get('/events', (_req, res) => void streams.start(res, () => closed++));
    const http = createServer(app);
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const port = (http.address() as AddressInfo).port;
    const ended: boolean[] = [];
    const open = (): Promise<IncomingMessage> =>
      new Promise((r) =>
        get(`http://127.0.0.1:${port}/events`, (res) => {
          res.resume();
          res.on('end', () => ended.push(true));
          r(res);
        }),
      );
    const a = await open();
    const b = await open();
    try {
      await waitFor(() => streams.size === 2, 'two streams', 5000);
      streams.endAll();
      await waitFor(() => ended.length === 2 && closed === 2, 'both ended', 5000);
      assert.equal(streams.size, 0);
    } finally {
      a.destroy();
      b.destroy();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    }
  });
});
