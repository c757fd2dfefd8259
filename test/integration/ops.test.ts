// test/integration/ops.test.ts: /metrics and /healthz on a live server with the simulated scanner; hot reload of --config and --labels.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AppConfig } from '../../src/config.js';
import { loadConfig } from '../../src/config-loader.js';
import { memoryLogger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { makeTs, publishLive, stopProcess } from '../helpers/media.js';
import { tempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/** The value of one sample line of the Prometheus text, e.g. `scanner_hls_listeners`. */
function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
  assert.ok(line, `${name} in /metrics`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('metrics, health and hot reload', () => {
  const dir = tempDir();
  const configFile = join(dir, 'scanner-hls.json');
  const labelsFile = join(dir, 'labels.json');
  const log = memoryLogger();
  let server: RunningServer;
  let base: string;
  let enc: ChildProcess | null = null;
  const argv = [
    '--config',
    configFile,
    '--out',
    join(dir, 'segments'),
    '--state-dir',
    join(dir, 'state'),
    '--http',
    '127.0.0.1:0',
    '--ingest',
    'tcp://127.0.0.1:0',
    '--scanner',
    'sim',
    '--labels',
    labelsFile,
  ];
  const load = (): AppConfig => {
    const r = loadConfig(argv, {});
    assert.equal(r.kind, 'config');
    return { ...r.config };
  };
  const control = async (action: string, body: unknown): Promise<Response> =>
    fetch(`${base}/api/scanner/${action}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.scanner?.token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
  const scannerLabel = async (): Promise<string | null> =>
    ((await (await fetch(`${base}/api/scanner`)).json()) as { label: string | null }).label;

  before(async () => {
    writeFileSync(configFile, JSON.stringify({ segmentDuration: 1, window: 6, logLevel: 'info' }));
    writeFileSync(labelsFile, JSON.stringify({ channels: { '42': 'Fire Dispatch' } }));
    server = await startServer(load(), log, {
      reload: { configFile, load },
      reloadDebounceMs: 20,
    });
    base = `http://127.0.0.1:${server.httpPort}`;
    enc = publishLive(await makeTs('mp3', 10), server.ingestPort, { loop: true });
    await waitFor(() => server.packager.getStatus().segmentsPublished >= 3, 'three segments');
    await waitFor(() => server.scanner?.status().connected, 'the simulated scanner');
  });

  after(async () => {
    if (enc) await stopProcess(enc);
    await server?.close();
  });

  test('GET /metrics: ingest, segments, publish latency, playlist requests, listeners, scanner', async () => {
    for (const ua of ['player-a', 'player-b', 'player-a']) {
      await fetch(`${base}/hls/live.m3u8`, { headers: { 'user-agent': ua } });
    }
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const m = await res.text();
    assert.ok(sample(m, 'scanner_hls_ingest_bytes_total') > 0);
    assert.ok(sample(m, 'scanner_hls_ingest_packets_total') > 0);
    assert.equal(sample(m, 'scanner_hls_ingest_cc_errors_total'), 0);
    assert.equal(sample(m, 'scanner_hls_ingest_resyncs_total'), 0);
    assert.equal(sample(m, 'scanner_hls_ingest_connected'), 1);
    const published = sample(m, 'scanner_hls_segments_published_total');
    assert.ok(published >= 3);
    assert.equal(sample(m, 'scanner_hls_segment_duration_seconds_count'), published);
    // Every segment of a 1 s grid lasts about 1 s.
    const sum = sample(m, 'scanner_hls_segment_duration_seconds_sum');
    assert.ok(Math.abs(sum / published - 1) < 0.1, `mean duration ${sum / published}`);
    assert.equal(sample(m, 'scanner_hls_publish_latency_seconds_count'), published);
    assert.equal(sample(m, 'scanner_hls_playlist_requests_total'), 3);
    assert.equal(sample(m, 'scanner_hls_listeners'), 2);
    assert.equal(sample(m, 'scanner_hls_scanner_connected'), 1);
    assert.ok(sample(m, 'scanner_hls_scanner_command_duration_seconds_count') > 0);
    assert.match(m, /scanner_hls_process_resident_memory_bytes \d+/);
  });

  test('GET /healthz: 200 while publishing, with the last segment age and the scanner', async () => {
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 200);
    const h = (await res.json()) as {
      healthy: boolean;
      state: string;
      lastSegmentAgeSec: number;
      ingest: { connected: boolean };
      scanner: { connected: boolean };
    };
    assert.equal(h.healthy, true);
    assert.equal(h.state, 'ok');
    assert.equal(h.ingest.connected, true);
    assert.ok(h.lastSegmentAgeSec < 3);
    assert.equal(h.scanner.connected, true);
  });

  test('labels name the scanner status and follow edits of the labels file; bad edits are refused', async () => {
    assert.equal((await control('channel', { channel: 42 })).status, 200);
    assert.equal(await scannerLabel(), 'Fire Dispatch');
    const tx = (await (await fetch(`${base}/api/scanner/transmissions`)).json()) as {
      transmissions: { label: string | null }[];
    };
    for (const t of tx.transmissions) assert.ok('label' in t);
    writeFileSync(labelsFile, JSON.stringify({ channels: { '42': 'County Fire' } }));
    await waitFor(async () => (await scannerLabel()) === 'County Fire', 'the new label');
    writeFileSync(labelsFile, '{"channels": {"42": ');
    await waitFor(
      () => log.lines.some((l) => l.level === 'error' && /labels reload refused/.test(l.msg)),
      'the refusal',
    );
    assert.equal(await scannerLabel(), 'County Fire');
  });

  test('config edits: live keys apply, restart-only keys are logged, invalid files are refused', async () => {
    writeFileSync(
      configFile,
      JSON.stringify({ segmentDuration: 2, window: 6, logLevel: 'debug', scannerPollMs: 100 }),
    );
    await waitFor(
      () =>
        log.lines.some((l) => /config reloaded: logLevel="debug", scannerPollMs=100/.test(l.msg)),
      'the reload',
    );
    assert.ok(log.lines.some((l) => /segmentDurationSec changed .* needs a restart/.test(l.msg)));
    assert.equal(server.hotReload.config.logLevel, 'debug');
    assert.equal(server.hotReload.config.segmentDurationSec, 1);
    writeFileSync(configFile, JSON.stringify({ segmentDuration: 1, window: 2, logLevel: 'warn' }));
    await waitFor(
      () => log.lines.some((l) => /config reload refused: invalid --window/.test(l.msg)),
      'the refusal',
    );
    assert.equal(server.hotReload.config.logLevel, 'debug');
  });
});
