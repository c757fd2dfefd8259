// test/unit/relay/icecast-request.test.ts: the Icecast source request head (SOURCE and PUT), reply status lines and what they mean, the metadata path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  headEnd,
  metadataPath,
  parseStatusLine,
  replyMeaning,
  sourceRequestHead,
} from '../../../src/relay/icecast-request.js';
import { parseRelaySpec } from '../../../src/relay/relay-spec.js';

const INFO = { sampleRate: 22050, channels: 1, bitrateKbps: 16 };

function headers(head: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of head.split('\r\n').slice(1)) {
    const at = line.indexOf(':');
    if (at > 0) m.set(line.slice(0, at).toLowerCase(), line.slice(at + 1).trim());
  }
  return m;
}

describe('sourceRequestHead', () => {
  it('SOURCE /mount HTTP/1.0 with Basic auth, audio/mpeg and the ice- headers, ending in one blank line', () => {
    const head = sourceRequestHead(
      parseRelaySpec('icecast://source:s3cret@h:8000/feed?name=County%20Fire&genre=Scanner'),
      INFO,
    );
    assert.ok(head.startsWith('SOURCE /feed HTTP/1.0\r\n'));
    assert.ok(head.endsWith('\r\n\r\n'));
    assert.equal(head.indexOf('\r\n\r\n'), head.length - 4);
    const h = headers(head);
    assert.equal(
      h.get('authorization'),
      `Basic ${Buffer.from('source:s3cret').toString('base64')}`,
    );
    assert.equal(h.get('content-type'), 'audio/mpeg');
    assert.equal(h.get('ice-name'), 'County Fire');
    assert.equal(h.get('ice-genre'), 'Scanner');
    assert.equal(h.get('ice-public'), '0');
    assert.equal(h.get('ice-bitrate'), '16');
    assert.equal(h.get('ice-audio-info'), 'samplerate=22050;channels=1;bitrate=16');
    assert.equal(h.has('expect'), false);
    assert.equal(h.has('transfer-encoding'), false, 'never chunked: Icecast 2.4 cannot read it');
    assert.equal(h.has('content-length'), false);
  });

  it('PUT /mount HTTP/1.1 with Host and Expect: 100-continue', () => {
    const head = sourceRequestHead(
      parseRelaySpec('icecast://source:pw@ice.example:80/scanner-1?protocol=put&public=1'),
      INFO,
    );
    assert.ok(head.startsWith('PUT /scanner-1 HTTP/1.1\r\n'));
    const h = headers(head);
    assert.equal(h.get('host'), 'ice.example:80');
    assert.equal(h.get('expect'), '100-continue');
    assert.equal(h.get('content-type'), 'audio/mpeg');
    assert.equal(h.get('ice-public'), '1');
    assert.equal(h.has('ice-name'), false);
  });
});

describe('Icecast replies', () => {
  it('finds the end of a head, CRLF or bare LF', () => {
    assert.equal(headEnd(Buffer.from('HTTP/1.0 200 OK\r\n\r\n'))?.end, 19);
    assert.equal(headEnd(Buffer.from('HTTP/1.0 200 OK\r\n')), null);
    assert.equal(
      headEnd(Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\n'))?.end,
      25,
    );
    assert.equal(headEnd(Buffer.from('HTTP/1.0 200 OK\n\n'))?.end, 17);
  });

  const cases: [line: string, body: string, kind: string, message?: RegExp][] = [
    ['HTTP/1.1 100 Continue', '', 'continue'],
    ['HTTP/1.0 200 OK', '', 'ok'],
    ['ICE/1.0 200 OK', '', 'ok'],
    [
      'HTTP/1.0 401 Authentication Required',
      '',
      'auth',
      /401 Authentication Required: wrong source user or password/,
    ],
    ['HTTP/1.0 403 Mountpoint in use', '', 'in-use', /^403 Mountpoint in use$/],
    ['HTTP/1.0 403 Forbidden', '<html><b>Mountpoint in use</b></html>', 'in-use'],
    ['HTTP/1.0 403 Content-type not supported', '', 'refused', /Content-type not supported/],
    [
      'HTTP/1.0 403 Forbidden',
      '<p>too many sources connected</p>',
      'refused',
      /403 Forbidden \(too many sources connected\)/,
    ],
    ['HTTP/1.0 404 Not Found', '', 'refused', /404/],
  ];
  for (const [line, body, kind, message] of cases) {
    it(`${line}${body ? ' + body' : ''} → ${kind}`, () => {
      const s = parseStatusLine(`${line}\r\nContent-Type: text/html\r\n\r\n`);
      assert.ok(s);
      const m = replyMeaning(s, body);
      assert.equal(m.kind, kind);
      if (message && 'message' in m) assert.match(m.message, message);
    });
  }

  it('a line that is not a status line is null', () => {
    assert.equal(parseStatusLine('SSH-2.0-OpenSSH_9.2\r\n'), null);
    assert.equal(parseStatusLine(''), null);
  });
});

describe('metadataPath', () => {
  it('mode=updinfo with the mount and the song URL-encoded (spaces as %20), UTF-8', () => {
    const p = metadataPath('/feed', 'Fire & EMS 154.430 – Ünit');
    const u = new URL(p, 'http://x');
    assert.equal(u.pathname, '/admin/metadata');
    assert.equal(u.searchParams.get('mount'), '/feed');
    assert.equal(u.searchParams.get('mode'), 'updinfo');
    assert.equal(u.searchParams.get('song'), 'Fire & EMS 154.430 – Ünit');
    assert.equal(u.searchParams.get('charset'), 'UTF-8');
    assert.ok(!p.includes('+') && !p.includes(' '));
  });
});
