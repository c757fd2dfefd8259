// test/integration/scanner-http.test.ts: the /api/scanner HTTP API on a real port with the in-process simulator.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { systemClock } from '../../src/clock.js';
import { scannerRoutes } from '../../src/http/scanner-routes.js';
import { memoryLogger, nullLogger } from '../../src/logger.js';
import { TOKEN_FILE } from '../../src/scanner/control-token.js';
import {
  startScannerService,
  type ScannerService,
  type ScannerServiceOptions,
} from '../../src/scanner/scanner-service.js';
import { statusWhere } from './scanner-pty.js';

let dir = '';
const open: { service: ScannerService; server: Server }[] = [];

async function serve(
  extra: Partial<ScannerServiceOptions> = {},
): Promise<{ service: ScannerService; base: string }> {
  const service = await startScannerService({
    spec: 'sim',
    pollMs: 50,
    stateDir: join(dir, 'state'),
    controlToken: null,
    logger: nullLogger,
    clock: systemClock,
    simulator: { activity: 0, seed: 5 },
    ...extra,
  });
  const app = express();
  app.use(express.json());
  app.use('/api/scanner', scannerRoutes(service, { clock: systemClock, logger: nullLogger }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  open.push({ service, server });
  return {
    service,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/scanner`,
  };
}

function call(base: string, path: string, token: string | null, body?: unknown, method = 'POST') {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

void before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scanner-http-'));
});
void after(async () => {
  for (const { service, server } of open) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await service.close();
  }
  await rm(dir, { recursive: true, force: true });
});

void describe('/api/scanner', () => {
  let svc: ScannerService;
  let base = '';
  const sent: string[] = [];

  void before(async () => {
    ({ service: svc, base } = await serve({ rateLimit: { capacity: 1000, perSecond: 1000 } }));
    const sim = svc.simulator;
    assert.ok(sim);
    const handle = sim.handleLine.bind(sim);
    sim.handleLine = (l: string) => {
      sent.push(l);
      handle(l);
    };
    await statusWhere(svc, (s) => s.connected && s.modeRaw !== null, 5000, 'connected');
  });

  void it('serves status publicly with the contract fields', async () => {
    const res = await fetch(base);
    assert.equal(res.status, 200);
    const s = (await res.json()) as Record<string, unknown>;
    for (const k of [
      'connected',
      'model',
      'firmware',
      'frequencyMHz',
      'channel',
      'bank',
      'talkgroup',
      'trunkSystem',
      'squelchOpen',
      'mode',
      'modeRaw',
      'lastActivity',
    ]) {
      assert.ok(k in s, k);
    }
    assert.equal(s.connected, true);
    assert.equal(s.mode, 'scan');
    const tx = await fetch(`${base}/transmissions`);
    assert.deepEqual(await tx.json(), { transmissions: [] });
  });

  void it('refuses control without the right token, and keeps the token file private', async () => {
    assert.equal(svc.tokenSource, 'generated');
    assert.equal((await stat(join(dir, 'state', TOKEN_FILE))).mode & 0o777, 0o600);
    for (const token of [null, 'wrong-token-123', `${svc.token}x`]) {
      const res = await call(base, '/hold', token);
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /Bearer/);
      assert.match(((await res.json()) as { error: string }).error, /Authorization: Bearer/);
    }
    assert.equal(svc.simulator?.snapshot().mode, 'scan');
  });

  void it('runs actions with the token and reports the new mode', async () => {
    const hold = await call(base, '/hold', svc.token, {});
    assert.equal(hold.status, 200);
    const body = (await hold.json()) as { status: { mode: string } };
    assert.equal(body.status.mode, 'hold');
    assert.equal(svc.simulator?.snapshot().mode, 'hold');
    const ch = await call(base, '/channel', svc.token, { channel: 42 });
    assert.equal(ch.status, 200);
    assert.equal(svc.simulator?.snapshot().channel, 42);
    assert.equal(svc.status().channel, 42);
    assert.equal(svc.status().bank, 1);
    assert.equal((await call(base, '/banks', svc.token, { banks: 'ace' })).status, 200);
    assert.equal(svc.simulator?.snapshot().banks, 'ACE');
    assert.equal((await call(base, '/mute', svc.token, { mode: 'off' })).status, 200);
    assert.equal(svc.simulator?.snapshot().mute, 'F');
    assert.equal((await call(base, '/scan', svc.token)).status, 200);
    assert.equal(svc.simulator?.snapshot().mode, 'scan');
  });

  void it('validates every value before it reaches the serial line', async () => {
    const before = sent.length;
    const bad: [string, unknown][] = [
      ['/channel', { channel: 251 }],
      ['/channel', { channel: '42\rAC' }],
      ['/tune', { frequencyMHz: '851\r\nAC' }],
      ['/tune', { frequencyMHz: 5000 }],
      ['/banks', { banks: 'A\r\nAC' }],
      ['/mute', { mode: 'loud' }],
      ['/priority', { on: 'true' }],
      ['/hold', { extra: 'AC' }],
    ];
    for (const [path, body] of bad) {
      const res = await call(base, path, svc.token, body);
      assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}`);
      assert.ok(((await res.json()) as { error: string }).error.length > 5);
    }
    for (const path of ['/reset', '/factory-reset', '/ac', '/AC']) {
      assert.equal((await call(base, path, svc.token, {})).status, 404, path);
    }
    const bodyRes = await fetch(`${base}/channel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${svc.token}`, 'content-type': 'application/json' },
      body: '{"channel": 4',
    });
    assert.equal(bodyRes.status, 400);
    const lines = sent.slice(before);
    assert.ok(
      lines.every((l) => /^(SQ|MD|MA)$/.test(l)),
      `only polls were sent: ${lines.join('|')}`,
    );
  });

  void it('reads and writes channel memory', async () => {
    const res = await call(
      base,
      '/channels/7',
      svc.token,
      { frequencyMHz: 851.1625, trunk: true },
      'PUT',
    );
    assert.equal(res.status, 200);
    const got = await call(base, '/channels/7', svc.token, undefined, 'GET');
    const { record } = (await got.json()) as { record: { frequencyMHz: number; trunk: boolean } };
    assert.equal(record.frequencyMHz, 851.1625);
    assert.equal(record.trunk, true);
    assert.equal((await call(base, '/channels/0', svc.token, undefined, 'GET')).status, 400);
    assert.equal((await call(base, '/channels/7', null, undefined, 'GET')).status, 401);
  });

  void it('maps a scanner NG to 409', async () => {
    const res = await call(base, '/tune', svc.token, { frequencyMHz: 60 });
    assert.equal(res.status, 409);
    assert.match(((await res.json()) as { error: string }).error, /NG/);
  });

  void it('streams status changes as server-sent events', async () => {
    const ac = new AbortController();
    const res = await fetch(`${base}/events`, { signal: ac.signal });
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const reader = res.body?.getReader();
    assert.ok(reader);
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (re: RegExp): Promise<void> => {
      while (!re.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += decoder.decode(value);
      }
    };
    await readUntil(/event: status\ndata: \{.*"connected":true/);
    assert.equal((await call(base, '/hold', svc.token)).status, 200);
    await readUntil(/event: status\ndata: \{[^\n]*"mode":"hold"/);
    ac.abort();
    await call(base, '/scan', svc.token);
  });
});

void describe('scanner service start-up', () => {
  void it('reuses the stored token and rate-limits control calls', async () => {
    const first = await serve({ stateDir: join(dir, 'rl') });
    const second = await serve({
      stateDir: join(dir, 'rl'),
      rateLimit: { capacity: 2, perSecond: 0.1 },
    });
    assert.equal(second.service.tokenSource, 'stored');
    assert.equal(second.service.token, first.service.token);
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await call(second.base, '/scan', null)).status);
    assert.deepEqual(codes, [401, 401, 429]);
    const limited = await call(second.base, '/scan', second.service.token);
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal((await fetch(second.base)).status, 200, 'status is not rate-limited');
  });

  void it('ends open event streams on close, so the HTTP server can shut down', async () => {
    const { service, base } = await serve({ stateDir: join(dir, 'sse-close') });
    const res = await fetch(`${base}/events`);
    const reader = res.body?.getReader();
    assert.ok(reader);
    await reader.read(); // the stream is open
    await service.close();
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
  });

  void it('starts without the serial port, says why, and keeps retrying', async () => {
    const logger = memoryLogger();
    const { service } = await serve({
      spec: join(dir, 'no-such-tty:9600'),
      stateDir: join(dir, 'missing'),
      controlToken: 'configured-token',
      logger,
      profile: { reopenMs: 50 },
    });
    assert.equal(service.tokenSource, 'config');
    const s = await statusWhere(
      service,
      (x) => x.link === 'closed' && /cannot open/.test(x.reason ?? ''),
      3000,
      'reason',
    );
    assert.equal(s.connected, false);
    assert.ok(logger.lines.some((l) => l.level === 'warn' && /link down/.test(l.msg)));
  });
});
