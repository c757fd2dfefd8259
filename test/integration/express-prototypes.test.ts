// test/integration/express-prototypes.test.ts: createApp's Express runs on node's own request/response prototypes (express-prototypes.ts), with Express's methods and req.app intact, beside a plain Express app in the same process.
import assert from 'node:assert/strict';
import { createServer, IncomingMessage, type RequestListener, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express, { type Request, type Response } from 'express';
import { createApp } from '../../src/http/app.js';
import { expressPrototypes, onNodePrototypes } from '../../src/http/express-prototypes.js';
import { nullLogger } from '../../src/logger.js';

/** What a route saw of its request and response. */
interface Seen {
  reqProto: boolean;
  resProto: boolean;
  sameApp: boolean;
  query: unknown;
  ip: string | undefined;
  header: string | undefined;
}

/** A route that reports what it saw, answering with Express's res.status().json(). */
function reporter(app: () => unknown) {
  return (req: Request, res: Response): void => {
    const seen: Seen = {
      reqProto: Object.getPrototypeOf(req) === IncomingMessage.prototype,
      resProto: Object.getPrototypeOf(res) === ServerResponse.prototype,
      sameApp: req.app === app() && res.app === app(),
      query: req.query,
      ip: req.ip,
      header: req.get('x-probe'),
    };
    res.status(201).json(seen);
  };
}

async function serve(listener: RequestListener): Promise<{ url: string; close: () => void }> {
  const server = createServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

async function ask(url: string): Promise<{ status: number; seen: Seen }> {
  const r = await fetch(url, { headers: { 'x-probe': 'yes', 'x-forwarded-for': '203.0.113.7' } });
  return { status: r.status, seen: (await r.json()) as Seen };
}

test("createApp's requests keep node's prototypes and every Express feature, beside a plain Express app", async () => {
  const apps: unknown[] = [];
  const mk = (i: number) =>
    createApp({ mounts: [{ path: '/x', router: reporter(() => apps[i]) }], logger: nullLogger });
  apps.push(mk(0), mk(1));
  const plain = express();
  plain.set('trust proxy', 'loopback');
  plain.get(
    '/x',
    reporter(() => plain),
  );
  const servers = await Promise.all([
    serve(apps[0] as RequestListener),
    serve(apps[1] as RequestListener),
    serve(plain),
  ]);
  try {
    for (const [i, s] of servers.entries()) {
      const { status, seen } = await ask(`${s.url}/x?a=1&b=two`);
      assert.equal(status, 201, `server ${i}`);
      // Ours: no prototype switch; the plain app still switches to its own app.request.
      assert.equal(seen.reqProto, i < 2, `server ${i} request prototype`);
      assert.equal(seen.resProto, i < 2, `server ${i} response prototype`);
      assert.equal(seen.sameApp, true, `server ${i}: req.app and res.app are its own app`);
      assert.deepEqual(seen.query, { a: '1', b: 'two' });
      // 'trust proxy' loopback: req.ip is the forwarded address (Express's this.app.get).
      assert.equal(seen.ip, '203.0.113.7');
      assert.equal(seen.header, 'yes');
    }
  } finally {
    for (const s of servers) s.close();
  }
});

test('an app whose Express names are taken on node prototypes is left as it was', () => {
  // A name node's ServerResponse already has (writeHead), defined by "Express": a conflict.
  const response = Object.create(ServerResponse.prototype, {
    writeHead: { value: () => undefined, enumerable: true },
  }) as object;
  const request = Object.create(IncomingMessage.prototype) as object;
  const handle = (): void => undefined;
  const nodeWriteHead = Object.getOwnPropertyDescriptor(ServerResponse.prototype, 'writeHead');
  const app = { request, response, handle };
  assert.equal(onNodePrototypes(app), false);
  assert.equal(app.request, request);
  assert.equal(app.response, response);
  assert.equal(app.handle, handle);
  assert.deepEqual(
    Object.getOwnPropertyDescriptor(ServerResponse.prototype, 'writeHead'),
    nodeWriteHead,
  );
  assert.deepEqual(expressPrototypes(app), { request, response });
});

test("expressPrototypes gives a converted app's own Express prototypes (the HTTP/2 server rebuilds them)", () => {
  const app = createApp({ mounts: [], logger: nullLogger });
  const own = expressPrototypes(app);
  assert.equal(app.request, IncomingMessage.prototype);
  assert.notEqual(own.request, IncomingMessage.prototype);
  assert.equal(
    Object.getPrototypeOf(Object.getPrototypeOf(own.request)),
    IncomingMessage.prototype,
  );
  assert.equal(typeof (own.response as { json?: unknown }).json, 'function');
});
