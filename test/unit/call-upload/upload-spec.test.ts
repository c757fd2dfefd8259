// test/unit/call-upload/upload-spec.test.ts: parseCallUploadSpec: the endpoint each kind posts to, our parameters taken off, the key masked, one-line errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCallUploadSpec } from '../../../src/call-upload/upload-spec.js';

describe('parseCallUploadSpec', () => {
  it('rdio-scanner: a base gets /api/call-upload; the endpoint is kept as given', () => {
    const a = parseCallUploadSpec('rdio-scanner:http://rdio.local:3000?key=K&system=11');
    assert.equal(a.url, 'http://rdio.local:3000/api/call-upload');
    const b = parseCallUploadSpec(
      'rdio-scanner:http://rdio.local:3000/api/call-upload?key=API_KEY&system=11&systemLabel=County',
    );
    assert.equal(b.url, 'http://rdio.local:3000/api/call-upload');
    assert.deepEqual(
      [b.kind, b.key, b.system, b.systemLabel],
      ['rdio-scanner', 'API_KEY', '11', 'County'],
    );
    assert.equal(
      b.display,
      'rdio-scanner:http://rdio.local:3000/api/call-upload?key=***&system=11&systemLabel=County',
    );
    // Under a path prefix (a reverse proxy), and other query parameters stay.
    const c = parseCallUploadSpec('rdio-scanner:https://x.example/rdio/?key=K&system=2&v=1');
    assert.equal(c.url, 'https://x.example/rdio/api/call-upload?v=1');
  });

  it('openmhz: POST {base}/{shortName}/upload, the short name in lower case', () => {
    const a = parseCallUploadSpec('openmhz:https://api.openmhz.com?key=K&system=KCers');
    assert.equal(a.url, 'https://api.openmhz.com/kcers/upload');
    assert.equal(a.system, 'KCers');
    assert.equal(a.key, 'K');
  });

  it('names one queue per target, stable and without the key', () => {
    const a = parseCallUploadSpec('openmhz:https://api.openmhz.com?key=K1&system=a');
    const b = parseCallUploadSpec('openmhz:https://api.openmhz.com?key=K2&system=a');
    const c = parseCallUploadSpec('openmhz:https://api.openmhz.com?key=K1&system=b');
    assert.equal(a.id, b.id);
    assert.notEqual(a.id, c.id);
    assert.match(a.id, /^openmhz-[0-9a-f]{10}$/);
  });

  it('refuses bad values with one line naming what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['rdio:http://x?key=k&system=1', /^must be rdio-scanner:URL/],
      ['rdio-scanner:not a url', /^rdio-scanner: the URL is not valid$/],
      ['rdio-scanner:ftp://x?key=k&system=1', /must be http:\/\/ or https:\/\//],
      ['rdio-scanner:http://x?system=1', /^rdio-scanner: key= is required/],
      ['rdio-scanner:http://x?key=k', /^rdio-scanner: system= is required \(the system ID\)$/],
      ['rdio-scanner:http://x?key=k&system=0', /system=0 must be the system ID, an integer > 0/],
      ['rdio-scanner:http://x?key=k&system=abc', /system=abc must be the system ID/],
      ['openmhz:http://x?key=k', /^openmhz: system= is required \(the system short name\)$/],
      ['openmhz:http://x?key=k&system=a/b', /must be a short name/],
    ];
    for (const [value, re] of cases) {
      assert.throws(
        () => parseCallUploadSpec(value),
        (e: unknown) => e instanceof Error && re.test(e.message) && !e.message.includes('\n'),
        value,
      );
    }
  });
});
