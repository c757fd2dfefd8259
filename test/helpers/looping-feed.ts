// test/helpers/looping-feed.ts: an ffmpeg-made MP3 stream published to a test server on a loop, up to its first playlist.
import { makeTs, publishLive } from './media.js';
import type { TestServer } from './server.js';
import { waitFor } from './wait.js';

/** Publishes `seconds` of MP3 to server on a loop and waits (20 s at most) for /hls/live.m3u8. */
export async function startLoopingFeed(
  server: TestServer,
  seconds = 30,
): Promise<ReturnType<typeof publishLive>> {
  const ts = await makeTs('mp3', seconds);
  const publisher = publishLive(ts, server.ingestPort, { loop: true });
  await waitFor(
    async () => (await fetch(`${server.baseUrl}/hls/live.m3u8`)).status === 200,
    'the first playlist',
    20_000,
  );
  return publisher;
}
