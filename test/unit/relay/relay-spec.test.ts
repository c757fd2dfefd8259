// test/unit/relay/relay-spec.test.ts: parseRelaySpec: defaults, options, one-line errors, and the password never shown.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRelaySpec } from '../../../src/relay/relay-spec.js';
import { seededRandom } from '../../../src/random.js';

describe('parseRelaySpec', () => {
  it('reads host, port, mount, credentials; SOURCE, port 8000 and not public by default', () => {
    const s = parseRelaySpec('icecast://source:hack%40me@audio9.broadcastify.com/1234');
    assert.equal(s.host, 'audio9.broadcastify.com');
    assert.equal(s.port, 8000);
    assert.equal(s.mount, '/1234');
    assert.equal(s.user, 'source');
    assert.equal(s.password, 'hack@me');
    assert.equal(s.protocol, 'source');
    assert.equal(s.public, false);
    assert.equal(s.name, undefined);
    assert.equal(s.display, 'icecast://source:***@audio9.broadcastify.com/1234');
  });

  it('reads protocol, name, public, description, genre, url', () => {
    const s = parseRelaySpec(
      'icecast://dj:pw@127.0.0.1:80/feed.mp3?protocol=PUT&name=County%20Fire&public=1&description=d&genre=Scanner&url=https%3A%2F%2Fx.example',
    );
    assert.equal(s.user, 'dj');
    assert.equal(s.port, 80);
    assert.equal(s.mount, '/feed.mp3');
    assert.equal(s.protocol, 'put');
    assert.equal(s.name, 'County Fire');
    assert.equal(s.public, true);
    assert.equal(s.description, 'd');
    assert.equal(s.genre, 'Scanner');
    assert.equal(s.url, 'https://x.example');
  });

  it('a missing user is "source"', () => {
    assert.equal(parseRelaySpec('icecast://:pw@h/m').user, 'source');
  });

  for (const [spec, error] of [
    ['http://source:pw@h/m', /must start with icecast:\/\//],
    ['icecast:nothing', /has no host|must be/],
    ['not a url', /must be icecast:\/\/source:PASSWORD@HOST:PORT\/MOUNT/],
    ['icecast://source@h:8000/m', /needs a password/],
    ['icecast://source:pw@h:8000', /needs a mount starting with '\/'/],
    ['icecast://source:pw@h:8000/', /needs a mount/],
    ['icecast://source:pw@h:99999/m', /must be|port/],
    ['icecast://source:pw@h/m?protocol=ice', /protocol must be put or source, not ice/],
    ['icecast://source:pw@h/m?public=maybe', /public must be 0 or 1/],
    ['icecast://source:pw@h/m?nmae=x', /unknown option nmae/],
    ['icecast://source:pw@h/m?name=a%0D%0Aice-public:%201', /name must be one line/],
  ] as const) {
    it(`refuses ${spec} with one line`, () => {
      assert.throws(
        () => parseRelaySpec(spec),
        (e: unknown) => e instanceof Error && error.test(e.message) && !e.message.includes('\n'),
      );
    });
  }

  it('never shows the password, for many passwords (seeded)', () => {
    const rnd = seededRandom(13);
    const alphabet = "abcXYZ019-_.~!$&'()*+,;=%@:";
    for (let n = 0; n < 500; n++) {
      let pw = '';
      const len = 1 + Math.floor(rnd() * 16);
      for (let k = 0; k < len; k++) pw += alphabet[Math.floor(rnd() * alphabet.length)];
      const spec = `icecast://source:${encodeURIComponent(pw)}@host.example:8000/m?name=n`;
      const s = parseRelaySpec(spec);
      assert.equal(s.password, pw);
      assert.equal(s.display, 'icecast://source:***@host.example:8000/m?name=n');
    }
  });
});
