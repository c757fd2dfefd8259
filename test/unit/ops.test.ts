// test/unit/ops.test.ts: pure parts of issue 6: listener estimate, health rule, reload plan, labels.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../src/config.js';
import { evaluateHealth } from '../../src/metrics/health.js';
import { ClientKeys, clientKey, ListenerTracker } from '../../src/metrics/listeners.js';
import { planReload } from '../../src/reload.js';
import { labelFor, parseLabels } from '../../src/scanner/labels.js';
import { initialStatus, type StreamStatus } from '../../src/stream-status.js';

describe('ListenerTracker', () => {
  it('counts distinct clients seen within the window, and forgets them after it', () => {
    const t = new ListenerTracker(6000);
    t.seen('a', 0);
    t.seen('b', 1000);
    t.seen('a', 2000);
    assert.equal(t.count(2000), 2);
    assert.equal(t.count(7000), 2); // b seen at 1000: 6000 ms ago, still inside
    assert.equal(t.count(7001), 1);
    assert.equal(t.count(8001), 0);
  });

  it('keys on the forwarded address only behind a local proxy', () => {
    assert.equal(clientKey('127.0.0.1', '203.0.113.9, 10.0.0.1', 'ua'), '203.0.113.9|ua');
    assert.equal(clientKey('198.51.100.7', '203.0.113.9', 'ua'), '198.51.100.7|ua');
    assert.notEqual(
      clientKey('10.0.0.2', undefined, 'Safari'),
      clientKey('10.0.0.2', undefined, 'VLC'),
    );
  });

  it('a client reloading faster than twice a second is counted as long as one reloading once', () => {
    // Seeded random reload schedules: the count never differs from an exact model's by more than
    // clients last seen within the 500 ms refresh before the window's edge.
    let seed = 7;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 200; round++) {
      const t = new ListenerTracker(6000);
      const exact = new Map<string, number>();
      let now = 0;
      for (let i = 0; i < 300; i++) {
        now += Math.floor(rand() * 400);
        const c = `c${Math.floor(rand() * 20)}`;
        t.seen(c, now);
        exact.set(c, now);
        const within = (slack: number) =>
          [...exact.values()].filter((at) => now - at <= 6000 - slack).length;
        const n = t.count(now);
        assert.ok(n <= within(0) && n >= within(500), `round ${round} step ${i}: ${n}`);
      }
    }
  });

  it('ClientKeys: one key per connection and header pair, the same string as clientKey', () => {
    const keys = new ClientKeys();
    const sock = { remoteAddress: '127.0.0.1' };
    const a = keys.keyOf(sock, '203.0.113.9', 'VLC');
    assert.equal(a, clientKey('127.0.0.1', '203.0.113.9', 'VLC'));
    assert.equal(keys.keyOf(sock, '203.0.113.9', 'VLC'), a);
    assert.equal(keys.keyOf(sock, '203.0.113.9', 'Safari'), '203.0.113.9|Safari');
    assert.equal(keys.keyOf(sock, '198.51.100.1', 'Safari'), '198.51.100.1|Safari');
    assert.equal(keys.keyOf({ remoteAddress: '10.0.0.5' }, undefined, 'VLC'), '10.0.0.5|VLC');
  });
});

/** A status with the fields health reads (other fields do not matter to it). */
function status(over: Partial<StreamStatus>): StreamStatus {
  const base = initialStatus('live', 2);
  return { ...base, ...over };
}

describe('evaluateHealth', () => {
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  const iso = (ms: number): string => new Date(ms).toISOString();
  const connected = { connected: true, remote: '127.0.0.1:5000', since: iso(t0) };

  it('is healthy and idle without a publisher, however old the last segment', () => {
    const h = evaluateHealth(t0 + 3_600_000, status({ lastSegmentAt: iso(t0) }), null);
    assert.equal(h.healthy, true);
    assert.equal(h.state, 'idle');
    assert.equal(h.lastSegmentAgeSec, 3600);
  });

  it('is stalled when a publisher is connected and no segment came for 3 target durations', () => {
    const s = status({ ingest: connected, lastSegmentAt: iso(t0 + 1000) });
    assert.equal(evaluateHealth(t0 + 7000, s, null).state, 'ok');
    const h = evaluateHealth(t0 + 7001, s, null);
    assert.equal(h.healthy, false);
    assert.equal(h.state, 'stalled');
    assert.match(h.reasons.join(), /no segment published for 6\.0 s \(limit 6 s\)/);
  });

  it('gives a new publisher 3 target durations for its first segment', () => {
    const s = status({ ingest: { ...connected, since: iso(t0 + 60_000) }, lastSegmentAt: iso(t0) });
    assert.equal(evaluateHealth(t0 + 65_000, s, null).healthy, true);
    assert.equal(evaluateHealth(t0 + 66_001, s, null).healthy, false);
  });

  it('reports a disconnected scanner without failing', () => {
    const h = evaluateHealth(t0, status({}), {
      connected: false,
      link: 'probing',
      squelchOpen: false,
      reason: 'scanner silent',
    });
    assert.equal(h.healthy, true);
    assert.match(h.reasons.join(), /scanner not connected: scanner silent/);
  });
});

describe('planReload', () => {
  it('applies log level, poll interval and labels live; everything else needs a restart', () => {
    const cur = defaultConfig();
    const next = {
      ...cur,
      logLevel: 'debug' as const,
      scannerPollMs: 100,
      labels: 'l.json',
      segmentDurationSec: 4,
      window: 9,
    };
    const p = planReload(cur, next);
    assert.deepEqual(p.live, { logLevel: 'debug', scannerPollMs: 100, labels: 'l.json' });
    assert.deepEqual(p.restart, ['segmentDurationSec', 'window']);
    assert.deepEqual(planReload(cur, { ...cur }), { live: {}, restart: [] });
  });
});

describe('labels', () => {
  const labels = parseLabels(
    JSON.stringify({
      talkgroups: { '2416': 'Fire Dispatch' },
      channels: { '12': 'County Sheriff' },
      frequencies: { '154.430': 'Fire Ground', '460.1': 'City PD' },
    }),
  );

  it('names by talkgroup, then channel, then frequency (MHz in any spelling)', () => {
    const none = { talkgroup: null, channel: null, frequencyMHz: null };
    assert.equal(labelFor(labels, { ...none, talkgroup: '2416', channel: 12 }), 'Fire Dispatch');
    assert.equal(labelFor(labels, { ...none, talkgroup: '99', channel: 12 }), 'County Sheriff');
    assert.equal(labelFor(labels, { ...none, channel: 3, frequencyMHz: 154.43 }), 'Fire Ground');
    assert.equal(labelFor(labels, { ...none, frequencyMHz: 460.1 }), 'City PD');
    assert.equal(labelFor(labels, { ...none, frequencyMHz: 460.1125 }), null);
    assert.equal(labelFor(labels, none), null);
  });

  it('refuses bad files with a message naming the entry', () => {
    assert.throws(() => parseLabels('{'), /not valid JSON/);
    assert.throws(() => parseLabels('[]'), /JSON object/);
    assert.throws(() => parseLabels('{"groups": {}}'), /unknown key "groups"/);
    assert.throws(() => parseLabels('{"channels": {"x": "A"}}'), /channels key "x"/);
    assert.throws(() => parseLabels('{"frequencies": {"5": "A"}}'), /frequencies key "5"/);
    assert.throws(
      () => parseLabels('{"talkgroups": {"1": ""}}'),
      /talkgroups\["1"\] must be a name/,
    );
  });
});
