// test/helpers/sim-feed.ts: a test server with the simulated scanner (quiet until told to transmit) fed live by ffmpeg up to its first two segments, and the call log read back over HTTP.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CallJson } from '../../src/calls/call-format.js';
import type { AppConfig } from '../../src/config.js';
import type { Logger } from '../../src/logger.js';
import { makeTs, publishLive } from './media.js';
import { startTestServer, type TestServer } from './server.js';
import { waitFor } from './wait.js';

/** The scanner simulator of a test server started with scanner: 'sim'. */
export type Simulator = NonNullable<NonNullable<TestServer['scanner']>['simulator']>;

/** The simulator of s (fails the test when s has none). */
export function simulatorOf(s: TestServer): Simulator {
  const sim = s.scanner?.simulator;
  assert.ok(sim);
  return sim;
}

/**
 * Starts a server with options (scanner: 'sim' among them), silences the simulator's own
 * activity, waits for it to connect, publishes `seconds` of ffmpeg-made `codec` to the ingest
 * port and waits for two segments.
 */
export async function startSimFeed(
  options: Partial<AppConfig>,
  serverOpts: { dir: string; logger?: Logger },
  feed: { codec: 'mp3' | 'aac'; seconds: number },
): Promise<{ s: TestServer; pub: ReturnType<typeof publishLive>; sim: Simulator }> {
  const s = await startTestServer(options, serverOpts);
  const sim = simulatorOf(s);
  sim.behaviour.activity = 0;
  await waitFor(() => s.scanner?.status().connected, 'the simulated scanner');
  // ffmpeg's default muxing: several frames per PES (the segmenter splits them on frame boundaries).
  const pub = publishLive(await makeTs(feed.codec, feed.seconds), s.ingestPort);
  await waitFor(() => s.packager.getStatus().segmentsPublished >= 2, 'two segments', 20_000);
  return { s, pub, sim };
}

/** GET /api/calls: the calls, newest first. */
export async function fetchCalls(baseUrl: string): Promise<CallJson[]> {
  const r = await fetch(`${baseUrl}/api/calls`);
  return ((await r.json()) as { calls: CallJson[] }).calls;
}

/** Waits (20 s at most) for exactly n calls, all closed; newest first. */
export async function closedCalls(baseUrl: string, n: number): Promise<CallJson[]> {
  let list: CallJson[] = [];
  await waitFor(
    async () => {
      list = await fetchCalls(baseUrl);
      return list.length === n && list.every((c) => !c.open);
    },
    `${n} closed calls`,
    20_000,
  );
  return list;
}

/** The files in the call-upload queues under a server's dir (job and audio files). */
export function callUploadQueueFiles(dir: string): string[] {
  const root = join(dir, 'state', 'call-uploads');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((d) => readdirSync(join(root, d)));
}
