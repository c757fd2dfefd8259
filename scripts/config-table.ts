// scripts/config-table.ts: prints the README's configuration table from the settings table in src/config.ts.
import { defaultText, OPTIONS } from '../src/config.js';
import { fileKey } from '../src/config-loader.js';

/** The markdown table, one row per setting. */
export function configTable(): string {
  const rows = OPTIONS.map(
    (o) =>
      `| \`${o.flag}\` | \`${o.env}\` | \`${fileKey(o)}\` | ${defaultText(o)} | ${o.describe} |`,
  );
  return [
    '| flag | environment | config file key | default | meaning |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(configTable() + '\n');
