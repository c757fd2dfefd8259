// test/unit/scanner/scanner-parts.test.ts: TransmissionLog, RateLimiter, the control token, the profile and action validation.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BadRequestError } from '../../../src/errors.js';
import { parseAction, parseChannelWrite } from '../../../src/scanner/actions.js';
import {
  TOKEN_FILE,
  isAuthorized,
  resolveControlToken,
} from '../../../src/scanner/control-token.js';
import { DEFAULT_PROFILE, resolveProfile } from '../../../src/scanner/profile.js';
import { RateLimiter } from '../../../src/scanner/rate-limit.js';
import { TransmissionLog } from '../../../src/scanner/transmission-log.js';
import { FakeClock } from '../../helpers/fake-clock.js';

void describe('TransmissionLog', () => {
  void it('opens, fills in details, closes with a duration, newest first, bounded', () => {
    const log = new TransmissionLog(2);
    log.open(1000, {});
    log.update({ channel: 38, bank: 1, frequencyMHz: 124.95 });
    log.close(3500);
    log.open(4000, { talkgroup: '16048' });
    assert.equal(log.isOpen, true);
    log.open(5000, { talkgroup: '22000' }); // closes the previous one
    const [a, b] = log.list();
    assert.equal(log.list().length, 2);
    assert.equal(a?.talkgroup, '22000');
    assert.equal(a?.end, null);
    assert.equal(b?.durationSec, 1);
    log.close(6000);
    log.update({ channel: 1 }); // ignored once closed
    assert.equal(log.list()[0]?.channel, null);
  });
});

void describe('RateLimiter', () => {
  void it('allows a burst, then refuses with Retry-After, then refills', async () => {
    const clock = new FakeClock();
    const rl = new RateLimiter(clock, { capacity: 3, perSecond: 1 });
    for (let i = 0; i < 3; i++) assert.deepEqual(rl.take('a'), { ok: true });
    assert.deepEqual(rl.take('a'), { ok: false, retryAfterSec: 1 });
    assert.deepEqual(rl.take('b'), { ok: true }, 'keys are independent');
    await clock.advance(1000);
    assert.deepEqual(rl.take('a'), { ok: true });
  });

  void it('stays bounded with many keys', () => {
    const rl = new RateLimiter(new FakeClock(), { maxKeys: 10 });
    for (let i = 0; i < 100; i++) assert.equal(rl.take(`k${i}`).ok, true);
  });
});

void describe('control token', () => {
  void it('generates a token once (file mode 0600) and reuses it; a configured one wins', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scanner-token-'));
    try {
      const state = join(dir, 'state');
      const first = await resolveControlToken(state, null);
      assert.equal(first.source, 'generated');
      assert.match(first.token, /^[A-Za-z0-9_-]{32}$/);
      const file = join(state, TOKEN_FILE);
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      await chmod(file, 0o644);
      const again = await resolveControlToken(state, null);
      assert.deepEqual(again, { token: first.token, source: 'stored' });
      assert.equal((await stat(file)).mode & 0o777, 0o600, 'permissions tightened again');
      assert.deepEqual(await resolveControlToken(state, 'configured-token'), {
        token: 'configured-token',
        source: 'config',
      });
      await writeFile(file, 'short\n');
      const replaced = await resolveControlToken(state, null);
      assert.equal(replaced.source, 'generated');
      assert.equal((await readFile(file, 'utf8')).trim(), replaced.token);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  void it('accepts only the exact Bearer token', () => {
    assert.equal(isAuthorized('Bearer secret-123', 'secret-123'), true);
    assert.equal(isAuthorized('Bearer secret-124', 'secret-123'), false);
    assert.equal(isAuthorized('secret-123', 'secret-123'), false);
    assert.equal(isAuthorized(undefined, 'secret-123'), false);
    assert.equal(isAuthorized('Bearer ', 'secret-123'), false);
  });
});

void describe('scanner profile', () => {
  void it('defaults to the reference values and takes overrides', () => {
    const p = resolveProfile({ keys: { hold: '12' }, modeTable: { '8': 'manual' }, retries: 1 });
    assert.deepEqual(p.keys, { scan: '00', hold: '12', resume: '00' });
    assert.deepEqual(p.modeTable, { '8': 'manual' });
    assert.equal(p.retries, 1);
    assert.equal(p.commandTimeoutMs, DEFAULT_PROFILE.commandTimeoutMs);
    assert.deepEqual(DEFAULT_PROFILE.keys.hold, '07', 'defaults are not mutated');
  });

  void it('names the bad field', () => {
    assert.throws(() => resolveProfile({ keys: { hold: '7\r' } }), /keys\.hold/);
    assert.throws(() => resolveProfile({ modeTable: { '1': 'vfo' } }), /modeTable/);
    assert.throws(() => resolveProfile({ tuneRangesMHz: [[500, 100]] }), /tuneRangesMHz/);
    assert.throws(() => resolveProfile({ nonsense: 1 }), /unknown scanner profile key/);
  });
});

void describe('action validation', () => {
  const p = resolveProfile();
  void it('accepts the contract bodies', () => {
    assert.deepEqual(parseAction('channel', { channel: 250 }, p), {
      action: 'channel',
      channel: 250,
    });
    assert.deepEqual(parseAction('tune', { frequencyMHz: 851.1625 }, p), {
      action: 'tune',
      frequencyMHz: 851.1625,
    });
    assert.deepEqual(parseAction('banks', { banks: 'a, c' }, p), { action: 'banks', banks: 'AC' });
    assert.deepEqual(parseAction('mute', { mode: 'off' }, p), { action: 'mute', mode: 'off' });
    assert.deepEqual(parseAction('priority', { on: false }, p), { action: 'priority', on: false });
    assert.deepEqual(parseAction('scan', undefined, p), { action: 'scan' });
    assert.deepEqual(parseChannelWrite('7', { frequencyMHz: 0 }, p), {
      action: 'write-channel',
      channel: 7,
      frequencyMHz: 0,
      trunk: false,
    });
  });

  void it('refuses bad and injected values with a message', () => {
    const bad: [Parameters<typeof parseAction>[0], unknown][] = [
      ['channel', { channel: 0 }],
      ['channel', { channel: '38' }],
      ['channel', { channel: 38, extra: 1 }],
      ['tune', { frequencyMHz: '851.1625\rAC' }],
      ['tune', { frequencyMHz: 5000 }],
      ['mute', { mode: 'AC' }],
      ['banks', { banks: 'ABCDEF' }],
      ['banks', { banks: 'A\r\nAC' }],
      ['priority', { on: 'yes' }],
      ['scan', { x: 1 }],
      ['scan', [1]],
    ];
    for (const [name, body] of bad) {
      assert.throws(
        () => parseAction(name, body, p),
        BadRequestError,
        `${name} ${JSON.stringify(body)}`,
      );
    }
    assert.throws(() => parseChannelWrite('251', { frequencyMHz: 851 }, p), BadRequestError);
    assert.throws(() => parseChannelWrite('1x', { frequencyMHz: 851 }, p), BadRequestError);
    assert.throws(
      () => parseChannelWrite('1', { frequencyMHz: 851, trunk: 'T' }, p),
      BadRequestError,
    );
  });
});
