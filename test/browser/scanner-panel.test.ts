// test/browser/scanner-panel.test.ts: the scanner panel in Chromium under helmet's default CSP: buttons drive the simulator.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import helmet from 'helmet';
import type { Browser, Page } from 'playwright-core';
import { systemClock } from '../../src/clock.js';
import { scannerRoutes } from '../../src/http/scanner-routes.js';
import { nullLogger } from '../../src/logger.js';
import { startScannerService, type ScannerService } from '../../src/scanner/scanner-service.js';
import { launchChromium } from '../helpers/chromium.js';
import { deadline, statusWhere } from '../integration/scanner-pty.js';

/** The tags public/index.html carries for the panel; nothing inline, so the default CSP applies as is. */
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>scanner panel test</title>
<link rel="stylesheet" href="/scanner.css">
<script type="module" src="/scanner.js"></script>
</head><body><main><section id="scanner-panel" hidden aria-label="Scanner"></section></main></body></html>`;

let dir = '';
let browser: Browser;
let service: ScannerService;
const servers: Server[] = [];

async function listen(withScanner: boolean): Promise<string> {
  const app = express();
  app.use(helmet());
  app.use(express.json());
  if (withScanner)
    app.use('/api/scanner', scannerRoutes(service, { clock: systemClock, logger: nullLogger }));
  app.get('/', (_req, res) => {
    res.type('html').send(PAGE);
  });
  app.use(express.static('public', { index: false }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Opens a phone-sized page and records CSP violations and script errors. */
async function phonePage(url: string): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused/.test(m.text()))
      problems.push(m.text());
  });
  await page.goto(url);
  return { page, problems };
}

void before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scanner-browser-'));
  service = await startScannerService({
    spec: 'sim',
    pollMs: 50,
    stateDir: dir,
    controlToken: 'panel-test-token',
    logger: nullLogger,
    clock: systemClock,
    simulator: { activity: 0, seed: 9 },
  });
  await statusWhere(service, (s) => s.connected && s.modeRaw !== null, 5000, 'connected');
  browser = await launchChromium();
});

void after(async () => {
  await browser?.close();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await service?.close();
  await rm(dir, { recursive: true, force: true });
});

void describe('scanner panel', () => {
  void it('shows status, and its buttons change the simulator', async () => {
    const base = await listen(true);
    const { page, problems } = await phonePage(`${base}/?token=panel-test-token`);
    const panel = page.getByRole('region', { name: 'Scanner' });
    await panel.waitFor({ state: 'visible' });
    assert.equal(new URL(page.url()).search, '', 'the token is removed from the address bar');
    assert.equal(
      await page.evaluate(() => localStorage.getItem('scanner-hls.control-token')),
      'panel-test-token',
    );
    await page.getByText('Connected: BCT8 (remote firmware 1.05)').waitFor();

    await page.getByRole('button', { name: 'Hold' }).click();
    await deadline(() => service.simulator?.snapshot().mode === 'hold', 5000, 'simulator in hold');
    await page.locator('button[aria-pressed="true"]', { hasText: 'Hold' }).waitFor();

    await page.getByLabel('Channel (1–250)').fill('42');
    await page.getByLabel('Channel (1–250)').press('Enter');
    await deadline(
      () => service.simulator?.snapshot().channel === 42,
      5000,
      'simulator on channel 42',
    );
    await page.getByText('42 / bank 1').waitFor();

    service.simulator?.program(42, { frequencyMHz: 154.43 });
    service.simulator?.transmit(500);
    await page.getByRole('status').filter({ hasText: 'Receiving' }).waitFor();
    await page
      .locator('.scn-log tbody tr', { hasText: '154.4300' })
      .filter({ hasText: ' s' })
      .waitFor();

    await page.getByLabel('Tune (MHz)').fill('5000');
    await page.getByRole('button', { name: 'Tune' }).click();
    assert.equal(
      service.simulator?.snapshot().mode,
      'manual',
      'the browser refused 5000 MHz itself',
    );

    await page.getByRole('button', { name: 'Scan' }).click();
    await deadline(() => service.simulator?.snapshot().mode === 'scan', 5000, 'simulator scanning');

    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= 375, `page fits 375 px (scrollWidth ${overflow})`);
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  void it('says so clearly when control is refused with 401', async () => {
    const base = await listen(true);
    const { page, problems } = await phonePage(`${base}/#token=wrong-token-1`);
    await page.getByRole('button', { name: 'Hold' }).click();
    await page.getByRole('alert').filter({ hasText: 'token is missing or wrong' }).waitFor();
    assert.equal(service.simulator?.snapshot().mode, 'scan');
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  void it('stays hidden when no scanner is configured (404)', async () => {
    const base = await listen(false);
    const { page, problems } = await phonePage(base);
    await page.waitForLoadState('networkidle');
    assert.equal(await page.locator('#scanner-panel').isHidden(), true);
    assert.equal(await page.locator('#scanner-panel').innerHTML(), '');
    assert.deepEqual(problems, []);
    await page.context().close();
  });
});
