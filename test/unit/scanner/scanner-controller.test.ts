// test/unit/scanner/scanner-controller.test.ts: ScannerController against the in-process simulator on a fake clock.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { memoryLogger } from '../../../src/logger.js';
import { resolveProfile } from '../../../src/scanner/profile.js';
import { ScannerController } from '../../../src/scanner/scanner-controller.js';
import { ScannerRejectedError, ScannerLinkError } from '../../../src/scanner/scanner-errors.js';
import { SimulatedScanner, type SimulatorOptions } from '../../../src/scanner/simulated-scanner.js';
import { SimulatedTransport } from '../../../src/scanner/sim-transport.js';
import { FakeClock, during } from '../../helpers/fake-clock.js';

let running: { ctl: ScannerController; clock: FakeClock }[] = [];
afterEach(async () => {
  for (const { ctl, clock } of running) {
    const closing = ctl.close(); // sends IDF/QUF/RIF, whose replies need time to pass
    await clock.advance(10000);
    await closing;
  }
  running = [];
});

function setup(sim: Partial<SimulatorOptions> = {}, profile: Record<string, unknown> = {}) {
  const clock = new FakeClock();
  const scanner = new SimulatedScanner({ clock, remoteMode: true, activity: 0, ...sim });
  const logger = memoryLogger();
  const ctl = new ScannerController({
    transport: new SimulatedTransport(scanner, clock),
    profile: resolveProfile(profile),
    pollMs: 250,
    clock,
    logger,
  });
  running.push({ ctl, clock });
  ctl.start();
  return { clock, scanner, logger, ctl };
}

void describe('ScannerController', () => {
  void it('probes with SI, does the §8 housekeeping and reports model, firmware and mode', async () => {
    const { clock, ctl, scanner } = setup();
    await clock.until(() => ctl.status().connected && ctl.status().modeRaw !== null);
    const s = ctl.status();
    assert.equal(s.model, 'BCT8');
    assert.equal(s.firmware, '1.05');
    assert.equal(s.mode, 'scan');
    assert.equal(s.modeSource, 'scanner');
    scanner.program(scanner.snapshot().channel, { frequencyMHz: 851.1625, trunk: true });
    scanner.transmit(400, '16048');
    await clock.until(() => ctl.status().talkgroup === '16048');
    // IDN was sent at start, so the ID S line arrived unsolicited.
    assert.deepEqual(ctl.status().trunkSystem?.type, 'motorola-type2');
  });

  void it('logs a trunked call (ID line, then squelch open) as one transmission with its talkgroup and channel', async () => {
    const { clock, ctl, scanner } = setup();
    // Once the start-up housekeeping (IDN: ID reports on) is done.
    await clock.until(() => ctl.status().connected && ctl.status().modeRaw !== null);
    const ch = scanner.snapshot().channel;
    scanner.program(ch, { frequencyMHz: 851.1625, trunk: true });
    scanner.transmit(3000, '16048');
    await clock.until(() => ctl.status().squelchOpen);
    await clock.until(() => !ctl.status().squelchOpen);
    const calls = ctl.transmissions();
    assert.equal(calls.length, 1, JSON.stringify(calls));
    assert.equal(calls[0]?.talkgroup, '16048');
    assert.equal(calls[0]?.channel, ch);
  });

  void it('reads the channel record on squelch open and logs the transmission with its duration', async () => {
    const { clock, ctl, scanner } = setup();
    await clock.until(() => ctl.status().connected);
    scanner.program(scanner.snapshot().channel, { frequencyMHz: 154.43 });
    const ch = scanner.snapshot().channel;
    scanner.transmit(3000);
    await clock.until(() => ctl.status().squelchOpen && ctl.status().channel === ch);
    assert.equal(ctl.status().frequencyMHz, 154.43);
    assert.equal(ctl.status().bank, Math.ceil(ch / 50));
    await clock.until(() => !ctl.status().squelchOpen);
    const [tx] = ctl.transmissions();
    assert.equal(tx?.channel, ch);
    assert.equal(tx?.frequencyMHz, 154.43);
    assert.ok(tx?.durationSec !== null && tx !== undefined && Math.abs(tx.durationSec - 3) <= 0.6);
    assert.ok(ctl.status().lastActivity);
  });

  void it('keeps probing a silent scanner, says why once in the log, and connects after RMT', async () => {
    const { clock, ctl, scanner, logger } = setup({ remoteMode: false });
    await clock.advance(10000);
    const s = ctl.status();
    assert.equal(s.connected, false);
    assert.equal(s.link, 'probing');
    assert.match(s.reason ?? '', /remote mode/);
    assert.equal(logger.lines.filter((l) => /scanner silent/.test(l.msg)).length, 1);
    scanner.setRemoteMode(true);
    await clock.until(() => ctl.status().connected);
  });

  void it('reports remote mode lost on a power cycle, keeps probing and recovers', async () => {
    const { clock, ctl, scanner, logger } = setup();
    await clock.until(() => ctl.status().connected);
    scanner.powerCycle();
    await clock.until(() => !ctl.status().connected);
    assert.match(ctl.status().reason ?? '', /power cycle/);
    assert.ok(logger.lines.some((l) => l.level === 'warn' && /stopped answering/.test(l.msg)));
    await clock.advance(5000);
    scanner.setRemoteMode(true);
    await clock.until(() => ctl.status().connected);
    await during(clock, ctl.perform({ action: 'hold' }));
    assert.equal(scanner.snapshot().mode, 'hold');
  });

  void it('routes an ID line that arrives while a slow reply is pending', async () => {
    const { clock, ctl, scanner } = setup({ replyDelayMs: 300 });
    await clock.until(() => ctl.status().modeRaw !== null); // housekeeping (IDN) done
    scanner.program(scanner.snapshot().channel, { frequencyMHz: 851.1625, trunk: true });
    const done = ctl.perform({ action: 'priority', on: true });
    await clock.advance(100); // PRN is on the line, its OK 200 ms away
    scanner.transmit(5000, '2416');
    await clock.advance(1);
    assert.equal(ctl.status().talkgroup, '2416');
    await during(clock, done);
    assert.equal(scanner.snapshot().priority, true);
  });

  void it('gets through garbled replies by retrying, and logs the garbage', async () => {
    const { clock, ctl, scanner, logger } = setup({ garbleRate: 0.3, seed: 7 });
    await clock.until(() => ctl.status().connected, 120000);
    await clock.advance(3000);
    let ok = false;
    for (let i = 0; i < 10 && !ok; i++) {
      ok = await during(clock, ctl.perform({ action: 'channel', channel: 38 })).then(
        () => true,
        () => false,
      );
    }
    assert.ok(ok, 'an action succeeded despite garbage');
    assert.equal(scanner.snapshot().channel, 38);
    assert.ok(logger.lines.some((l) => /unexpected line/.test(l.msg)));
  });

  void it('times out, treats persistent silence as lost remote mode, and recovers', async () => {
    const { clock, ctl, scanner } = setup();
    await clock.until(() => ctl.status().connected);
    scanner.behaviour.replyDelayMs = 5000; // slower than timeout × attempts
    await clock.until(() => !ctl.status().connected);
    assert.match(ctl.status().reason ?? '', /no reply to SQ after 3 attempt/);
    scanner.behaviour.replyDelayMs = 5;
    await clock.until(() => ctl.status().connected, 120000);
  });

  void it('maps NG to ScannerRejectedError and refuses actions while disconnected', async () => {
    const { clock, ctl, scanner } = setup();
    await clock.until(() => ctl.status().connected);
    await assert.rejects(
      during(clock, ctl.perform({ action: 'tune', frequencyMHz: 60 })),
      ScannerRejectedError,
    );
    scanner.powerCycle();
    await clock.until(() => !ctl.status().connected);
    await assert.rejects(during(clock, ctl.perform({ action: 'scan' })), ScannerLinkError);
  });

  void it('tracks mode from its own commands when MD answers ERR', async () => {
    const { clock, ctl, scanner, logger } = setup({ modeQuery: false });
    await clock.until(() => ctl.status().connected);
    await clock.advance(2000);
    assert.ok(logger.lines.some((l) => /ERR to MD/.test(l.msg)));
    await during(clock, ctl.perform({ action: 'hold' }));
    assert.equal(ctl.status().mode, 'hold');
    assert.equal(ctl.status().modeSource, 'command');
    // A second hold must not press the toggling HOLD/RESUME key again.
    await during(clock, ctl.perform({ action: 'hold' }));
    assert.equal(scanner.snapshot().mode, 'hold');
  });

  void it('reports an MD number missing from the mode table as unknown with the raw number', async () => {
    const { clock, ctl } = setup();
    await clock.until(() => ctl.status().connected);
    await during(clock, ctl.perform({ action: 'tune', frequencyMHz: 121.5 }));
    assert.equal(ctl.status().mode, 'unknown');
    assert.equal(ctl.status().modeRaw, 8);
    assert.equal(ctl.status().frequencyMHz, 121.5);
  });
});
