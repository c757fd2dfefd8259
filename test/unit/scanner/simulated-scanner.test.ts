// test/unit/scanner/simulated-scanner.test.ts: the simulator answers as §7 of the reference describes, deterministically.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { parseChannelRecord } from '../../../src/scanner/protocol.js';
import { SimulatedScanner, type SimulatorOptions } from '../../../src/scanner/simulated-scanner.js';
import { FakeClock } from '../../helpers/fake-clock.js';

let sims: SimulatedScanner[] = [];
afterEach(() => {
  for (const s of sims) s.close();
  sims = [];
});

function make(opts: Partial<SimulatorOptions> = {}) {
  const clock = new FakeClock();
  const sim = new SimulatedScanner({ clock, remoteMode: true, activity: 0, ...opts });
  sims.push(sim);
  const out: string[] = [];
  sim.onOutput((l) => out.push(l));
  /** Sends a line and returns what came out within 50 ms. */
  const ask = async (line: string): Promise<string[]> => {
    out.length = 0;
    sim.handleLine(line);
    await clock.advance(50);
    return [...out];
  };
  return { sim, clock, out, ask };
}

void describe('SimulatedScanner', () => {
  void it('stays silent until remote mode is on (§1 RMT), then identifies as a BCT8', async () => {
    const { sim, ask } = make({ remoteMode: false });
    assert.deepEqual(await ask('SI'), []);
    sim.setRemoteMode(true);
    assert.deepEqual(await ask('SI'), ['SI BCT8,0000000000,105']);
  });

  void it('answers SQ, MD and MA per §3', async () => {
    const { sim, ask } = make();
    assert.deepEqual(await ask('SQ'), ['-']);
    assert.deepEqual(await ask('MD'), ['MD00']);
    assert.deepEqual(await ask('MA'), ['NG'], 'scanning with nothing received');
    sim.transmit(1000);
    assert.deepEqual(await ask('SQ'), ['+']);
    const rec = parseChannelRecord((await ask('MA'))[0] ?? '');
    assert.equal(rec?.channel, sim.snapshot().channel);
  });

  void it('MAnnn, PM writes and RF switch modes; HOLD toggles; KEY00 scans', async () => {
    const { sim, ask } = make();
    assert.match((await ask('MA038'))[0] ?? '', /^C038 F\d{8} /);
    assert.equal(sim.snapshot().mode, 'manual');
    assert.deepEqual(await ask('KEY00'), ['OK']);
    assert.equal(sim.snapshot().mode, 'scan');
    await ask('KEY07');
    assert.equal(sim.snapshot().mode, 'hold');
    assert.deepEqual(await ask('MD'), ['MD03']);
    await ask('KEY07');
    assert.equal(sim.snapshot().mode, 'scan');
    assert.match((await ask('PM007T08511625'))[0] ?? '', /^C007 F08511625 TN D[NF] LF AF RF N000$/);
    assert.equal(sim.snapshot().mode, 'manual', 'a PM write switches to manual (§3.1)');
    assert.deepEqual(await ask('RF01215000'), ['OK']);
    assert.equal(sim.snapshot().mode, 'vfo');
    assert.equal(sim.snapshot().frequencyMHz, 121.5);
  });

  void it('follows v1.05 and family error rules', async () => {
    const { ask } = make();
    assert.deepEqual(await ask('RF'), ['NG'], 'bare RF needs v2.x (§3.1)');
    assert.deepEqual(await ask('RF00600000'), ['NG'], '60 MHz is outside the simulated bands');
    assert.deepEqual(await ask('si'), ['ERR'], 'lower case (§1)');
    assert.deepEqual(await ask('PM000'), ['ERR']);
    assert.deepEqual(await ask('XX'), ['ERR']);
    assert.deepEqual(await ask('SG'), ['ERR'], 'SG is off by default ([UNK] on BCT8)');
  });

  void it('never erases memory on AC (§7.8)', async () => {
    const { ask } = make();
    const before = await ask('PM038');
    assert.deepEqual(await ask('AC'), ['ERR']);
    assert.deepEqual(await ask('PM038'), before);
  });

  void it('emits ID start/end lines with the frequency token when IDN is on (§7.6)', async () => {
    const { sim, clock, out, ask } = make();
    assert.deepEqual(await ask('IDN'), ['OK']);
    sim.program(sim.snapshot().channel, { frequencyMHz: 851.1625, trunk: true });
    out.length = 0;
    sim.transmit(300, '16048');
    await clock.advance(500);
    assert.deepEqual(out, ['ID S 016048 F08511625', 'ID E 016048 F08511625']);
  });

  void it('can send the 3-token ID form and unsolicited squelch reports (QUN)', async () => {
    const { sim, clock, out, ask } = make({ idFrequencyToken: false });
    await ask('IDN');
    await ask('QUN');
    out.length = 0;
    sim.transmit(300, '22000');
    await clock.advance(500);
    assert.deepEqual(out, ['+', 'ID S 022000', 'ID E 022000', '-']);
  });

  void it('garbles replies when asked to, and slows them down', async () => {
    const { sim, ask, clock, out } = make({ garbleRate: 1 });
    const [reply] = await ask('SI');
    assert.ok(reply !== undefined && reply !== 'SI BCT8,0000000000,105');
    sim.behaviour.garbleRate = 0;
    sim.behaviour.replyDelayMs = 400;
    out.length = 0;
    sim.handleLine('SQ');
    await clock.advance(300);
    assert.deepEqual(out, []);
    await clock.advance(200);
    assert.deepEqual(out, ['-']);
  });

  void it('scans and receives transmissions on its own, reproducibly for a seed', async () => {
    const run = async (): Promise<string[]> => {
      const { sim, clock } = make({ seed: 42, activity: 0.2 });
      const seen: string[] = [];
      for (let i = 0; i < 100; i++) {
        await clock.advance(100);
        const s = sim.snapshot();
        seen.push(`${s.channel}:${s.squelchOpen ? '+' : '-'}`);
      }
      return seen;
    };
    const a = await run();
    assert.deepEqual(await run(), a);
    assert.ok(
      a.some((x) => x.endsWith('+')),
      'some transmission happened',
    );
    assert.ok(new Set(a.map((x) => x.split(':')[0])).size > 3, 'it moved across channels');
  });

  void it('loses remote mode and reports on a power cycle', async () => {
    const { sim, ask } = make();
    await ask('IDN');
    sim.powerCycle();
    assert.deepEqual(await ask('SI'), []);
    sim.setRemoteMode(true);
    assert.deepEqual(await ask('ID'), ['IDF']);
  });
});
