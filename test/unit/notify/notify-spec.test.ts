// test/unit/notify/notify-spec.test.ts: parseNotifySpec: format, comma-list filters, base=, our parameters taken off the URL, one-line errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNotifySpec } from '../../../src/notify/notify-spec.js';

describe('parseNotifySpec', () => {
  it('takes format, filters and base off the URL and keeps the rest', () => {
    const s = parseNotifySpec(
      'https://ntfy.sh/my-scanner?format=ntfy&label=Fire,EMS&talkgroup=2416&talkgroup=100&channel=3,12&base=http://me.local:8080/&auth=x',
    );
    assert.equal(s.url, 'https://ntfy.sh/my-scanner?auth=x');
    assert.equal(s.format, 'ntfy');
    assert.deepEqual(s.filters, {
      talkgroups: ['2416', '100'],
      channels: [3, 12],
      labels: ['fire', 'ems'],
    });
    assert.equal(s.base, 'http://me.local:8080');
    const plain = parseNotifySpec('http://hooks.local/x');
    assert.equal(plain.format, 'json');
    assert.equal(plain.base, null);
    assert.deepEqual(plain.filters, { talkgroups: [], channels: [], labels: [] });
    // A label with a space is written %20 or + (list settings split on whitespace).
    assert.deepEqual(parseNotifySpec('http://h/x?label=Fire+Dispatch').filters.labels, [
      'fire dispatch',
    ]);
  });

  it('refuses bad values with one line naming what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['not a url', /^must be an http:\/\/ or https:\/\/ URL$/],
      ['ftp://x/y', /^must be an http/],
      ['http://x/y?format=xml', /^format must be json or ntfy$/],
      ['http://x/y?channel=a', /^channel=a must be channel numbers/],
      ['http://x/y?base=nope', /^base= must be an http/],
    ];
    for (const [v, re] of cases)
      assert.throws(
        () => parseNotifySpec(v),
        (e: unknown) => e instanceof Error && re.test(e.message),
        v,
      );
  });
});
