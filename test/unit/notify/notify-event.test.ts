// test/unit/notify/notify-event.test.ts: the filters (for many seeded random calls), the JSON event, the ntfy message and its header encoding, and the token bucket.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallRow } from '../../../src/calls/call-format.js';
import { headerText, notifyEvent, ntfyMessage, passes } from '../../../src/notify/notify-event.js';
import { TokenBucket } from '../../../src/notify/token-bucket.js';
import { seededRandom } from '../../../src/random.js';

const LABELS = ['Fire Dispatch', 'EMS', 'Police North', 'Fire Tac 2', null];

function randomCall(r: () => number): CallRow {
  const id = Date.UTC(2026, 0, 1) + Math.floor(r() * 1e9);
  const talkgroup = r() < 0.5 ? String(1 + Math.floor(r() * 20)) : null;
  const channel = r() < 0.7 ? 1 + Math.floor(r() * 20) : null;
  return {
    id,
    start_time: id / 1000,
    stop_time: id / 1000 + 3,
    call_length: 3,
    freq: 154_430_000,
    talkgroup,
    talkgroup_tag: null,
    channel,
    bank: null,
    label: LABELS[Math.floor(r() * LABELS.length)] ?? null,
    open: 0,
    codec: r() < 0.5 ? 'mp3' : 'aac',
  };
}

describe('passes', () => {
  it('lets a call through when any filter matches it, and every call when there are none', () => {
    const r = seededRandom(5);
    for (let i = 0; i < 1000; i++) {
      const c = randomCall(r);
      const f = {
        talkgroups: r() < 0.5 ? ['3', '7'] : [],
        channels: r() < 0.5 ? [2, 9] : [],
        labels: r() < 0.5 ? ['fire'] : [],
      };
      const none = !f.talkgroups.length && !f.channels.length && !f.labels.length;
      const want =
        none ||
        (c.talkgroup !== null && f.talkgroups.includes(c.talkgroup)) ||
        (c.channel !== null && f.channels.includes(c.channel)) ||
        (f.labels.length > 0 && (c.label ?? '').toLowerCase().includes('fire'));
      assert.equal(passes(f, c), want, JSON.stringify({ c, f }));
    }
  });
});

describe('notifyEvent', () => {
  it('links the call, and its audio at the end (absolute with base)', () => {
    const c = randomCall(seededRandom(1));
    const start = notifyEvent('call_start', c, 'scanner', null);
    assert.equal(start.url, `/api/calls/${c.id}`);
    assert.equal(start.audio, null);
    const end = notifyEvent('call_end', { ...c, codec: 'aac' }, 'scanner', 'https://me.example');
    assert.equal(end.audio, `https://me.example/api/calls/${c.id}.aac`);
    assert.equal(end.call.id, String(c.id));
    assert.equal(end.stream, 'scanner');
  });
});

describe('ntfyMessage', () => {
  it('puts the message in the body and Title, Tags, Click in headers', () => {
    const c: CallRow = {
      ...randomCall(seededRandom(2)),
      label: 'Fire Dispatch',
      talkgroup: '2416',
      channel: null,
      call_length: 12.34,
      codec: 'mp3',
    };
    const start = ntfyMessage('call_start', c, null);
    assert.equal(start.headers.Title, 'Call: Fire Dispatch');
    assert.equal(start.headers.Tags, 'radio');
    assert.equal(start.headers.Click, undefined);
    assert.match(
      start.body,
      /^Fire Dispatch on the air at \d\d:\d\d:\d\d UTC \(154\.4300 MHz, TG 2416\)$/,
    );
    const end = ntfyMessage('call_end', c, 'http://me:8080');
    assert.equal(end.headers.Click, `http://me:8080/api/calls/${c.id}.mp3`);
    assert.match(end.body, /^Fire Dispatch: 12\.3 s from /);
  });

  it('encodes a non-ASCII title as an RFC 2047 encoded-word', () => {
    assert.equal(headerText('Plain'), 'Plain');
    const t = headerText('Pompiers – Québec');
    assert.match(t, /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
    assert.equal(Buffer.from(t.slice(10, -2), 'base64').toString('utf8'), 'Pompiers – Québec');
  });
});

describe('TokenBucket', () => {
  it('gives burst tokens at once, then perSec, and says how long to wait', () => {
    const b = new TokenBucket(1, 5);
    let t = 1000;
    for (let i = 0; i < 5; i++) assert.ok(b.take(t));
    assert.equal(b.take(t), false);
    assert.equal(b.waitMs(t), 1000);
    t += 999;
    assert.equal(b.take(t), false);
    t += 1;
    assert.ok(b.take(t));
    // Over any window of W ms, at most burst + W / 1000 tokens are given.
    const r = seededRandom(3);
    const bb = new TokenBucket(1, 5);
    const times: number[] = [];
    for (let now = 0; now < 60_000; now += Math.floor(r() * 300)) if (bb.take(now)) times.push(now);
    for (let i = 0; i < times.length; i++)
      for (let j = i; j < times.length; j++) {
        const w = (times[j] ?? 0) - (times[i] ?? 0);
        assert.ok(j - i + 1 <= 5 + w / 1000 + 1e-9);
      }
  });
});
