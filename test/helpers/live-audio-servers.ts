// test/helpers/live-audio-servers.ts: live-audio test servers (liveAudio on, 2 s segments) and looping low-latency ffmpeg publishers, all stopped after the test file.
import { after } from 'node:test';
import { publishLive, stopProcess } from './media.js';
import { startTestServer, type TestServer } from './server.js';

/** liveServer and publish for one test file; registers the after() hook that stops them all. */
export function liveAudioServers(): {
  liveServer: (over?: Parameters<typeof startTestServer>[0]) => Promise<TestServer>;
  publish: (file: string, s: TestServer) => ReturnType<typeof publishLive>;
} {
  const servers: TestServer[] = [];
  const publishers: ReturnType<typeof publishLive>[] = [];
  after(async () => {
    for (const p of publishers) await stopProcess(p);
    for (const s of servers) await s.close();
  });
  return {
    async liveServer(over = {}) {
      const s = await startTestServer({ liveAudio: true, segmentDurationSec: 2, ...over });
      servers.push(s);
      return s;
    },
    publish(file, s) {
      const p = publishLive(file, s.ingestPort, { loop: true, lowLatency: true });
      publishers.push(p);
      return p;
    },
  };
}
