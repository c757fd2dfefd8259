// test/browser/calls-page.test.ts: the page's recent calls in Chromium against the real server and simulated scanner: the list fills live, filters, copy link, download, replay last call, /#call=ID plays that call, back to live, 375 px and desktop screenshots.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import type { CallJson } from '../../src/calls/call-format.js';
import { makeTs, publishLive, stopProcess } from '../helpers/media.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/** A call as GET /api/calls gives it. */
type Call = CallJson;

/** One call this test made the simulator receive. */
interface Made {
  talkgroup: string;
  channel: number;
  label: string;
  call: Call;
}

/** Channel names long enough to wrap on a phone. */
const label = (ch: number) => `Unit ${ch} Countywide Mutual Aid Fireground Tactical Operations`;

const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 900 };

describe('recent calls on the page', () => {
  let s: TestServer;
  let pub: ChildProcess;
  let browser: Browser;
  const errors: string[] = [];
  const made: Made[] = [];

  async function api<T>(path: string): Promise<T> {
    const res = await fetch(`${s.baseUrl}${path}`);
    assert.equal(res.status, 200, `GET ${path}`);
    return (await res.json()) as T;
  }

  async function openPage(
    url: string,
    viewport = PHONE,
  ): Promise<{ page: Page; ctx: BrowserContext }> {
    const ctx = await browser.newContext({ viewport });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.baseUrl });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    await page.goto(url);
    return { page, ctx };
  }

  /** The simulator receives one call on its current channel; returns it as the call log has it. */
  async function transmit(talkgroup: string, ms: number): Promise<Made> {
    const sim = s.scanner?.simulator;
    assert.ok(sim);
    const channel = sim.snapshot().channel;
    sim.program(channel, { frequencyMHz: 150 + channel / 100 });
    sim.transmit(ms, talkgroup);
    await waitFor(() => sim.snapshot().squelchOpen === false, 'the call to end', ms + 3000, 20);
    const started = Date.parse(s.scanner?.transmissions()[0]?.start ?? '') / 1000;
    const call = await waitFor(
      async () => {
        const { calls } = await api<{ calls: Call[] }>('/api/calls?limit=5');
        return calls.find((c) => !c.open && Math.abs(c.start_time - started) < 0.5) ?? null;
      },
      'the call in the call log',
      5000,
    );
    // The call log has what the simulator received.
    assert.equal(call.channel, channel, `call ${call.id}: channel`);
    assert.equal(call.talkgroup, talkgroup, `call ${call.id}: talkgroup`);
    assert.equal(call.label, label(channel), `call ${call.id}: label`);
    // The scan moves on, so the next call is on another channel, a second later.
    await waitFor(() => sim.snapshot().channel !== channel, 'the scan to move on', 5000, 20);
    await new Promise((r) => setTimeout(r, 1000));
    const m = { talkgroup, channel, label: label(channel), call };
    made.unshift(m);
    return m;
  }

  /** Waits until the live audio element plays and its clock moves on by a second. */
  async function livePlays(page: Page, what: string): Promise<void> {
    const position = () =>
      page.evaluate(() => {
        const a = document.getElementById('audio') as HTMLAudioElement;
        return a.paused ? null : a.currentTime;
      });
    const from = await waitFor(position, what, 20_000, 100);
    await waitFor(async () => ((await position()) ?? 0) > from + 1, `${what}: on`, 20_000, 100);
  }

  /** The ids of the rows the list shows, top to bottom. */
  function rowIds(page: Page): Promise<string[]> {
    return page
      .locator('.calls-list > li')
      .evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.id ?? ''));
  }

  /** Waits until the list shows exactly these ids, in this order. */
  async function listIs(page: Page, ids: string[], what: string): Promise<void> {
    await waitFor(
      async () => JSON.stringify(await rowIds(page)) === JSON.stringify(ids),
      what,
      10_000,
      100,
    );
  }

  before(async () => {
    const dir = tempDir();
    const labels = join(dir, 'labels.json');
    const channels = Object.fromEntries(
      Array.from({ length: 250 }, (_, i) => [String(i + 1), label(i + 1)]),
    );
    writeFileSync(labels, JSON.stringify({ channels }));
    s = await startTestServer(
      { scanner: 'sim', labels, segmentDurationSec: 1, window: 12 },
      { dir },
    );
    pub = publishLive(await makeTs('mp3-lsf', 60), s.ingestPort, { loop: true, lowLatency: true });
    browser = await launchChromium();
    const sim = s.scanner?.simulator;
    assert.ok(sim);
    sim.behaviour.activity = 0; // only the calls this test makes
    await waitFor(() => s.scanner?.status().connected, 'the simulated scanner');
    await waitFor(() => s.packager.getStatus().segmentsPublished >= 3, 'three segments', 20_000);
  });

  after(async () => {
    await browser?.close();
    if (pub) await stopProcess(pub);
    await s?.close();
  });

  it('fills the list as the scanner receives, filters it, copies links and replays the last call', async () => {
    const { page, ctx } = await openPage(`${s.baseUrl}/`);
    await page.getByRole('heading', { name: 'Recent calls' }).waitFor();
    const before = await rowIds(page);
    for (const tg of ['1020', '2040', '1020', '2040']) {
      await transmit(tg, 1500);
      // The list follows the call log without a reload.
      await listIs(
        page,
        [...made.map((m) => m.call.id), ...before],
        `the row of call ${made[0]?.call.id}`,
      );
    }
    const newest = made[0];
    assert.ok(newest);
    const row = page.locator(`.calls-list > li[data-id="${newest.call.id}"]`);
    assert.equal(await row.locator('.call-title').innerText(), newest.label);
    assert.match(
      await row.locator('.call-meta').innerText(),
      new RegExp(`Ch ${newest.channel} · TG 2040`),
    );
    // The row turns from "on air" to the call's length when the call log closes it.
    await row.locator('.call-len', { hasText: /^\d+\.\d s$/ }).waitFor({ timeout: 5000 });
    assert.equal(await row.locator('a.call-dl').getAttribute('href'), newest.call.audio);

    // Filters: the rows are the server's answer for the same query, and that is our calls.
    const filters: [string, string, (m: Made) => boolean][] = [
      ['Talkgroup', '1020', (m) => m.talkgroup === '1020'],
      ['Channel', String(made[1]?.channel), (m) => m.channel === made[1]?.channel],
      ['Label', made[2]?.label ?? '', (m) => m.label === made[2]?.label],
    ];
    for (const [field, value, pick] of filters) {
      await page.getByLabel(field, { exact: true }).fill(value);
      const q = { Talkgroup: 'talkgroup', Channel: 'channel', Label: 'label' }[field];
      const answer = await api<{ calls: Call[] }>(
        `/api/calls?${q}=${encodeURIComponent(value)}&limit=20`,
      );
      const ours = made.filter(pick).map((m) => m.call.id);
      assert.deepEqual(
        answer.calls.map((c) => c.id),
        ours,
        `GET /api/calls?${q}=${value}`,
      );
      await listIs(page, ours, `the rows for ${field} ${value}`);
      await page.getByRole('button', { name: 'Clear' }).click();
      await listIs(page, [...made.map((m) => m.call.id), ...before], 'every row after Clear');
    }

    // Copy link gives the call's link.
    await row.getByRole('button', { name: /^Copy link/ }).click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, `${s.baseUrl}/#call=${newest.call.id}`);
    await page.getByRole('status').filter({ hasText: 'Link copied' }).waitFor();

    // At 375 px nothing scrolls sideways, long labels and all.
    const width = await page.evaluate(() => document.scrollingElement?.scrollWidth ?? Infinity);
    assert.ok(width <= PHONE.width, `no sideways scrolling at 375 px (page is ${width} px wide)`);

    // Live plays, then a call is heard, then replayed.
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await livePlays(page, 'live to play');

    // A call heard live: the card names it (from the cues) and "Hear it again" replays it.
    const heard = await transmit('3060', 1500);
    await page.locator(`#now-playing[data-call="${heard.call.id}"]`).waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Hear it again' }).click();
    await waitFor(
      () =>
        page.evaluate(() => {
          const r = document.getElementById('replay-audio') as HTMLAudioElement;
          return !r.paused && r.currentTime > 0.3 ? (r.dataset.callId ?? null) : null;
        }),
      'the heard call to replay',
      15_000,
    );
    assert.equal(
      await page.evaluate(() => document.getElementById('replay-audio')?.dataset.callId),
      heard.call.id,
    );
    await page.getByRole('button', { name: 'Back to live' }).click();
    await livePlays(page, 'live after the replay');

    // Replay last call: the newest call plays in the replay player, live pauses.
    await page.getByRole('button', { name: 'Replay last call' }).click();
    await waitFor(
      () =>
        page.evaluate(() => {
          const r = document.getElementById('replay-audio') as HTMLAudioElement;
          return r.dataset.callId !== undefined && !r.paused && r.currentTime > 0.3
            ? r.dataset.callId
            : null;
        }),
      'the last call to replay',
      15_000,
    );
    assert.equal(
      await page.evaluate(
        () => (document.getElementById('replay-audio') as HTMLAudioElement).dataset.callId,
      ),
      heard.call.id,
      'the last call is the one just heard',
    );
    assert.equal(
      await page.evaluate(() => (document.getElementById('audio') as HTMLAudioElement).paused),
      true,
      'live is paused during the replay',
    );
    const heardRow = page.locator(`.calls-list > li[data-id="${heard.call.id}"]`);
    assert.equal(await heardRow.getAttribute('data-playing'), 'true');
    await page.screenshot({ path: join(s.dir, 'calls-phone.png'), fullPage: true });
    console.log(`# screenshot: ${join(s.dir, 'calls-phone.png')}`);
    // The call ends, and live resumes by itself (it was playing when the replay began).
    await livePlays(page, 'live to resume after the call');
    assert.equal(await page.locator('#replay').isHidden(), true);

    const desk = await openPage(`${s.baseUrl}/`, DESKTOP);
    await desk.page.locator('.calls-list > li').first().waitFor();
    await desk.page.screenshot({ path: join(s.dir, 'calls-desktop.png'), fullPage: true });
    console.log(`# screenshot: ${join(s.dir, 'calls-desktop.png')}`);
    await desk.ctx.close();
    await ctx.close();
    assert.deepEqual(errors, []);
  });

  it('opens /#call=ID and plays that call; one tap goes back to live', async () => {
    const target = made[2];
    assert.ok(target, 'the first test made the calls');
    const requests: string[] = [];
    const { page, ctx } = await openPage('about:blank');
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${s.baseUrl}/#call=${target.call.id}`);
    const played = await waitFor(
      () =>
        page.evaluate(() => {
          const r = document.getElementById('replay-audio') as HTMLAudioElement;
          return !r.paused && r.currentTime > 0.5
            ? { src: r.dataset.src ?? '', duration: r.duration, id: r.dataset.callId ?? '' }
            : null;
        }),
      'the linked call to play',
      15_000,
    );
    const m3u8 = `${s.baseUrl}${target.call.m3u8 ?? ''}`;
    assert.equal(played.id, target.call.id);
    assert.equal(played.src, m3u8, 'hls.js plays the call’s own playlist');
    assert.ok(requests.includes(m3u8), `the page fetched ${m3u8}`);
    assert.ok(
      Math.abs(played.duration - (target.call.call_length ?? 0)) < 0.25,
      `the replay lasts ${played.duration} s, the call ${target.call.call_length} s`,
    );
    assert.equal(
      await page
        .locator('#replay-title')
        .innerText()
        .then((t) => t.startsWith(target.label)),
      true,
    );
    assert.match(await page.locator('#message').innerText(), /Replaying a call/);

    await page.getByRole('button', { name: 'Back to live' }).click();
    await livePlays(page, 'live to play after one tap');
    assert.equal(await page.locator('#replay').isHidden(), true);
    assert.equal(new URL(page.url()).hash, '', 'the call link is gone from the address bar');
    await ctx.close();
    assert.deepEqual(errors, []);
  });
});
