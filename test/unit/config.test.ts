// test/unit/config.test.ts: the settings table (each validator's accepted range), parseHostPort, defaults and the whole-config rules of src/config.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AppConfig,
  defaultConfig,
  defaultText,
  effectiveTargetDuration,
  OPTIONS,
  type OptionSpec,
  parseHostPort,
  validateWhole,
} from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { OPTION_CASES } from '../helpers/config-cases.js';

function spec(flag: string): OptionSpec {
  const s = OPTIONS.find((o) => o.flag === flag);
  assert.ok(s, flag);
  return s;
}

function applied(flag: string, raw: string | number | boolean): AppConfig {
  const cfg = defaultConfig();
  spec(flag).apply(cfg, raw);
  return cfg;
}

function whole(patch: Partial<AppConfig>): () => void {
  return () => validateWhole({ ...defaultConfig(), ...patch });
}

describe('OPTIONS', () => {
  it('the test table covers exactly the settings (add a case with every new option)', () => {
    assert.deepEqual(
      OPTION_CASES.map((c) => c.flag),
      OPTIONS.map((o) => o.flag),
    );
  });

  it('flags are --kebab-case, variables SCANNER_HLS_<FLAG>, both unique', () => {
    for (const o of OPTIONS) {
      assert.match(o.flag, /^--[a-z]+(-[a-z]+)*$/);
      assert.equal(o.env, 'SCANNER_HLS_' + o.flag.slice(2).toUpperCase().replace(/-/g, '_'));
    }
    assert.equal(new Set(OPTIONS.map((o) => o.flag)).size, OPTIONS.length);
    assert.equal(new Set(OPTIONS.map((o) => o.env)).size, OPTIONS.length);
  });

  for (const c of OPTION_CASES) {
    it(`${c.flag}: ${JSON.stringify(c.good)} sets ${c.field}; a bad value throws "${c.message}"`, () => {
      assert.deepEqual(applied(c.flag, c.good)[c.field], c.value);
      const bad = c.bad ?? c.badFile;
      assert.ok(bad !== undefined);
      assert.throws(
        () => applied(c.flag, bad),
        (e: unknown) => e instanceof Error && e.message.includes(c.message),
      );
    });
  }

  it('numbers: JSON numbers and padded strings are accepted; blanks, NaN and Infinity are not', () => {
    assert.equal(applied('--window', 8).window, 8);
    assert.equal(applied('--window', ' 8 ').window, 8);
    assert.equal(applied('--segment-duration', 0.5).segmentDurationSec, 0.5);
    assert.equal(applied('--segment-duration', '30').segmentDurationSec, 30);
    for (const bad of ['', ' ', 'NaN', 'Infinity', '8 segments', '2,5']) {
      assert.throws(
        () => applied('--window', bad),
        /must be an integer from 3 to 10000 segments/,
        bad,
      );
    }
    assert.throws(() => applied('--window', 8.5), /must be an integer/);
    assert.throws(() => applied('--segment-duration', 30.01), /from 0.5 to 30 seconds/);
  });

  it('booleans: 1/true/yes/on and 0/false/no/off in any case, and JSON booleans', () => {
    for (const t of ['1', 'true', 'TRUE', 'yes', 'On', true])
      assert.equal(applied('--vod', t).vod, true, String(t));
    for (const f of ['0', 'false', 'No', 'off', false])
      assert.equal(applied('--vod', f).vod, false, String(f));
    assert.throws(() => applied('--vod', 'y'), /must be true or false/);
  });

  it('an empty string clears an optional setting back to none', () => {
    for (const [flag, field] of [
      ['--input', 'input'],
      ['--scanner', 'scanner'],
      ['--labels', 'labels'],
      ['--upload-url', 'uploadUrl'],
      ['--capture', 'capture'],
      ['--ingest-allow', 'ingestAllow'],
    ] as const) {
      assert.equal(applied(flag, '')[field], null, flag);
    }
  });

  it('--scanner sim and bare paths; --http keeps the host (IPv6 unbracketed)', () => {
    assert.equal(applied('--scanner', 'sim').scanner, 'sim');
    assert.equal(applied('--scanner', '/dev/ttyS0').scanner, '/dev/ttyS0');
    const http = applied('--http', '[::1]:8090');
    assert.equal(http.httpHost, '::1');
    assert.equal(http.httpPort, 8090);
  });

  it('string settings refuse JSON numbers and booleans', () => {
    assert.throws(() => applied('--stream', 5), /must be a string/);
    assert.throws(() => applied('--out', false), /must be a string/);
  });
});

describe('parseHostPort', () => {
  it('HOST:PORT, [IPv6]:PORT, and :PORT for every interface', () => {
    assert.deepEqual(parseHostPort('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(parseHostPort('[::1]:80'), { host: '::1', port: 80 });
    assert.deepEqual(parseHostPort(':9000'), { host: '0.0.0.0', port: 9000 });
    assert.deepEqual(parseHostPort('scanner.local:0'), { host: 'scanner.local', port: 0 });
    assert.deepEqual(parseHostPort('h:65535'), { host: 'h', port: 65535 });
  });

  it('a port above 65535, a missing port, or a bad host is refused', () => {
    assert.throws(() => parseHostPort('h:65536'), /port must be from 0 to 65535/);
    for (const bad of ['8080', 'host', 'host:', '[::1]', '::1:80', 'a b:80', 'h:123456']) {
      assert.throws(() => parseHostPort(bad), /must be HOST:PORT/, bad);
    }
  });
});

describe('defaults', () => {
  it('defaultConfig() is a fresh object each time', () => {
    const a = defaultConfig();
    a.window = 99;
    assert.equal(defaultConfig().window, 12);
  });

  it('the README defaults: tcp://0.0.0.0:9999, 0.0.0.0:8080, 1 s segments, window 12, LL-HLS with 0.2 s parts, mp3 32 kbit/s 22.05 kHz mono', () => {
    const d = defaultConfig();
    assert.equal(d.ingest, 'tcp://0.0.0.0:9999');
    assert.equal(`${d.httpHost}:${d.httpPort}`, '0.0.0.0:8080');
    assert.equal(d.segmentDurationSec, 1);
    assert.equal(d.targetDurationSec, 0);
    assert.equal(d.window, 12);
    assert.equal(d.lowLatency, true);
    assert.equal(d.partDurationSec, 0.2);
    assert.deepEqual([d.tlsCert, d.tlsKey], [null, null]);
    assert.deepEqual([d.codec, d.bitrateKbps, d.sampleRate, d.channels], ['mp3', 32, 22050, 1]);
    assert.doesNotThrow(() => validateWhole(d));
  });

  it('defaultText: the words when given, HOST:PORT for --http, (none) for null, else the value', () => {
    assert.equal(defaultText(spec('--http')), '0.0.0.0:8080');
    assert.equal(defaultText(spec('--target-duration')), 'ceil(segment duration)');
    assert.equal(defaultText(spec('--scanner')), '(none)');
    assert.equal(defaultText(spec('--window')), '12');
    assert.equal(defaultText(spec('--vod')), 'false');
  });
});

describe('effectiveTargetDuration', () => {
  it('the configured target, or ceil(segment duration) when it is 0', () => {
    assert.equal(effectiveTargetDuration({ segmentDurationSec: 2, targetDurationSec: 0 }), 2);
    assert.equal(effectiveTargetDuration({ segmentDurationSec: 2.5, targetDurationSec: 0 }), 3);
    assert.equal(effectiveTargetDuration({ segmentDurationSec: 0.5, targetDurationSec: 0 }), 1);
    assert.equal(effectiveTargetDuration({ segmentDurationSec: 2, targetDurationSec: 5 }), 5);
  });
});

describe('validateWhole', () => {
  it('RFC 8216bis §4.4.3.1: a target duration below the segment duration is refused', () => {
    assert.throws(
      whole({ segmentDurationSec: 3, targetDurationSec: 2 }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message === 'invalid --target-duration 2: must be at least the segment duration (3 s)',
    );
    assert.doesNotThrow(whole({ segmentDurationSec: 3, targetDurationSec: 3, window: 3 }));
  });

  it('RFC 8216bis §6.2.2: a window shorter than 3 × target duration is refused, naming the least window', () => {
    assert.throws(
      whole({ window: 3, segmentDurationSec: 1.5 }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message ===
          'invalid --window 3: 3 × 1.5 s is shorter than 3 × target duration (6 s); use at least 4',
    );
    assert.doesNotThrow(whole({ window: 4, segmentDurationSec: 1.5 }));
    assert.doesNotThrow(whole({ window: 3, segmentDurationSec: 2 }), 'exactly 3 × target');
    assert.throws(
      whole({ window: 5, segmentDurationSec: 2, targetDurationSec: 4 }),
      /use at least 6/,
    );
  });

  it('TLS needs both the certificate and the key, naming the one missing', () => {
    assert.throws(
      whole({ tlsCert: '/c.pem' }),
      (e: unknown) =>
        e instanceof ConfigError && e.message === 'invalid --tls-cert: it needs --tls-key as well',
    );
    assert.throws(whole({ tlsKey: '/k.pem' }), /invalid --tls-key: it needs --tls-cert as well/);
    assert.doesNotThrow(whole({ tlsCert: '/c.pem', tlsKey: '/k.pem' }));
  });

  it('RFC 8216bis §4.4.4.9: parts subdivide a segment, so a part may be at most half of one', () => {
    assert.throws(
      whole({ segmentDurationSec: 1, partDurationSec: 0.6 }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message ===
          'invalid --part-duration 0.6: must be at most half the segment duration (0.5 s)',
    );
    assert.doesNotThrow(whole({ segmentDurationSec: 1, partDurationSec: 0.6, lowLatency: false }));
    assert.doesNotThrow(whole({ segmentDurationSec: 2, partDurationSec: 1 }));
  });

  it('the state directory may not be the served directory or inside it', () => {
    for (const [out, stateDir] of [
      ['/srv/hls', '/srv/hls'],
      ['/srv/hls', '/srv/hls/state'],
      ['/srv/hls/', '/srv/hls/./a/../state'],
      ['./segments', 'segments/state'],
    ]) {
      assert.throws(
        whole({ out, stateDir }),
        /invalid --state-dir .*must not lie inside the served --out directory/,
        `${out} ${stateDir}`,
      );
    }
    assert.doesNotThrow(
      whole({ out: '/srv/hls', stateDir: '/srv/hls-state' }),
      'a sibling with the same prefix',
    );
    assert.doesNotThrow(
      whole({ out: '/srv/hls/live', stateDir: '/srv/hls' }),
      'out inside the state dir is fine',
    );
  });

  it('--vod needs --input', () => {
    assert.throws(
      whole({ vod: true }),
      /^ConfigError: invalid --vod: only valid with --input FILE.ts$/,
    );
    assert.doesNotThrow(whole({ vod: true, input: 'x.ts' }));
  });

  it('errors are ConfigError with code config.invalid', () => {
    assert.throws(
      whole({ vod: true }),
      (e: unknown) => e instanceof ConfigError && e.code === 'config.invalid',
    );
  });
});
