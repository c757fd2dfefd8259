// test/integration/startup-errors.test.ts: every start-up problem of the user's making is one line naming the setting and the cause, a non-zero exit, and no stack trace.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { assertOneLine, cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/server.js';

const busy: Server[] = [];
after(() => {
  for (const s of busy) s.close();
});

/** A port on 127.0.0.1 that something else holds. */
async function takenPort(): Promise<number> {
  const s = createServer();
  busy.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const a = s.address();
  return typeof a === 'object' && a ? a.port : 0;
}

describe('start-up errors', () => {
  const dir = tempDir();
  const live = (name: string) => [
    '--out',
    join(dir, name, 'seg'),
    '--state-dir',
    join(dir, name, 'state'),
  ];

  it('--input of a missing file', async () => {
    const r = await cli(['--input', '/nonexistent-input.ts', '--vod', '--out', join(dir, 'b')]);
    assert.notEqual(r.code, 0);
    assertOneLine(
      r.stderr,
      /cannot read --input \/nonexistent-input\.ts: no such file or directory/,
    );
  });

  it('--ingest file: of a missing file', async () => {
    const r = await cli([
      '--ingest',
      'file:/nonexistent.ts',
      '--http',
      '127.0.0.1:0',
      ...live('f'),
    ]);
    assert.notEqual(r.code, 0);
    assertOneLine(
      r.stderr,
      /cannot read --ingest file:\/nonexistent\.ts: no such file or directory/,
    );
  });

  it('--http on a port in use', async () => {
    const port = await takenPort();
    const r = await cli([
      '--http',
      `127.0.0.1:${port}`,
      '--ingest',
      'tcp://127.0.0.1:0',
      ...live('h'),
    ]);
    assert.notEqual(r.code, 0);
    assertOneLine(
      r.stderr,
      new RegExp(`cannot listen on --http 127\\.0\\.0\\.1:${port}: address already in use`),
    );
  });

  it('--ingest tcp:// and udp:// on a port in use', async () => {
    const port = await takenPort();
    const r = await cli([
      '--http',
      '127.0.0.1:0',
      '--ingest',
      `tcp://127.0.0.1:${port}`,
      ...live('t'),
    ]);
    assert.notEqual(r.code, 0);
    assertOneLine(
      r.stderr,
      new RegExp(`cannot start --ingest tcp://127\\.0\\.0\\.1:${port}: address already in use`),
    );
  });

  it('an --out that cannot be written', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const r = await cli([
      '--http',
      '127.0.0.1:0',
      '--out',
      join(file, 'seg'),
      '--state-dir',
      join(dir, 'o-state'),
    ]);
    assert.notEqual(r.code, 0);
    assertOneLine(
      r.stderr,
      /cannot write --out .*a-file\/seg: a part of the path is not a directory/,
    );
  });

  it('a --state-dir that cannot be written', async () => {
    const file = join(dir, 'another-file');
    writeFileSync(file, 'x');
    const r = await cli([
      '--http',
      '127.0.0.1:0',
      '--out',
      join(dir, 's-out'),
      '--state-dir',
      join(file, 'st'),
    ]);
    assert.notEqual(r.code, 0);
    assertOneLine(
      r.stderr,
      /cannot write --state-dir .*another-file\/st: a part of the path is not a directory/,
    );
  });

  it('a missing capture device', async () => {
    const r = await cli(['--http', '127.0.0.1:0', '--capture', 'alsa:hw:9,7', ...live('c')]);
    assert.notEqual(r.code, 0);
    assertOneLine(
      r.stderr,
      /cannot start --capture alsa:hw:9,7: no such capture device \(\/dev\/snd\/pcmC9D7c is missing/,
    );
  });

  it('a misspelt flag (the README once said --capture-encoder)', async () => {
    const r = await cli(['--capture-encoder', 'gstreamer']);
    assert.equal(r.code, 2);
    assertOneLine(r.stderr, /unknown option "--capture-encoder"/);
  });
});
