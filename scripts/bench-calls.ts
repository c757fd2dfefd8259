// scripts/bench-calls.ts: npm run bench:calls: GET /api/calls per filter kind at 100,000 stored calls (p50/p99 over HTTP), beside the bare SQL query of the same page (the floor), with the ratio.
// Usage: npm run bench:calls -- [--calls 100000] [--requests 300] [--seed 1]
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import Database from 'libsql';
import { parseCallQuery, filterSql } from '../src/calls/call-filter.js';
import { CallService } from '../src/calls/call-service.js';
import { systemClock } from '../src/clock.js';
import { callRoutes } from '../src/http/call-routes.js';
import { nullLogger } from '../src/logger.js';
import { MemoryStore } from '../src/storage/segment-store.js';
import { seededCalls } from '../test/unit/calls/call-fixture.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? def) : def;
}

const CALLS = Number(arg('calls', '100000'));
const REQUESTS = Number(arg('requests', '300'));
const SEED = Number(arg('seed', '1'));
const TARGET_MS = 20;

function quantile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

function getOnce(agent: Agent, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
    }).on('error', reject);
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-calls-'));
  const service = CallService.open({
    stateDir: dir,
    stream: 'live',
    outDir: dir,
    store: new MemoryStore(),
    clock: systemClock,
    logger: nullLogger,
    targetDurationSec: 1,
    retentionSec: 0,
    retentionMaxBytes: 0,
    callsRetentionSec: 0,
    callsMaxBytes: 0,
  });
  const rows = seededCalls(CALLS, SEED);
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += 5000) service.db.upsertCalls(rows.slice(i, i + 5000));
  const fillMs = performance.now() - t0;
  const mid = rows[Math.floor(rows.length / 2)];
  const late = rows[Math.floor(rows.length * 0.9)];
  const iso = (ms: number): string => new Date(ms).toISOString();
  // A cursor deep in the list: the page after 50,000 newer calls.
  const deep = rows[Math.floor(rows.length / 2)]?.id ?? 0;
  const kinds: [string, string][] = [
    ['newest page', ''],
    ['time range', `since=${iso(mid?.id ?? 0)}&until=${iso(late?.id ?? 0)}`],
    ['talkgroup', 'talkgroup=1037'],
    ['channel', 'channel=17'],
    ['frequency', 'frequency=150.0875'],
    ['label', 'label=county%20sheriff'],
    ['text, common', 'q=dispatch'],
    ['text, rare', 'q=Marine%2016'],
    ['text, no match', 'q=zzz-nothing'],
    ['text + channel', 'q=dispatch&channel=17'],
    ['talkgroup + label', 'talkgroup=1037&label=Weather'],
    ['deep cursor', `cursor=${Buffer.from(`c1.${deep}`).toString('base64url')}`],
    ['limit 500', 'limit=500'],
  ];
  const app = express();
  app.use('/api/calls', callRoutes(service, 'live'));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/calls`;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  // The floor: the same page straight from SQLite in this process, with no HTTP or JSON.
  const floorDb = new Database(join(dir, 'calls.db'), { readonly: true });
  console.log(
    `bench:calls: ${CALLS} calls (seed ${SEED}) filled in ${(fillMs / 1000).toFixed(1)} s; ${REQUESTS} sequential requests per kind; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}`,
  );
  console.log(
    `${'filter'.padEnd(20)} ${'rows'.padStart(5)}  ${'API p50'.padStart(8)} ${'API p99'.padStart(8)}  ${'SQL p50'.padStart(8)} ${'SQL p99'.padStart(8)}  p99 ratio  ≤ ${TARGET_MS} ms`,
  );
  let worst = 0;
  for (const [name, query] of kinds) {
    const q = parseCallQuery(new URLSearchParams(query));
    const { from, where, order, params } = filterSql(q);
    const stmt = floorDb.prepare(
      `SELECT c.* FROM ${from} WHERE ${where} ORDER BY ${order} LIMIT ?`,
    );
    const api: number[] = [];
    const sql: number[] = [];
    let count = 0;
    for (let i = 0; i < 10; i++) await getOnce(agent, `${base}?${query}`);
    for (let i = 0; i < REQUESTS; i++) {
      // Alternate, so both see the same machine load.
      const a0 = performance.now();
      const res = await getOnce(agent, `${base}?${query}`);
      api.push(performance.now() - a0);
      if (res.status !== 200) throw new Error(`${name}: HTTP ${res.status} ${res.body}`);
      count = (JSON.parse(res.body) as { calls: unknown[] }).calls.length;
      const s0 = performance.now();
      stmt.all(...params, q.limit + 1);
      sql.push(performance.now() - s0);
    }
    api.sort((a, b) => a - b);
    sql.sort((a, b) => a - b);
    const p99 = quantile(api, 0.99);
    worst = Math.max(worst, p99);
    const f = (v: number): string => `${v.toFixed(2)} ms`.padStart(8);
    console.log(
      `${name.padEnd(20)} ${String(count).padStart(5)}  ${f(quantile(api, 0.5))} ${f(p99)}  ${f(quantile(sql, 0.5))} ${f(quantile(sql, 0.99))}  ${(p99 / Math.max(quantile(sql, 0.99), 0.001)).toFixed(1).padStart(8)}×  ${p99 <= TARGET_MS ? 'yes' : 'NO'}`,
    );
  }
  console.log(`worst API p99: ${worst.toFixed(2)} ms (target ≤ ${TARGET_MS} ms)`);
  agent.destroy();
  server.close();
  floorDb.close();
  await service.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
