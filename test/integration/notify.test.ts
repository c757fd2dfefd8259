// test/integration/notify.test.ts: --notify with the simulated scanner and a live ffmpeg feed: JSON start and end events, the talkgroup and label filters, the ntfy format, retries of a failing endpoint, and an endpoint that never answers not delaying a single segment.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CallJson } from '../../src/calls/call-format.js';
import type { NotifyEvent } from '../../src/notify/notify-event.js';
import { AlertReceiver, SilentSocket } from '../helpers/alert-receiver.js';
import { type publishLive, stopProcess } from '../helpers/media.js';
import { tempDir, type TestServer } from '../helpers/server.js';
import { startSimFeed } from '../helpers/sim-feed.js';
import { waitFor } from '../helpers/wait.js';

const BASE = 'http://scanner.example:8080';
let s: TestServer;
let pub: ReturnType<typeof publishLive>;
const rx = new AlertReceiver();
const silent = new SilentSocket();
let list: CallJson[] = [];
/** When each segment was written (ms), from before the first alert to after the last. */
const written: number[] = [];

void before(async () => {
  await rx.start();
  await silent.start();
  rx.failing.set('/fail', 500);
  const dir = tempDir('notify-');
  const labels = join(dir, 'labels.json');
  writeFileSync(labels, JSON.stringify({ talkgroups: { '2416': 'Fire Dispatch' } }));
  const feed = await startSimFeed(
    {
      scanner: 'sim',
      segmentDurationSec: 1,
      window: 6,
      labels,
      notify: [
        `${rx.url}/all?base=${encodeURIComponent(BASE)}`,
        `${rx.url}/tg?talkgroup=3300,3301`,
        `${rx.url}/fire?format=ntfy&label=FIRE&base=${encodeURIComponent(BASE)}`,
        `${rx.url}/fail`,
        `${silent.url}/never`,
      ],
    },
    { dir },
    { codec: 'mp3', seconds: 60 },
  );
  s = feed.s;
  pub = feed.pub;
  const sim = feed.sim;
  s.packager.on('segment-written', () => written.push(Date.now()));
  sim.transmit(2000, '2416');
  await new Promise((r) => setTimeout(r, 3000));
  sim.transmit(1500, '3300');
  await new Promise((r) => setTimeout(r, 2500));
  sim.transmit(1500);
  await waitFor(
    async () => {
      const r = await fetch(`${s.baseUrl}/api/calls`);
      list = ((await r.json()) as { calls: CallJson[] }).calls.reverse();
      return list.length === 3 && list.every((c) => !c.open);
    },
    'three closed calls',
    20_000,
  );
  await waitFor(() => rx.at('/all').length === 6, 'six events at /all', 20_000);
  // Some more segments while the silent endpoint still holds its alerts.
  await new Promise((r) => setTimeout(r, 3000));
});

void after(async () => {
  await stopProcess(pub);
  await s.close();
  await rx.stop();
  await silent.stop();
});

function events(path: string): NotifyEvent[] {
  return rx.at(path).map((a) => JSON.parse(a.body) as NotifyEvent);
}

describe('--notify', () => {
  it('POSTs a JSON event at each call start and end, in order, with links to the call', () => {
    const got = events('/all');
    assert.deepEqual(
      got.map((e) => [e.event, e.call.id]),
      list.flatMap((c) => [
        ['call_start', c.id],
        ['call_end', c.id],
      ]),
    );
    for (const a of rx.at('/all'))
      assert.match(a.headers['content-type'] ?? '', /^application\/json/);
    for (const [i, c] of list.entries()) {
      const start = got[2 * i];
      const end = got[2 * i + 1];
      assert.ok(start && end);
      assert.equal(start.stream, s.cfg.stream);
      assert.equal(start.call.start_time, c.start_time);
      // At the start, what the scanner had reported so far (the channel may come a poll later).
      for (const k of ['talkgroup', 'channel', 'freq'] as const)
        assert.ok(
          start.call[k] === null || start.call[k] === c[k],
          `${k} ${start.call[k]} vs ${c[k]}`,
        );
      for (const k of ['talkgroup', 'channel', 'freq'] as const) assert.equal(end.call[k], c[k]);
      assert.equal(start.audio, null);
      assert.equal(start.url, `${BASE}/api/calls/${c.id}`);
      assert.equal(end.call.stop_time, c.stop_time);
      assert.equal(end.call.call_length, c.call_length);
      assert.equal(end.call.label, c.label);
      assert.equal(end.audio, `${BASE}/api/calls/${c.id}.mp3`);
    }
    assert.equal(got[0]?.call.label, 'Fire Dispatch');
  });

  it('honours the talkgroup filter', () => {
    const got = events('/tg');
    assert.deepEqual(
      got.map((e) => [e.event, e.call.talkgroup]),
      [
        ['call_start', '3300'],
        ['call_end', '3300'],
      ],
    );
    // Without base= the links are paths on this server.
    assert.equal(got[1]?.audio, `/api/calls/${got[1]?.call.id}.mp3`);
  });

  it('sends ntfy messages (body text; Title, Tags, Click headers) for calls whose label matches', () => {
    const got = rx.at('/fire');
    const fire = list[0];
    assert.ok(fire);
    assert.equal(got.length, 2);
    const [start, end] = got;
    assert.ok(start && end);
    assert.equal(start.headers.title, 'Call: Fire Dispatch');
    assert.equal(start.headers.tags, 'radio');
    assert.equal(start.headers.click, `${BASE}/`);
    assert.match(
      start.body,
      /^Fire Dispatch on the air at \d\d:\d\d:\d\d UTC \(\d+\.\d{4} MHz, TG 2416/,
    );
    assert.equal(end.headers.title, 'Call ended: Fire Dispatch');
    assert.equal(end.headers.click, `${BASE}/api/calls/${fire.id}.mp3`);
    assert.match(
      end.body,
      new RegExp(`^Fire Dispatch: ${(fire.call_length ?? 0).toFixed(1)} s from`),
    );
  });

  it('retries an endpoint that answers 500', () => {
    // The first alert was tried more than once before the others got their turn.
    assert.ok(rx.at('/fail').length >= 2, `${rx.at('/fail').length} attempts`);
  });

  it('an endpoint that never answers does not delay the packager', () => {
    assert.ok(silent.connections >= 1, 'the silent endpoint was tried');
    assert.ok(written.length >= 10, `${written.length} segments written`);
    const gaps = written.slice(1).map((t, i) => t - (written[i] ?? t));
    // 1 s segments: a send that blocked the packager would leave a gap of its 5 s timeout.
    assert.ok(Math.max(...gaps) < 2500, `largest gap between segments ${Math.max(...gaps)} ms`);
  });
});
