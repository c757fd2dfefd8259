// test/unit/scanner/protocol.test.ts: the pure codec against the reply examples in shared/reference/bct8-protocol.md.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EncodeError,
  bankOfChannel,
  decodeFrequency,
  encodeCommand,
  encodeFrequency,
  formatChannelRecord,
  formatFirmware,
  parseChannelRecord,
  parseLine,
  splitLines,
  type ScannerCommand,
} from '../../../src/scanner/protocol.js';

void describe('§2.3 frequency encoding', () => {
  void it('encodes the reference examples in 100 Hz units', () => {
    assert.equal(encodeFrequency(851.1625), '08511625');
    assert.equal(encodeFrequency(121.5), '01215000');
    assert.equal(encodeFrequency(124.95), '01249500');
    assert.equal(encodeFrequency(0), '00000000');
  });

  void it('truncates below 100 Hz like the family (446.00625 → 04460062)', () => {
    assert.equal(encodeFrequency(446.00625), '04460062');
  });

  void it('decodes 8 digits and refuses anything else', () => {
    assert.equal(decodeFrequency('08511625'), 851.1625);
    assert.equal(decodeFrequency('01249500'), 124.95);
    assert.equal(decodeFrequency('0851162'), null);
    assert.equal(decodeFrequency('0851162A'), null);
  });

  void it('refuses values that cannot be encoded', () => {
    for (const v of [-1, 10000, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => encodeFrequency(v), EncodeError);
    }
  });
});

void describe('§2.4 channel record', () => {
  void it('parses the BCT8 example from S1', () => {
    assert.deepEqual(parseChannelRecord('C038 F01249500 TF DF LF AF RF N000'), {
      channel: 38,
      bank: 1,
      frequencyMHz: 124.95,
      trunk: false,
      delay: false,
      lockout: false,
      attenuator: false,
      record: false,
      tone: 0,
    });
  });

  void it('reads flags, the bank (ceil(ch/50), §4.3) and an empty channel', () => {
    const r = parseChannelRecord('C201 F08511625 TN DN LF AF RF N000');
    assert.equal(r?.trunk, true);
    assert.equal(r?.delay, true);
    assert.equal(r?.bank, 5);
    const empty = parseChannelRecord('C250 F00000000 TF DF LN AF RF N000');
    assert.equal(empty?.frequencyMHz, 0);
    assert.equal(empty?.lockout, true);
    assert.equal(bankOfChannel(50), 1);
    assert.equal(bankOfChannel(51), 2);
  });

  void it('round-trips through formatChannelRecord', () => {
    const line = 'C038 F01249500 TF DN LN AF RF N000';
    const r = parseChannelRecord(line);
    assert.ok(r);
    assert.equal(formatChannelRecord(r), line);
  });

  void it('rejects channel 000 and malformed records', () => {
    assert.equal(parseChannelRecord('C000 F01249500 TF DF LF AF RF N000'), null);
    assert.equal(parseChannelRecord('C038 F0124950 TF'), null);
    assert.equal(parseChannelRecord('C038F01249500'), null);
  });
});

void describe('§8 reply classification', () => {
  void it('classifies generic replies', () => {
    assert.deepEqual(parseLine('OK'), { type: 'ok' });
    assert.deepEqual(parseLine('NG'), { type: 'ng' });
    assert.deepEqual(parseLine('ERR'), { type: 'err' });
    assert.deepEqual(parseLine('ORER'), { type: 'overrun', text: 'ORER' });
    assert.deepEqual(parseLine('FER'), { type: 'overrun', text: 'FER' });
  });

  void it('parses SI from the BCT8 and a sibling', () => {
    assert.deepEqual(parseLine('SI BCT8,0000000000,105'), {
      type: 'identity',
      model: 'BCT8',
      serial: '0000000000',
      firmware: '105',
    });
    const sib = parseLine('SI Model:UB343ZH(UBC785XLT),0000000000,107');
    assert.equal(sib.type === 'identity' && sib.model, 'Model:UB343ZH(UBC785XLT)');
    assert.equal(formatFirmware('105'), '1.05');
  });

  void it('parses squelch, priority and mode lines', () => {
    assert.deepEqual(parseLine('+'), { type: 'squelch', open: true });
    assert.deepEqual(parseLine('-'), { type: 'squelch', open: false });
    assert.deepEqual(parseLine('PST'), { type: 'priority', active: true });
    assert.deepEqual(parseLine('MD01'), { type: 'mode', raw: 1 });
    assert.deepEqual(parseLine('SB ABCDE'), { type: 'flag', name: 'SB', value: 'ABCDE' });
    assert.deepEqual(parseLine('MUA'), { type: 'flag', name: 'MU', value: 'A' });
  });

  void it('parses ID lines in the 3-token family form and the 4-token BCT8 form (§3.1)', () => {
    assert.deepEqual(parseLine('ID S 016048'), {
      type: 'id',
      phase: 'start',
      talkgroup: '16048',
      frequencyMHz: null,
    });
    assert.deepEqual(parseLine('ID E 016048 F08511625'), {
      type: 'id',
      phase: 'end',
      talkgroup: '16048',
      frequencyMHz: 851.1625,
    });
    const typeI = parseLine('ID S 100-14');
    assert.equal(typeI.type === 'id' && typeI.talkgroup, '100-14');
  });

  void it('calls everything else "other"', () => {
    assert.equal(parseLine('S#\x01 BC').type, 'other');
    assert.equal(parseLine('C03 F0124').type, 'other');
  });
});

void describe('command encoding', () => {
  const cases: [ScannerCommand, string][] = [
    [{ kind: 'identify' }, 'SI'],
    [{ kind: 'squelch' }, 'SQ'],
    [{ kind: 'current-channel' }, 'MA'],
    [{ kind: 'goto-channel', channel: 38 }, 'MA038'],
    [{ kind: 'read-channel', channel: 250 }, 'PM250'],
    [{ kind: 'write-channel', channel: 89, frequencyMHz: 851.1625, trunk: true }, 'PM089T08511625'],
    [{ kind: 'write-channel', channel: 1, frequencyMHz: 0, trunk: false }, 'PM001 00000000'],
    [{ kind: 'tune', frequencyMHz: 121.5 }, 'RF01215000'],
    [{ kind: 'key', code: '07' }, 'KEY07'],
    [{ kind: 'key', code: '02 5' }, 'KEY02 5'],
    [{ kind: 'flag', name: 'ID', on: true }, 'IDN'],
    [{ kind: 'flag', name: 'LO', on: false }, 'LOF'],
    [{ kind: 'mute', mode: 'auto' }, 'MUA'],
    [{ kind: 'banks', banks: 'eca' }, 'SB ACE'],
  ];
  for (const [cmd, text] of cases) {
    void it(`${JSON.stringify(cmd)} → ${text}`, () => assert.equal(encodeCommand(cmd), text));
  }

  void it('refuses out-of-range and injected values', () => {
    const bad: ScannerCommand[] = [
      { kind: 'goto-channel', channel: 0 },
      { kind: 'goto-channel', channel: 251 },
      { kind: 'goto-channel', channel: 1.5 },
      { kind: 'tune', frequencyMHz: 0 },
      { kind: 'tune', frequencyMHz: Number.NaN },
      { kind: 'key', code: '07\rAC' },
      { kind: 'banks', banks: 'A\rAC' },
      { kind: 'banks', banks: 'F' },
      { kind: 'flag', name: 'AC' as 'ID', on: true },
    ];
    for (const cmd of bad)
      assert.throws(() => encodeCommand(cmd), EncodeError, JSON.stringify(cmd));
  });
});

void describe('§1 line framing', () => {
  void it('splits on CR, tolerates LF and keeps the unterminated rest', () => {
    assert.deepEqual(splitLines('', 'OK\rSI BCT8'), { lines: ['OK'], rest: 'SI BCT8' });
    assert.deepEqual(splitLines('SI BCT8', ',0000000000,105\r\n+\r\r'), {
      lines: ['SI BCT8,0000000000,105', '+'],
      rest: '',
    });
    assert.deepEqual(splitLines('', '\n-\n'), { lines: ['-'], rest: '' });
  });

  void it('drops an overlong unterminated burst', () => {
    assert.equal(splitLines('', 'x'.repeat(1000)).rest, '');
  });
});
