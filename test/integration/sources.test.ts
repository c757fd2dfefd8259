// test/integration/sources.test.ts: each --ingest kind against real ffmpeg/GStreamer processes: UDP multicast on loopback, tcp-connect, exec restarts, a looped file read by ffmpeg, and an outage turning into EXT-X-GAP.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { ExecIngest } from '../../src/ingest/exec-ingest.js';
import { memoryLogger } from '../../src/logger.js';
import { ffmpegDecodeErrors, makeTs, stopProcess } from '../helpers/media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const running: TestServer[] = [];
const children: ChildProcess[] = [];
after(async () => {
  for (const c of children) await stopProcess(c);
  for (const s of running) await s.close();
});

async function server(over: Parameters<typeof startTestServer>[0], logger = memoryLogger()) {
  const s = await startTestServer(
    { segmentDurationSec: 1, targetDurationSec: 1, window: 4, ...over },
    { logger },
  );
  running.push(s);
  return s;
}

function child(cmd: string, args: string[]): ChildProcess {
  const c = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(c);
  return c;
}

async function playlist(s: TestServer): Promise<string> {
  const r = await fetch(`${s.baseUrl}/hls/live.m3u8`);
  return r.ok ? r.text() : '';
}

const segmentsIn = (text: string) => text.split('\n').filter((l) => l.endsWith('.ts'));

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const a = srv.address();
  await new Promise((r) => srv.close(r));
  return typeof a === 'object' && a ? a.port : 0;
}

describe('ingest sources (real encoders)', () => {
  it('udp:// multicast on loopback from ffmpeg; an outage lists EXT-X-GAP and says no-signal', async () => {
    const port = 20000 + (process.pid % 20000);
    const group = '239.255.77.1';
    const s = await server({ ingest: `udp://${group}:${port}?localaddr=127.0.0.1` });
    const url = `udp://${group}:${port}?ttl=0&localaddr=127.0.0.1&pkt_size=1316`;
    const ff = child('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi'],
      ...['-i', 'sine=frequency=500:sample_rate=22050', '-ac', '1', '-c:a', 'libmp3lame'],
      ...['-b:a', '32k', '-f', 'mpegts', url],
    ]);
    await waitFor(async () => segmentsIn(await playlist(s)).length >= 3, 'segments from UDP');
    assert.match(s.packager.getStatus().ingest.remote ?? '', /^udp:127\.0\.0\.1:/);
    await stopProcess(ff);
    await waitFor(() => s.packager.getStatus().signal === 'no-signal', 'no-signal');
    const first = await waitFor(async () => {
      const t = await playlist(s);
      return t.includes('#EXT-X-GAP') ? t : null;
    }, 'a GAP segment');
    const msn = (t: string) => Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(t)?.[1]);
    // The playlist keeps moving during the outage.
    await waitFor(async () => msn(await playlist(s)) > msn(first) + 1, 'the window moves on');
    assert.equal(s.packager.getStatus().signal, 'no-signal');
  });

  it('tcp-connect:// pulls from GStreamer tcpserversink, retrying until it listens', async () => {
    const port = await freePort();
    const s = await server({ ingest: `tcp-connect://127.0.0.1:${port}` });
    child('gst-launch-1.0', [
      '-q',
      ...['audiotestsrc', 'is-live=true', '!', 'audioconvert', '!', 'lamemp3enc', 'bitrate=32'],
      ...['!', 'mpegaudioparse', '!', 'mpegtsmux', '!', 'tcpserversink', 'host=127.0.0.1'],
      `port=${port}`,
    ]);
    await waitFor(
      async () => segmentsIn(await playlist(s)).length >= 3,
      'segments pulled over TCP',
    );
    assert.equal(s.packager.getStatus().ingest.remote, `tcp-connect://127.0.0.1:${port}`);
  });

  it('exec: restarts an encoder that exits, logs its stderr, and marks the restart with a discontinuity', async () => {
    const logger = memoryLogger();
    const cmd =
      'ffmpeg -hide_banner -loglevel error -re -f lavfi -i sine=frequency=300:sample_rate=22050:duration=2.5 -ac 1 -c:a libmp3lame -b:a 32k -f mpegts pipe:1; echo "encoder crashed" >&2; exit 3';
    const s = await server({ ingest: `exec:${cmd}` }, logger);
    assert.ok(s.ingest instanceof ExecIngest);
    const ingest = s.ingest;
    const text = await waitFor(
      async () => {
        const t = await playlist(s);
        const after = t.split('#EXT-X-DISCONTINUITY\n')[1] ?? '';
        return ingest.startCount >= 2 && segmentsIn(after).length >= 2 ? t : null;
      },
      'segments after a restart',
      20_000,
    );
    assert.ok(segmentsIn(text).length >= 3);
    assert.ok(logger.lines.some((l) => l.msg === 'encoder: encoder crashed'));
    assert.ok(logger.lines.some((l) => /encoder exited with code 3/.test(l.msg)));
    const pid = ingest.pid;
    await s.close();
    running.splice(running.indexOf(s), 1);
    if (pid) assert.throws(() => process.kill(pid, 0), 'the encoder is gone after close()');
  });

  it('file:…?loop plays past the loop point: ffmpeg reads the live playlist with no error, no discontinuity', async () => {
    const file = await makeTs('mp3', 4);
    const s = await server({ ingest: `file:${file}?loop`, window: 6 });
    await waitFor(async () => segmentsIn(await playlist(s)).length >= 3, 'first segments');
    // 9 s of media from a 4 s file: ffmpeg has to cross the loop point at least twice.
    const errors = await ffmpegDecodeErrors(`${s.baseUrl}/hls/live.m3u8`, ['-t', '9']);
    assert.equal(errors, '');
    const text = await playlist(s);
    assert.ok(!text.includes('#EXT-X-DISCONTINUITY\n'), text);
    assert.ok(s.packager.getStatus().segmentsPublished >= 9);
    assert.equal(s.packager.getStatus().input.ccErrors, 0);
  });
});
