// test/unit/call-upload/forms.test.ts: the rdio-scanner and OpenMHz forms built from call rows (for many seeded random calls), the call's number, and how each receiver's replies are judged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callNumber } from '../../../src/call-upload/call-fields.js';
import { openMhzForm, openMhzVerdict } from '../../../src/call-upload/openmhz.js';
import { rdioScannerForm, rdioVerdict } from '../../../src/call-upload/rdio-scanner.js';
import type { CallRow } from '../../../src/calls/call-format.js';
import { seededRandom } from '../../../src/random.js';

function randomCall(r: () => number): CallRow {
  const id = Date.UTC(2026, 0, 1) + Math.floor(r() * 1e10);
  const len = Math.round(r() * 120_000) / 1000;
  const pick = r();
  const talkgroup = pick < 0.4 ? String(1 + Math.floor(r() * 65535)) : pick < 0.5 ? 'ABC' : null;
  const channel = r() < 0.8 ? 1 + Math.floor(r() * 500) : null;
  const freq = r() < 0.9 ? Math.round((25 + r() * 1000) * 1e4) * 100 : null;
  const label = r() < 0.5 ? `Label ${Math.floor(r() * 100)}` : null;
  return {
    id,
    start_time: id / 1000,
    stop_time: (id + len * 1000) / 1000,
    call_length: len,
    freq,
    talkgroup,
    talkgroup_tag: talkgroup !== null ? label : null,
    channel,
    bank: channel === null ? null : 1 + (channel % 10),
    label,
    open: 0,
    codec: 'mp3',
  };
}

const spec = { key: 'KEY', system: '11', systemLabel: null };

describe('callNumber', () => {
  it('is the numeric talkgroup, else the channel, else the frequency in kHz, else null', () => {
    const r = seededRandom(7);
    for (let i = 0; i < 500; i++) {
      const c = randomCall(r);
      const n = callNumber(c);
      if (c.talkgroup !== null && /^\d+$/.test(c.talkgroup)) assert.equal(n, Number(c.talkgroup));
      else if (c.channel !== null) assert.equal(n, c.channel);
      else if (c.freq !== null) assert.equal(n, Math.round(c.freq / 1000));
      else assert.equal(n, null);
      if (n !== null) assert.ok(Number.isInteger(n) && n > 0);
    }
  });
});

describe('rdioScannerForm', () => {
  it('carries key, system, dateTime (Unix seconds), talkgroup, frequency (Hz) and labels', () => {
    const r = seededRandom(11);
    for (let i = 0; i < 300; i++) {
      const c = randomCall(r);
      if (callNumber(c) === null) {
        assert.throws(() => rdioScannerForm(c, spec, { filename: 'a.mp3', type: 'audio/mpeg' }));
        continue;
      }
      const f = new Map(rdioScannerForm(c, spec, { filename: 'a.mp3', type: 'audio/mpeg' }).fields);
      assert.equal(f.get('key'), 'KEY');
      assert.equal(f.get('system'), '11');
      assert.equal(f.get('dateTime'), String(Math.floor(c.id / 1000)));
      assert.match(f.get('dateTime') ?? '', /^\d+$/);
      assert.equal(f.get('timestamp'), String(c.id));
      assert.equal(f.get('talkgroup'), String(callNumber(c)));
      assert.equal(f.get('frequency'), c.freq === null ? undefined : String(c.freq));
      assert.match(f.get('frequency') ?? '0', /^\d+$/);
      assert.equal(f.get('talkgroupLabel'), c.label ?? undefined);
      assert.equal(f.get('audioName'), 'a.mp3');
      assert.equal(f.get('audioType'), 'audio/mpeg');
    }
  });

  it('judges replies as rdio-scanner gives them', () => {
    assert.equal(rdioVerdict(200), 'done');
    assert.equal(rdioVerdict(202), 'done');
    assert.equal(rdioVerdict(401), 'auth');
    assert.equal(rdioVerdict(417), 'reject');
    assert.equal(rdioVerdict(400), 'reject');
    assert.equal(rdioVerdict(429), 'retry');
    assert.equal(rdioVerdict(500), 'retry');
    assert.equal(rdioVerdict(502), 'retry');
  });
});

describe('openMhzForm', () => {
  it("carries trunk-recorder's openmhz_uploader fields, parseable as uploads.js reads them", () => {
    const r = seededRandom(13);
    for (let i = 0; i < 300; i++) {
      const c = randomCall(r);
      if (callNumber(c) === null) continue;
      const form = openMhzForm(c, { key: 'K' }, { ext: 'mp3', type: 'audio/mpeg' });
      const f = new Map(form.fields);
      assert.equal(form.fileField, 'call');
      assert.match(form.filename, /\.mp3$/);
      assert.equal(parseInt(f.get('talkgroup_num') ?? '', 10), callNumber(c));
      assert.equal(parseFloat(f.get('freq') ?? ''), c.freq ?? 0);
      assert.equal(parseInt(f.get('start_time') ?? '', 10), Math.floor(c.start_time));
      assert.equal(parseInt(f.get('stop_time') ?? '', 10), Math.floor(c.stop_time ?? 0));
      assert.equal(parseFloat(f.get('call_length') ?? ''), c.call_length);
      assert.equal(f.get('api_key'), 'K');
      assert.deepEqual(JSON.parse(f.get('source_list') ?? ''), []);
      assert.equal(f.get('emergency'), '0');
    }
  });

  it('judges replies by the texts uploads.js sends with its 500s', () => {
    assert.equal(openMhzVerdict(200, ''), 'done');
    assert.equal(openMhzVerdict(500, 'API Keys do not match!\n'), 'auth');
    assert.equal(openMhzVerdict(500, 'ShortName does not exist: x\n'), 'auth');
    assert.equal(openMhzVerdict(500, 'Error, invalid filename:\n'), 'reject');
    assert.equal(openMhzVerdict(500, 'Error parsing sourcelist SyntaxError'), 'reject');
    assert.equal(openMhzVerdict(500, 'Talkgroup does not exist, skipping.\n'), 'done');
    assert.equal(openMhzVerdict(500, 'Internal Server Error'), 'retry');
    assert.equal(openMhzVerdict(503, ''), 'retry');
  });
});
