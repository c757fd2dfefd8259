// test/unit/calls/call-format.test.ts: the Call JSON of the API contract, CSV (RFC 4180 quoting) and NDJSON lines, and transmissions → rows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  callJson,
  type CallRow,
  csvHeader,
  csvLine,
  ndjsonLine,
} from '../../../src/calls/call-format.js';
import { CallDiff, closeStale, transmissionRow } from '../../../src/calls/call-recorder.js';
import type { Labelled } from '../../../src/scanner/scanner-service.js';
import type { Transmission } from '../../../src/scanner/transmission-log.js';

const tx = (over: Partial<Labelled<Transmission>> = {}): Labelled<Transmission> => ({
  start: '2025-12-02T13:33:20.123Z',
  end: '2025-12-02T13:33:24.500Z',
  durationSec: 4.4,
  frequencyMHz: 154.415,
  channel: 12,
  bank: 1,
  talkgroup: '2416',
  label: 'Fire Dispatch',
  ...over,
});

describe('transmissionRow', () => {
  it('keys the call by its start in ms and keeps trunk-recorder units', () => {
    const row = transmissionRow(tx(), 'mp3');
    assert.deepEqual(row, {
      id: 1764682400123,
      start_time: 1764682400.123,
      stop_time: 1764682404.5,
      call_length: 4.377,
      freq: 154415000,
      talkgroup: '2416',
      talkgroup_tag: 'Fire Dispatch',
      channel: 12,
      bank: 1,
      label: 'Fire Dispatch',
      open: 0,
      codec: 'mp3',
    });
    const open = transmissionRow(
      tx({ end: null, durationSec: null, talkgroup: null, frequencyMHz: null }),
      null,
    );
    assert.equal(open.open, 1);
    assert.equal(open.stop_time, null);
    assert.equal(open.call_length, null);
    assert.equal(open.talkgroup_tag, null, 'no talkgroup, no talkgroup tag');
    assert.equal(open.freq, null);
  });
});

describe('CallDiff', () => {
  it('writes a call when it opens, when it changes and when it closes, never twice the same', () => {
    const d = new CallDiff();
    const opened = tx({ end: null, durationSec: null, talkgroup: null });
    assert.equal(d.changed([opened], 'mp3').length, 1);
    assert.equal(d.changed([opened], 'mp3').length, 0, 'the same log again writes nothing');
    assert.equal(d.changed([opened], 'aac').length, 0, 'a codec change is not the call changing');
    const withTg = { ...opened, talkgroup: '2416' };
    assert.deepEqual(
      d.changed([withTg], 'mp3').map((r) => r.talkgroup),
      ['2416'],
    );
    const next = tx({ start: '2025-12-02T13:34:00.000Z', end: null, durationSec: null });
    const closed = { ...withTg, end: '2025-12-02T13:33:24.500Z', durationSec: 4.4 };
    const rows = d.changed([next, closed], 'mp3');
    assert.deepEqual(
      rows.map((r) => [r.id, r.open]),
      [
        [Date.parse(next.start), 1],
        [Date.parse(closed.start), 0],
      ],
    );
    d.forget(Date.parse(next.start));
    assert.equal(d.changed([next, closed], 'mp3').length, 1, 'a forgotten row is written again');
  });
});

describe('closeStale', () => {
  it('ends a call left open where the next call starts or the media ends, never before its start', () => {
    const open = { ...transmissionRow(tx({ end: null, durationSec: null }), 'mp3') };
    const id = open.id;
    const [a] = closeStale([open], () => id + 3000, id + 9000);
    assert.equal(a.open, 0);
    assert.equal(a.call_length, 3);
    const [b] = closeStale([open], () => null, id + 2500);
    assert.equal(b.stop_time, (id + 2500) / 1000);
    const [c] = closeStale([open], () => null, id - 5000);
    assert.equal(c.call_length, 0);
  });
});

describe('callJson and exports', () => {
  const row: CallRow = transmissionRow(tx({ label: 'Fire, "North"' }), 'aac');

  it('is the API contract: id as digits, seconds, Hz, open, playlist and audio links', () => {
    assert.deepEqual(callJson(row, { fromMs: row.id - 1 }), {
      id: '1764682400123',
      start_time: 1764682400.123,
      stop_time: 1764682404.5,
      call_length: 4.377,
      freq: 154415000,
      talkgroup: '2416',
      talkgroup_tag: 'Fire, "North"',
      channel: 12,
      bank: 1,
      label: 'Fire, "North"',
      open: false,
      m3u8: '/api/calls/1764682400123.m3u8',
      audio: '/api/calls/1764682400123.aac',
    });
    const mp3 = { ...row, codec: 'mp3' };
    assert.equal(callJson(mp3, { fromMs: 0 }).audio, '/api/calls/1764682400123.mp3');
  });

  it('has no links once the audio is no longer kept', () => {
    const gone = callJson(row, { fromMs: row.id + 10_000 });
    assert.equal(gone.m3u8, null);
    assert.equal(gone.audio, null);
    assert.equal(callJson(row, { fromMs: null }).m3u8, null);
    // Its end is still on disk: the tail can be played.
    assert.notEqual(callJson(row, { fromMs: row.id + 4000 }).m3u8, null);
  });

  it('writes CSV with RFC 4180 quoting and empty nulls, NDJSON one object a line', () => {
    const call = callJson({ ...row, channel: null }, { fromMs: null });
    assert.equal(
      csvHeader(),
      'id,start_time,stop_time,call_length,freq,talkgroup,talkgroup_tag,channel,bank,label,open,m3u8,audio\r\n',
    );
    assert.equal(
      csvLine(call),
      '1764682400123,1764682400.123,1764682404.5,4.377,154415000,2416,"Fire, ""North""",,1,"Fire, ""North""",false,,\r\n',
    );
    // A label a spreadsheet would run as a formula is written as text.
    for (const label of ['=HYPERLINK("http://x")', '+1', '-2+3', '@SUM(A1)']) {
      const cells = csvLine(callJson({ ...row, label }, { fromMs: null })).split(',');
      assert.ok(
        cells.some(
          (c) => c.startsWith(`'${label.slice(0, 2)}`) || c.startsWith(`"'${label.slice(0, 2)}`),
        ),
        label,
      );
      assert.ok(
        !cells.some(
          (c) => c.startsWith(label.slice(0, 1)) || c.startsWith(`"${label.slice(0, 1)}`),
        ),
        label,
      );
    }
    const line = ndjsonLine(call);
    assert.ok(line.endsWith('}\n') && !line.slice(0, -1).includes('\n'));
    assert.deepEqual(JSON.parse(line), call);
  });
});
