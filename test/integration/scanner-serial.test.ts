// test/integration/scanner-serial.test.ts: the controller through serialport on a real pty pair, the simulator on the far end.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { systemClock } from '../../src/clock.js';
import { memoryLogger } from '../../src/logger.js';
import { resolveProfile } from '../../src/scanner/profile.js';
import { ScannerController } from '../../src/scanner/scanner-controller.js';
import { ScannerLinkError } from '../../src/scanner/scanner-errors.js';
import { SerialTransport } from '../../src/scanner/serial-transport.js';
import { SimulatedScanner, type SimulatorOptions } from '../../src/scanner/simulated-scanner.js';
import { serveSimulator } from '../../src/scanner/sim-transport.js';
import { PtyPair, deadline, statusWhere } from './scanner-pty.js';

let dir = '';
let n = 0;
let cleanup: (() => Promise<void>)[] = [];

void before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scanner-pty-'));
});
void after(async () => {
  await rm(dir, { recursive: true, force: true });
});
void afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

/** A pty pair with the simulator served on one end and a controller on the other. */
async function rig(sim: Partial<SimulatorOptions> = {}) {
  n++;
  const pty = new PtyPair(join(dir, `ctl${n}`), join(dir, `sim${n}`));
  await pty.start();
  const scanner = new SimulatedScanner({
    clock: systemClock,
    remoteMode: true,
    activity: 0,
    seed: n,
    ...sim,
  });
  const simLink = new SerialTransport({
    path: pty.b,
    baudRate: 9600,
    clock: systemClock,
    reopenMs: 100,
  });
  serveSimulator(scanner, simLink);
  const logger = memoryLogger();
  const ctl = new ScannerController({
    transport: new SerialTransport({
      path: pty.a,
      baudRate: 9600,
      clock: systemClock,
      reopenMs: 100,
    }),
    profile: resolveProfile({ commandTimeoutMs: 250, probeIntervalMs: 200, retries: 2 }),
    pollMs: 60,
    clock: systemClock,
    logger,
  });
  ctl.start();
  cleanup.push(async () => {
    await ctl.close();
    scanner.close();
    await simLink.close();
    await pty.stop();
  });
  return { pty, scanner, ctl, logger };
}

void describe('scanner over a real serial pty', () => {
  void it('identifies the scanner, follows a transmission and logs it', async () => {
    const { scanner, ctl } = await rig();
    const s = await statusWhere(ctl, (x) => x.connected && x.modeRaw !== null, 5000, 'connected');
    assert.equal(s.model, 'BCT8');
    assert.equal(s.port.endsWith('at 9600 baud'), true);
    await ctl.perform({ action: 'hold' });
    const ch = scanner.snapshot().channel;
    scanner.program(ch, { frequencyMHz: 460.0125 });
    scanner.transmit(600);
    await statusWhere(
      ctl,
      (x) => x.squelchOpen && x.channel === ch,
      3000,
      'squelch open on the held channel',
    );
    await statusWhere(ctl, (x) => !x.squelchOpen, 3000, 'squelch closed');
    const [tx] = ctl.transmissions();
    assert.equal(tx?.channel, ch);
    assert.equal(tx?.frequencyMHz, 460.0125);
    assert.ok(tx?.durationSec !== null && (tx?.durationSec ?? 0) > 0.2);
  });

  void it('reports a silent scanner (not in remote mode) and connects once RMT is pressed', async () => {
    const { scanner, ctl, logger } = await rig({ remoteMode: false });
    const s = await statusWhere(
      ctl,
      (x) => x.reason !== null && /remote mode/.test(x.reason),
      5000,
      'silent',
    );
    assert.equal(s.connected, false);
    assert.equal(s.link, 'probing');
    assert.ok(logger.lines.some((l) => l.level === 'warn' && /scanner silent/.test(l.msg)));
    scanner.setRemoteMode(true);
    await statusWhere(ctl, (x) => x.connected, 5000, 'connected after RMT');
  });

  void it('survives garbage and timeouts', async () => {
    const { scanner, ctl, logger } = await rig({ garbleRate: 0.35 });
    await statusWhere(ctl, (x) => x.connected, 10000, 'connected through garbage');
    let moved = false;
    for (let i = 0; i < 10 && !moved; i++) {
      moved = await ctl.perform({ action: 'channel', channel: 100 + i }).then(
        () => true,
        () => false,
      );
    }
    assert.ok(moved, 'an action got through');
    assert.ok(
      logger.lines.some((l) => /unexpected line/.test(l.msg)),
      'garbage was seen and logged',
    );
    scanner.behaviour.garbleRate = 0;
    scanner.behaviour.replyDelayMs = 1500; // beyond timeout × attempts
    const lost = await statusWhere(ctl, (x) => !x.connected, 5000, 'timeouts noticed');
    assert.match(lost.reason ?? '', /no reply/);
    scanner.behaviour.replyDelayMs = 5;
    await statusWhere(ctl, (x) => x.connected, 8000, 'reconnected');
  });

  void it('survives the device being unplugged and replugged', async () => {
    const { pty, scanner, ctl, logger } = await rig();
    await statusWhere(ctl, (x) => x.connected, 5000, 'connected');
    await pty.stop();
    const down = await statusWhere(ctl, (x) => x.link === 'closed', 5000, 'link closed');
    assert.equal(down.connected, false);
    assert.match(down.reason ?? '', /disconnected|cannot open/);
    await assert.rejects(ctl.perform({ action: 'scan' }), ScannerLinkError);
    // Stay unplugged across a few reopen attempts, then replug with the same names.
    await deadline(
      () => logger.lines.some((l) => /cannot open/.test(JSON.stringify(l.meta))),
      3000,
      'reopen attempt',
    );
    await pty.start();
    await statusWhere(ctl, (x) => x.connected, 8000, 'reconnected after replug');
    await ctl.perform({ action: 'hold' });
    assert.equal(scanner.snapshot().mode, 'hold');
  });
});
