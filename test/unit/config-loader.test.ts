// test/unit/config-loader.test.ts: loadConfig: precedence (defaults < file < environment < flags), every error naming the flag and its source, --no-x booleans, --config problems, --help.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileKey, helpText, loadConfig } from '../../src/config-loader.js';
import { type AppConfig, defaultConfig, OPTIONS } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { OPTION_CASES } from '../helpers/config-cases.js';

const dir = mkdtempSync(join(tmpdir(), 'scanner-hls-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** Writes a config file (an object as JSON, or raw text) and returns its path. */
function file(content: unknown): string {
  const path = join(dir, `c${files++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function config(argv: string[], env: NodeJS.ProcessEnv = {}): Readonly<AppConfig> {
  const r = loadConfig(argv, env);
  if (r.kind !== 'config') assert.fail(`expected a config, got ${r.kind}`);
  return r.config;
}

/** Asserts loadConfig throws a ConfigError whose message is exactly (or matches) want. */
function refuses(argv: string[], env: NodeJS.ProcessEnv, want: string | RegExp): void {
  assert.throws(
    () => loadConfig(argv, env),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      if (typeof want === 'string') assert.equal(e.message, want);
      else assert.match(e.message, want);
      return true;
    },
  );
}

function option(flag: string): (typeof OPTIONS)[number] {
  const o = OPTIONS.find((x) => x.flag === flag);
  assert.ok(o, flag);
  return o;
}
const envOf = (flag: string): string => option(flag).env;
/** Boolean flags take no separate value word (only --flag, --no-flag and --flag=VALUE). */
const separate = (flag: string, value: string): string[] =>
  option(flag).kind === 'boolean' ? [`${flag}=${value}`] : [flag, value];

describe('loadConfig: sources and precedence', () => {
  it('no flags, no variables: the defaults, frozen', () => {
    const r = loadConfig([], {});
    assert.equal(r.kind, 'config');
    if (r.kind !== 'config') return;
    assert.deepEqual({ ...r.config }, defaultConfig());
    assert.equal(r.configFile, null);
    assert.ok(Object.isFrozen(r.config));
  });

  it('later sources win: defaults < --config file < SCANNER_HLS_* < flags', () => {
    const path = file({ window: 8, stream: 'fromfile', logLevel: 'warn' });
    const env = { SCANNER_HLS_WINDOW: '9', SCANNER_HLS_STREAM: 'fromenv' };
    const all = config(['--config', path, '--window', '10'], env);
    assert.deepEqual([all.window, all.stream, all.logLevel], [10, 'fromenv', 'warn']);
    const noFlag = config(['--config', path], env);
    assert.deepEqual([noFlag.window, noFlag.stream], [9, 'fromenv']);
    const fileOnly = config(['--config', path], {});
    assert.deepEqual([fileOnly.window, fileOnly.stream], [8, 'fromfile']);
  });

  it('a flag given twice: the last one wins', () => {
    assert.equal(config(['--window', '7', '--window=9']).window, 9);
  });

  it('an empty variable counts as unset', () => {
    assert.equal(config([], { SCANNER_HLS_WINDOW: '', SCANNER_HLS_OUT: '' }).window, 12);
  });

  it('SCANNER_HLS_CONFIG names the file when --config is not given; --config wins over it', () => {
    const a = file({ window: 8 });
    const b = file({ window: 12 });
    const r = loadConfig([], { SCANNER_HLS_CONFIG: a });
    assert.ok(r.kind === 'config' && r.config.window === 8 && r.configFile === a);
    const both = loadConfig(['--config', b], { SCANNER_HLS_CONFIG: a });
    assert.ok(both.kind === 'config' && both.config.window === 12 && both.configFile === b);
    assert.equal(config([`--config=${b}`]).window, 12);
  });

  it('file keys are the flags camel-cased; JSON numbers and booleans are taken as such', () => {
    assert.equal(fileKey(option('--segment-duration')), 'segmentDuration');
    assert.equal(fileKey(option('--http')), 'http');
    const c = config([
      '--config',
      file({ segmentDuration: 1, window: 6, vod: true, input: 'x.ts', http: '127.0.0.1:9' }),
    ]);
    assert.deepEqual(
      [c.segmentDurationSec, c.window, c.vod, c.input, c.httpHost, c.httpPort],
      [1, 6, true, 'x.ts', '127.0.0.1', 9],
    );
  });

  for (const c of OPTION_CASES) {
    it(`${c.flag}: the same good value works from a flag, ${envOf(c.flag)} and the file`, () => {
      const needs = c.needs ?? [];
      assert.deepEqual(config([...separate(c.flag, c.good), ...needs])[c.field], c.value, 'flag');
      assert.deepEqual(config([`${c.flag}=${c.good}`, ...needs])[c.field], c.value, 'flag=value');
      assert.deepEqual(config(needs, { [envOf(c.flag)]: c.good })[c.field], c.value, 'variable');
      const key = fileKey(option(c.flag));
      assert.deepEqual(
        config(['--config', file({ [key]: c.good }), ...needs])[c.field],
        c.value,
        'file',
      );
    });
  }
});

describe('loadConfig: every invalid value names the flag and where it came from', () => {
  it('the README example, word for word', () => {
    refuses(
      [],
      { SCANNER_HLS_WINDOW: 'many' },
      'invalid --window (from SCANNER_HLS_WINDOW) "many": must be an integer from 3 to 10000 segments',
    );
  });

  for (const c of OPTION_CASES) {
    it(`${c.flag}: from a flag, ${envOf(c.flag)} and the file`, () => {
      const tail = `: ${c.message}`;
      if (c.bad !== null) {
        const shown = JSON.stringify(c.bad);
        const flagMsg = `invalid ${c.flag} (on the command line) ${shown}`;
        refuses([`${c.flag}=${c.bad}`], {}, new RegExp('^' + escape(flagMsg + tail)));
        if (c.bad !== '') {
          refuses(separate(c.flag, c.bad), {}, new RegExp('^' + escape(flagMsg + tail)));
          const env = envOf(c.flag);
          refuses(
            [],
            { [env]: c.bad },
            new RegExp('^' + escape(`invalid ${c.flag} (from ${env}) ${shown}${tail}`)),
          );
        }
      }
      const bad = c.badFile ?? c.bad;
      assert.ok(bad !== null);
      const path = file({ [fileKey(option(c.flag))]: bad });
      refuses(
        ['--config', path],
        {},
        new RegExp('^' + escape(`invalid ${c.flag} (in ${path}) ${JSON.stringify(bad)}${tail}`)),
      );
    });
  }
});

/** Escapes text for use in a RegExp. */
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

describe('loadConfig: command-line forms', () => {
  it('--vod, --vod=false, --no-vod, and --no-vod over SCANNER_HLS_VOD=true', () => {
    assert.equal(config(['--vod', '--input', 'x.ts']).vod, true);
    assert.equal(config(['--vod=false']).vod, false);
    assert.equal(config(['--vod', '--no-vod']).vod, false);
    assert.equal(
      config(['--no-vod'], { SCANNER_HLS_VOD: 'true', SCANNER_HLS_INPUT: 'x.ts' }).vod,
      false,
    );
    assert.equal(config(['--vod=on', '--input=x.ts']).vod, true);
  });

  it('a boolean flag does not swallow the next argument', () => {
    assert.equal(config(['--vod', '--input', 'x.ts']).input, 'x.ts');
    refuses(['--vod', 'stray'], {}, 'unknown option "stray" (see --help)');
  });

  it('--no-X is refused for a setting that is not a boolean', () => {
    refuses(['--no-window', '5'], {}, /unknown option "--no-window"/);
  });

  it('an unknown flag, and a flag missing its value, are refused by name', () => {
    refuses(['--windows', '5'], {}, 'unknown option "--windows" (see --help)');
    refuses(['--window'], {}, '--window needs a value');
    refuses(['--config'], {}, '--config needs a FILE');
  });

  it('--help and -h ask for help, --version for the version, before any validation', () => {
    assert.deepEqual(loadConfig(['--help'], {}), { kind: 'help' });
    assert.deepEqual(loadConfig(['--window', 'many', '-h'], {}), { kind: 'help' });
    assert.deepEqual(loadConfig(['--version'], { SCANNER_HLS_WINDOW: 'many' }), {
      kind: 'version',
    });
  });

  it('the --help text lists every flag with its variable and default', () => {
    const text = helpText();
    for (const o of OPTIONS) {
      const line = text.split('\n').find((l) => l.startsWith(`  ${o.flag} `));
      assert.ok(line, o.flag);
      assert.ok(line.includes(`env ${o.env}]`), o.flag);
    }
    assert.match(text, /--config FILE/);
  });
});

describe('loadConfig: the --config file', () => {
  it('a missing file names --config and the path', () => {
    const path = join(dir, 'missing.json');
    refuses(['--config', path], {}, new RegExp(`^cannot read --config ${escape(path)}: ENOENT`));
  });

  it('invalid JSON, an array or a string: named as such', () => {
    const broken = file('{"window": 8,');
    refuses(
      ['--config', broken],
      {},
      new RegExp(`^--config ${escape(broken)} is not valid JSON: `),
    );
    for (const text of ['[1, 2]', '"window"', 'null', '42']) {
      const path = file(text);
      refuses(['--config', path], {}, `--config ${path} must hold a JSON object`);
    }
  });

  it('an unknown key is refused with the list of known keys', () => {
    const path = file({ windw: 8 });
    refuses(
      ['--config', path],
      {},
      /^unknown key "windw" in .*; known keys: ingest, ingestAllow, http, out, /,
    );
  });

  it('an object or array value names the flag and the file', () => {
    const path = file({ window: [8] });
    refuses(
      ['--config', path],
      {},
      `invalid --window (in ${path}): must be a string, number or boolean`,
    );
    const obj = file({ stream: { name: 'x' } });
    refuses(
      ['--config', obj],
      {},
      `invalid --stream (in ${obj}): must be a string, number or boolean`,
    );
  });

  it('a file error wins over a bad variable (the file is read first)', () => {
    const path = file({ window: 'lots' });
    refuses(['--config', path], { SCANNER_HLS_WINDOW: 'many' }, /\(in .*\) "lots"/);
  });
});

describe('loadConfig: whole-config rules see the merged result', () => {
  it('§4.4.3.1: --segment-duration 3 --target-duration 2 is refused', () => {
    refuses(
      ['--segment-duration', '3', '--target-duration', '2'],
      {},
      'invalid --target-duration 2: must be at least the segment duration (3 s)',
    );
  });

  it('§6.2.2: the window is checked against the merged segment and target durations', () => {
    refuses(
      ['--window', '3'],
      { SCANNER_HLS_SEGMENT_DURATION: '1.5' },
      /^invalid --window 3: .*use at least 4$/,
    );
    assert.equal(config(['--window', '3']).window, 3);
  });

  it('--state-dir inside --out, from different sources', () => {
    refuses(
      ['--out', '/srv/hls'],
      { SCANNER_HLS_STATE_DIR: '/srv/hls/.state' },
      /^invalid --state-dir \/srv\/hls\/\.state: /,
    );
  });

  it('--vod needs --input, wherever each comes from', () => {
    refuses(['--vod'], {}, 'invalid --vod: only valid with --input FILE.ts');
    assert.equal(config(['--vod'], { SCANNER_HLS_INPUT: 'rec.ts' }).input, 'rec.ts');
  });
});
