// test/unit/notify/notifier.test.ts: Notifier against a real local HTTP endpoint: call() returns at once, the rate limit spaces sends, a full queue drops the oldest, a 500 is retried and a 400 is not.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CallRow } from '../../../src/calls/call-format.js';
import { systemClock } from '../../../src/clock.js';
import { memoryLogger } from '../../../src/logger.js';
import { Notifier } from '../../../src/notify/notifier.js';
import { parseNotifySpec } from '../../../src/notify/notify-spec.js';
import { AlertReceiver, SilentSocket } from '../../helpers/alert-receiver.js';
import { waitFor } from '../../helpers/wait.js';

const rx = new AlertReceiver();
const silent = new SilentSocket();

function call(id: number): CallRow {
  return {
    id,
    start_time: id / 1000,
    stop_time: null,
    call_length: null,
    freq: 460_000_000,
    talkgroup: String(id % 100),
    talkgroup_tag: null,
    channel: 1,
    bank: 1,
    label: null,
    open: 1,
    codec: 'mp3',
  };
}

void before(async () => {
  await rx.start();
  await silent.start();
});
void after(async () => {
  await rx.stop();
  await silent.stop();
});

describe('Notifier', () => {
  it('sends the burst at once, then no faster than the rate', async () => {
    const n = new Notifier({
      spec: parseNotifySpec(`${rx.url}/rate`),
      stream: 's',
      clock: systemClock,
      logger: memoryLogger(),
      rate: { perSec: 4, burst: 3 },
    });
    const t0 = Date.now();
    for (let i = 0; i < 9; i++) n.call('call_start', call(1000 + i));
    assert.ok(Date.now() - t0 < 50, 'call() returns at once');
    await waitFor(() => rx.at('/rate').length === 9, 'nine alerts', 10_000);
    const at = rx.at('/rate').map((a) => a.atMs - t0);
    // Alert k (k ≥ burst) waits for token k − burst + 1 at 250 ms each.
    for (let k = 3; k < 9; k++)
      assert.ok((at[k] ?? 0) >= (k - 2) * 250 - 30, `alert ${k} at ${at[k]} ms`);
    assert.deepEqual(
      rx.at('/rate').map((a) => (JSON.parse(a.body) as { call: { id: string } }).call.id),
      Array.from({ length: 9 }, (_, i) => String(1000 + i)),
    );
    assert.equal(n.stats().delayed, 6);
    n.close();
  });

  it('sends user:password@ in the URL as Basic authorization (fetch refuses credentials in URLs)', async () => {
    const n = new Notifier({
      spec: parseNotifySpec(`http://me:p%40ss@127.0.0.1:${rx.port}/auth?format=ntfy`),
      stream: 's',
      clock: systemClock,
      logger: memoryLogger(),
    });
    n.call('call_start', call(4000));
    await waitFor(() => rx.at('/auth').length === 1, 'the alert', 5000);
    assert.equal(
      rx.at('/auth')[0]?.headers.authorization,
      `Basic ${Buffer.from('me:p@ss').toString('base64')}`,
    );
    n.close();
  });

  it('drops the oldest when its queue is full, counting them', () => {
    const n = new Notifier({
      spec: parseNotifySpec(`${silent.url}/x`),
      stream: 's',
      clock: systemClock,
      logger: memoryLogger(),
      maxQueue: 4,
      timeoutMs: 500,
    });
    for (let i = 0; i < 10; i++) n.call('call_start', call(2000 + i));
    assert.equal(n.stats().queued, 4);
    assert.equal(n.stats().dropped, 6);
    n.close();
  });

  it('retries a 500 with backoff, gives up after its tries, and does not retry a 400', async () => {
    rx.failing.set('/five', 500);
    rx.failing.set('/four', 400);
    const log = memoryLogger();
    const n = new Notifier({
      spec: parseNotifySpec(`${rx.url}/five`),
      stream: 's',
      clock: systemClock,
      logger: log,
      attempts: 3,
      backoff: { initialMs: 50, maxMs: 100 },
    });
    n.call('call_start', call(3000));
    await waitFor(() => n.stats().failed === 1, 'given up', 5000);
    assert.equal(rx.at('/five').length, 3);
    assert.equal(
      log.lines.filter((l) => l.level === 'warn').length,
      1,
      'logged once a minute at most',
    );
    n.close();
    const four = new Notifier({
      spec: parseNotifySpec(`${rx.url}/four`),
      stream: 's',
      clock: systemClock,
      logger: log,
      attempts: 3,
      backoff: { initialMs: 50, maxMs: 100 },
    });
    four.call('call_start', call(3001));
    await waitFor(() => four.stats().failed === 1, 'given up', 5000);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(rx.at('/four').length, 1);
    four.close();
  });
});
