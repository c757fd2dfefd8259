// test/unit/node-flags.test.ts: every way the project starts its server runs node with the same V8 flags (README "When to put nginx in front" says why), and the shebang form really starts node.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = new URL('../..', import.meta.url).pathname;
const FLAGS = '--no-memory-reducer';
const read = (p: string): string => readFileSync(join(ROOT, p), 'utf8');

describe('node flags of the server', () => {
  it('npm start, npm run demo, both shebangs and the systemd unit pass --no-memory-reducer', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> })
      .scripts;
    assert.equal(scripts.start, `node ${FLAGS} dist/main.js`);
    assert.equal(scripts.demo, `node ${FLAGS} dist/demo.js`);
    for (const f of ['src/main.ts', 'src/demo.ts'])
      assert.equal(read(f).split('\n')[0], `#!/usr/bin/env -S node ${FLAGS}`, f);
    assert.match(
      read('deploy/systemd/scanner-hls.service'),
      new RegExp(`^ExecStart=/usr/bin/node ${FLAGS} /opt/scanner-hls/dist/main\\.js$`, 'm'),
    );
    assert.match(read('scripts/bench-http.ts'), new RegExp(`SERVER_NODE_FLAGS = \\['${FLAGS}'\\]`));
  });

  it('the env -S shebang starts node with the flag (V8 accepts it)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shls-shebang-'));
    const script = join(dir, 'probe.mjs');
    writeFileSync(
      script,
      `${read('src/main.ts').split('\n')[0]}\nconsole.log(JSON.stringify(process.execArgv));\n`,
    );
    chmodSync(script, 0o755);
    const env = {
      ...process.env,
      PATH: `${join(process.execPath, '..')}:${process.env.PATH ?? ''}`,
    };
    assert.deepEqual(JSON.parse(execFileSync(script, { env, encoding: 'utf8' })), [FLAGS]);
  });
});
