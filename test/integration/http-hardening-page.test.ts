// test/integration/http-hardening-page.test.ts: the page's ?src= in real Chromium: an origin listed in --allowed-sources is fetched; any other is refused with a one-line message and never requested.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/** Another origin's playlist host: it records what it is asked for (and by which page origin). */
let feeds: Server;
let feedPort = 0;
const asked: { path: string; origin: string }[] = [];
let server: TestServer;
let browser: Browser;

before(async () => {
  feeds = createServer((req, res) => {
    asked.push({ path: req.url ?? '', origin: String(req.headers.origin ?? '') });
    res.writeHead(404, { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'text/plain' });
    res.end('none yet');
  });
  await new Promise<void>((r) => feeds.listen(0, '127.0.0.1', r));
  feedPort = (feeds.address() as AddressInfo).port;
  // The same host by two names is two origins: only the first is allowed.
  server = await startTestServer({ allowedSources: [`http://127.0.0.1:${feedPort}`] });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await new Promise<void>((r) => feeds.close(() => r()));
});

/** True when mounts.ts passes cfg.allowedSources to pageRoutes (the lead wires it). */
describe('?src= on the page', () => {
  test('an origin not in --allowed-sources is refused on the page, in the CSP and on the wire', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const refused = `http://localhost:${feedPort}/evil.m3u8`;
    const res = await page.goto(`${server.baseUrl}/?src=${encodeURIComponent(refused)}`);
    const csp = (await res?.allHeaders())?.['content-security-policy'] ?? '';
    assert.doesNotMatch(csp, /localhost/, 'the refused origin is not in the CSP');
    await page
      .getByRole('status')
      .filter({
        hasText: `does not play streams from the address in this link (http://localhost:${feedPort})`,
      })
      .waitFor({ timeout: 10_000 });
    assert.ok(await page.getByRole('button', { name: 'Play' }).isDisabled(), 'nothing to play');
    // The "any other scheme" case keeps its own message.
    await page.goto(`${server.baseUrl}/?src=${encodeURIComponent('javascript:alert(1)')}`);
    await page
      .getByRole('status')
      .filter({ hasText: 'must start with http:// or https://' })
      .waitFor();
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(
      asked.filter((a) => a.path === '/evil.m3u8'),
      [],
      'the refused playlist was never requested',
    );
    await ctx.close();
  });

  test('an allowed origin is fetched', async () => {
    const html = await (await fetch(`${server.baseUrl}/`)).text();
    assert.ok(
      html.includes(`data-allowed-sources="http://127.0.0.1:${feedPort}"`),
      'the page is told',
    );
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const allowed = `http://127.0.0.1:${feedPort}/live.m3u8`;
    const res = await page.goto(`${server.baseUrl}/?src=${encodeURIComponent(allowed)}`);
    const csp = (await res?.allHeaders())?.['content-security-policy'] ?? '';
    assert.match(csp, new RegExp(`connect-src 'self' http://127\\.0\\.0\\.1:${feedPort}(;|$)`));
    await page.getByRole('button', { name: 'Play' }).click();
    await waitFor(
      () => asked.find((a) => a.path === '/live.m3u8' && a.origin === server.baseUrl),
      'Chromium to request the allowed playlist',
      10_000,
    );
    await ctx.close();
  });
});
