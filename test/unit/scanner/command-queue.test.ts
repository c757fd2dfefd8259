// test/unit/scanner/command-queue.test.ts: CommandQueue: one command outstanding, reply matching, timeout and retries on a fake clock, overruns, unsolicited lines, link failures, timings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type CommandTiming,
  CommandQueue,
  isReplyTo,
  type UnsolicitedLine,
} from '../../../src/scanner/command-queue.js';
import {
  EncodeError,
  parseLine,
  type ScannerCommand,
  type ScannerLine,
} from '../../../src/scanner/protocol.js';
import { ScannerLinkError, ScannerTimeoutError } from '../../../src/scanner/scanner-errors.js';
import type { ScannerTransport, TransportHandlers } from '../../../src/scanner/transport.js';
import { FakeClock } from '../../helpers/fake-clock.js';

/** A transport that records what is written and can be told to fail. */
class FakeTransport implements ScannerTransport {
  readonly description = 'fake';
  isOpen = true;
  readonly written: string[] = [];
  failWrites: string | null = null;

  start(): void {}

  writeLine(text: string): void {
    if (this.failWrites !== null) throw new Error(this.failWrites);
    this.written.push(text);
  }

  subscribe(_h: TransportHandlers): () => void {
    return () => undefined;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const TIMEOUT = 500;

function setup() {
  const clock = new FakeClock();
  const transport = new FakeTransport();
  const unsolicited: UnsolicitedLine[] = [];
  const garbage: string[] = [];
  const timings: CommandTiming[] = [];
  const q = new CommandQueue(transport, clock, TIMEOUT, {
    unsolicited: (l) => unsolicited.push(l),
    garbage: (t) => garbage.push(t),
    completed: (t) => timings.push(t),
  });
  return { clock, transport, q, unsolicited, garbage, timings };
}

/** Tracks a promise's outcome without awaiting it. */
function watch<T>(p: Promise<T>): { value?: T; error?: unknown; settled: () => boolean } {
  const w: { value?: T; error?: unknown; done: boolean; settled: () => boolean } = {
    done: false,
    settled: () => w.done,
  };
  p.then(
    (v) => {
      w.value = v;
      w.done = true;
    },
    (e: unknown) => {
      w.error = e;
      w.done = true;
    },
  );
  return w;
}

const SQ: ScannerCommand = { kind: 'squelch' };
const SI: ScannerCommand = { kind: 'identify' };

describe('CommandQueue: one command at a time (half-duplex)', () => {
  it('sends the first command at once and holds the next until the first is answered', async () => {
    const { q, transport, clock } = setup();
    const a = watch(q.send(SI, 0));
    const b = watch(q.send(SQ, 0));
    const c = watch(q.send({ kind: 'read-channel', channel: 38 }, 0));
    assert.deepEqual(transport.written, ['SI']);
    q.receive('SI BCT8,0000000000,105');
    assert.deepEqual(
      transport.written,
      ['SI', 'SQ'],
      'the next goes out as soon as the reply is in',
    );
    q.receive('-');
    assert.deepEqual(transport.written, ['SI', 'SQ', 'PM038']);
    q.receive('C038 F01249500 TF DF LF AF RF N000');
    await clock.advance(0);
    assert.deepEqual(a.value, {
      type: 'identity',
      model: 'BCT8',
      serial: '0000000000',
      firmware: '105',
    });
    assert.deepEqual(b.value, { type: 'squelch', open: false });
    assert.equal((c.value as Extract<ScannerLine, { type: 'record' }>).record.channel, 38);
  });

  it('a bad command throws before it is queued; the queue goes on', async () => {
    const { q, transport, clock } = setup();
    assert.throws(() => q.send({ kind: 'read-channel', channel: 251 }, 0), EncodeError);
    const ok = watch(q.send(SQ, 0));
    assert.deepEqual(transport.written, ['SQ']);
    q.receive('+');
    await clock.advance(0);
    assert.deepEqual(ok.value, { type: 'squelch', open: true });
  });

  it('NG and ERR answer any command: resolved (the caller decides), reported as rejected', async () => {
    const { q, clock, timings } = setup();
    const a = watch(q.send({ kind: 'goto-channel', channel: 5 }, 0));
    const b = watch(q.send({ kind: 'key', code: '01' }, 0));
    q.receive('NG');
    q.receive('ERR');
    await clock.advance(0);
    assert.deepEqual(a.value, { type: 'ng' });
    assert.deepEqual(b.value, { type: 'err' });
    assert.deepEqual(
      timings.map((t) => [t.command, t.outcome]),
      [
        ['goto-channel', 'rejected'],
        ['key', 'rejected'],
      ],
    );
  });
});

describe('CommandQueue: timeout and retries', () => {
  it('no reply: resent after each timeout, then rejected after 1 + retries attempts', async () => {
    const { q, transport, clock, timings } = setup();
    const t0 = clock.now();
    const r = watch(q.send(SQ, 2));
    await clock.advance(TIMEOUT - 1);
    assert.deepEqual(transport.written, ['SQ'], 'not before the timeout');
    await clock.advance(1);
    assert.deepEqual(transport.written, ['SQ', 'SQ']);
    await clock.advance(TIMEOUT);
    assert.deepEqual(transport.written, ['SQ', 'SQ', 'SQ']);
    assert.equal(r.settled(), false);
    await clock.advance(TIMEOUT);
    assert.ok(r.error instanceof ScannerTimeoutError);
    assert.equal(r.error.message, 'no reply to SQ after 3 attempt(s)');
    assert.equal(r.error.code, 'scanner.timeout');
    assert.deepEqual(timings, [{ command: 'squelch', ms: 3 * TIMEOUT, outcome: 'timeout' }]);
    assert.equal(clock.now() - t0, 3 * TIMEOUT);
    await clock.advance(10 * TIMEOUT);
    assert.equal(transport.written.length, 3, 'nothing more is sent');
  });

  it('retries 0: one attempt only', async () => {
    const { q, transport, clock } = setup();
    const r = watch(q.send(SI, 0));
    await clock.advance(TIMEOUT);
    assert.ok(r.error instanceof ScannerTimeoutError);
    assert.equal(r.error.message, 'no reply to SI after 1 attempt(s)');
    assert.deepEqual(transport.written, ['SI']);
  });

  it('a reply after a resend is taken, and timed from the first transmission', async () => {
    const { q, transport, clock, timings } = setup();
    const r = watch(q.send(SQ, 3));
    await clock.advance(TIMEOUT + 120);
    assert.deepEqual(transport.written, ['SQ', 'SQ']);
    q.receive('+');
    await clock.advance(0);
    assert.deepEqual(r.value, { type: 'squelch', open: true });
    assert.deepEqual(timings, [{ command: 'squelch', ms: TIMEOUT + 120, outcome: 'reply' }]);
    await clock.advance(5 * TIMEOUT);
    assert.equal(transport.written.length, 2, 'the answered command is not resent');
  });

  it('the timeout of one command does not hold up or fire on the next', async () => {
    const { q, transport, clock } = setup();
    const a = watch(q.send(SQ, 0));
    const b = watch(q.send(SI, 0));
    await clock.advance(TIMEOUT);
    assert.ok(a.error instanceof ScannerTimeoutError);
    assert.deepEqual(transport.written, ['SQ', 'SI'], 'the next command goes out on the timeout');
    await clock.advance(TIMEOUT - 1);
    q.receive('SI BCT8,1,105');
    await clock.advance(TIMEOUT * 2);
    assert.equal(b.value?.type, 'identity');
  });

  it('§2.1: an ORER/FER line error counts as a failed attempt and resends at once', async () => {
    const { q, transport, clock } = setup();
    const r = watch(q.send(SQ, 1));
    q.receive('ORER');
    assert.deepEqual(transport.written, ['SQ', 'SQ']);
    q.receive('FER');
    await clock.advance(0);
    assert.ok(r.error instanceof ScannerTimeoutError);
    assert.equal(r.error.message, 'no reply to SQ after 2 attempt(s)');
  });

  it("a resend restarts the timer: the old attempt's timer does not cut the new one short", async () => {
    const { q, transport, clock } = setup();
    const r = watch(q.send(SQ, 1));
    await clock.advance(TIMEOUT - 100);
    q.receive('ORER'); // resent now: a fresh TIMEOUT starts
    await clock.advance(TIMEOUT - 1);
    assert.equal(r.settled(), false);
    assert.equal(transport.written.length, 2);
    await clock.advance(1);
    assert.ok(r.error instanceof ScannerTimeoutError);
  });
});

describe('CommandQueue: lines that are not the reply', () => {
  it('squelch, ID and priority reports go to unsolicited while another command waits', async () => {
    const { q, clock, unsolicited } = setup();
    const r = watch(q.send(SI, 0));
    q.receive('+');
    q.receive('ID S 16048 F08511625');
    q.receive('PST');
    assert.equal(r.settled(), false);
    q.receive('SI BCT8,0000000000,105');
    await clock.advance(0);
    assert.equal(r.value?.type, 'identity');
    assert.deepEqual(unsolicited, [
      { type: 'squelch', open: true },
      { type: 'id', phase: 'start', talkgroup: '16048', frequencyMHz: 851.1625 },
      { type: 'priority', active: true },
    ]);
  });

  it('a squelch line answers SQ rather than being unsolicited', async () => {
    const { q, clock, unsolicited } = setup();
    const r = watch(q.send(SQ, 0));
    q.receive('-');
    await clock.advance(0);
    assert.deepEqual(r.value, { type: 'squelch', open: false });
    assert.deepEqual(unsolicited, []);
  });

  it('reports with nothing pending are unsolicited; anything else is garbage', () => {
    const { q, unsolicited, garbage } = setup();
    q.receive('-');
    q.receive('OK');
    q.receive('ORER');
    q.receive('\u0000\u00ffnoise');
    assert.deepEqual(unsolicited, [{ type: 'squelch', open: false }]);
    assert.deepEqual(garbage, ['OK', 'ORER', '\u0000\u00ffnoise']);
  });

  it("a line that is not this command's reply is garbage and the command keeps waiting", async () => {
    const { q, clock, garbage } = setup();
    const r = watch(q.send({ kind: 'read-channel', channel: 1 }, 0));
    q.receive('MD01');
    q.receive('SI BCT8,1,105');
    assert.equal(r.settled(), false);
    assert.deepEqual(garbage, ['MD01', 'SI BCT8,1,105']);
    q.receive('C001 F01550000 TF DF LF AF RF N000');
    await clock.advance(0);
    assert.equal(r.value?.type, 'record');
  });
});

describe('CommandQueue: link failures', () => {
  it('failAll rejects the pending and every queued command with ScannerLinkError', async () => {
    const { q, clock, transport, timings } = setup();
    const a = watch(q.send(SQ, 0));
    const b = watch(q.send(SI, 0));
    q.failAll('port closed');
    await clock.advance(0);
    for (const w of [a, b]) {
      assert.ok(w.error instanceof ScannerLinkError);
      assert.equal(w.error.message, 'port closed');
      assert.equal(w.error.code, 'scanner.unavailable');
    }
    assert.deepEqual(
      timings.map((t) => t.outcome),
      ['link'],
      'only the sent command is timed',
    );
    await clock.advance(TIMEOUT * 3);
    assert.deepEqual(transport.written, ['SQ'], 'no resend after failAll');
    const c = watch(q.send(SI, 0));
    assert.deepEqual(transport.written, ['SQ', 'SI'], 'the queue works again afterwards');
    q.receive('SI BCT8,1,105');
    await clock.advance(0);
    assert.equal(c.value?.type, 'identity');
  });

  it('a write that throws rejects that command with ScannerLinkError and goes on to the next', async () => {
    const { q, clock, transport, timings } = setup();
    transport.failWrites = 'EIO';
    const a = watch(q.send(SQ, 3));
    const b = watch(q.send(SI, 3));
    await clock.advance(0);
    assert.ok(a.error instanceof ScannerLinkError);
    assert.equal(a.error.message, 'EIO');
    assert.ok(b.error instanceof ScannerLinkError);
    assert.deepEqual(
      timings.map((t) => t.outcome),
      ['link', 'link'],
    );
    transport.failWrites = null;
    const c = watch(q.send(SQ, 0));
    q.receive('+');
    await clock.advance(0);
    assert.equal(c.value?.type, 'squelch');
  });

  it('a write that fails on a resend rejects with ScannerLinkError, not a timeout', async () => {
    const { q, clock, transport } = setup();
    const r = watch(q.send(SQ, 2));
    transport.failWrites = 'unplugged';
    await clock.advance(TIMEOUT);
    assert.ok(r.error instanceof ScannerLinkError);
    assert.equal(r.error.message, 'unplugged');
  });
});

describe('isReplyTo', () => {
  const line = (t: string): ScannerLine => parseLine(t);

  it('§2.1: NG and ERR answer every command', () => {
    const all: ScannerCommand[] = [
      SI,
      SQ,
      { kind: 'current-channel' },
      { kind: 'goto-channel', channel: 1 },
      { kind: 'read-channel', channel: 1 },
      { kind: 'write-channel', channel: 1, frequencyMHz: 155, trunk: false },
      { kind: 'tune', frequencyMHz: 155 },
      { kind: 'mode' },
      { kind: 'key', code: '01' },
      { kind: 'flag', name: 'ID', on: true },
      { kind: 'mute', mode: 'auto' },
      { kind: 'banks', banks: 'ABC' },
    ];
    for (const cmd of all) {
      assert.equal(isReplyTo(cmd, line('NG')), true, cmd.kind);
      assert.equal(isReplyTo(cmd, line('ERR')), true, cmd.kind);
    }
  });

  it('each command kind takes its own reply type', () => {
    const rec = line('C038 F01249500 TF DF LF AF RF N000');
    assert.equal(isReplyTo(SI, line('SI BCT8,1,105')), true);
    assert.equal(isReplyTo(SI, line('OK')), false);
    assert.equal(isReplyTo(SQ, line('+')), true);
    for (const kind of [
      'current-channel',
      'goto-channel',
      'read-channel',
      'write-channel',
    ] as const) {
      const cmd = { kind, channel: 38, frequencyMHz: 124.95, trunk: false } as ScannerCommand;
      assert.equal(isReplyTo(cmd, rec), true, kind);
      assert.equal(isReplyTo(cmd, line('OK')), false, kind);
    }
    assert.equal(isReplyTo({ kind: 'mode' }, line('MD01')), true);
    assert.equal(isReplyTo({ kind: 'mode' }, line('OK')), false);
    assert.equal(isReplyTo({ kind: 'tune', frequencyMHz: 155 }, line('OK')), true);
    assert.equal(isReplyTo({ kind: 'tune', frequencyMHz: 155 }, rec), false);
    assert.equal(isReplyTo({ kind: 'mute', mode: 'on' }, line('OK')), true);
  });

  it('§3.2: SB takes its echoed bank list or a plain OK, not another flag', () => {
    const sb: ScannerCommand = { kind: 'banks', banks: 'ACE' };
    assert.equal(isReplyTo(sb, line('SB ACE')), true);
    assert.equal(isReplyTo(sb, line('OK')), true);
    assert.equal(isReplyTo(sb, line('IDN')), false);
  });
});
