// test/unit/readme.test.ts: the README's configuration table is the one generated from src/config.ts, so docs cannot drift.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { configTable } from '../../scripts/config-table.js';

describe('README', () => {
  it('carries the configuration table generated from the settings (npx tsx scripts/config-table.ts)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    assert.ok(
      readme.includes(configTable()),
      'README config table is stale: paste the output of npx tsx scripts/config-table.ts',
    );
  });
});
