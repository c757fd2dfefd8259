// test/unit/readme-commands.test.ts: every scanner-hls command line the README shows is accepted by the config parser, so a newcomer's first copy-paste works.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config-loader.js';

/** Splits a shell command line into words (single and double quotes, a trailing # comment). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: string | null = null;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = null;
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      word ??= '';
    } else if (ch === '#' && word === null) break;
    else if (/\s/.test(ch)) {
      if (word !== null) words.push(word);
      word = null;
    } else word = (word ?? '') + ch;
  }
  if (word !== null) words.push(word);
  return words;
}

/** The scanner-hls arguments of every README code line that runs it (npm start, npm run demo, scanner-hls). */
function readmeCommands(): { line: string; args: string[] }[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const out: { line: string; args: string[] }[] = [];
  let fenced = false;
  for (const raw of readme.split('\n')) {
    if (raw.startsWith('```')) fenced = !fenced;
    // Code only: fenced blocks and 4-space indented blocks.
    if (!fenced && !raw.startsWith('    ')) continue;
    const words = shellWords(raw.trim().replace(/^\$ /, ''));
    let args: string[] | null = null;
    if (
      words[0] === 'npm' &&
      (words[1] === 'start' || (words[1] === 'run' && words[2] === 'demo'))
    ) {
      const dash = words.indexOf('--');
      args = dash >= 0 ? words.slice(dash + 1) : [];
    } else if (words[0] === 'scanner-hls' || (words[0] === 'node' && words[1] === 'dist/main.js'))
      args = words.slice(words[0] === 'node' ? 2 : 1);
    if (args) out.push({ line: raw.trim(), args });
  }
  return out;
}

describe('README command lines', () => {
  it('splits shell words as sh does for the forms the README uses', () => {
    assert.deepEqual(shellWords(`npm start -- --ingest 'udp://x:1?a=b' # note`), [
      'npm',
      'start',
      '--',
      '--ingest',
      'udp://x:1?a=b',
    ]);
    assert.deepEqual(shellWords('a "b c"d'), ['a', 'b cd']);
  });

  it('every one of them parses, with no unknown option or bad value', () => {
    const cmds = readmeCommands();
    assert.ok(cmds.length >= 8, `found ${cmds.length} command lines`);
    for (const { line, args } of cmds) {
      assert.doesNotThrow(() => loadConfig(args, {}), `README: ${line}`);
    }
  });
});
