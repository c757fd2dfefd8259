// test/unit/ingest/capture-command.test.ts: the --capture command builder, and its ffmpeg/GStreamer commands run with a test source in place of the sound card.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { Segmenter } from '../../../src/hls/segmenter.js';
import { buildCaptureCommand, type CaptureSettings } from '../../../src/ingest/capture-command.js';
import { parseIngestSpec } from '../../../src/ingest/ingest-spec.js';
import { scanTimeline } from '../../../src/ingest/ts-timeline.js';
import { firstPesPid, pesTimes } from '../../helpers/ts-bytes.js';

const base: CaptureSettings = {
  capture: 'alsa:hw:0,4',
  codec: 'mp3',
  bitrateKbps: 32,
  sampleRate: 22050,
  channels: 1,
  encoder: 'ffmpeg',
};

/** Runs argv to completion and returns its stdout. */
function run(argv: string[]): Promise<Buffer> {
  const [file = '', ...args] = argv;
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const parts: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => parts.push(d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(Buffer.concat(parts)) : reject(new Error(`${file} exited ${code}`)),
    );
  });
}

/** Codecs of the program in a TS buffer, as the segmenter sees them. */
function codecsOf(ts: Uint8Array): string[] {
  let codecs: string[] = [];
  const seg = new Segmenter({ segmentDurationSec: 1, targetDurationSec: 1, program: null }, (e) => {
    if (e.type === 'program') codecs = e.codecs;
  });
  seg.push(ts, 0);
  return codecs;
}

describe('buildCaptureCommand', () => {
  it('ffmpeg: ALSA device in, MP3 at the asked rate, channels and bitrate, MPEG-TS on stdout', () => {
    assert.equal(
      buildCaptureCommand(base).display,
      'ffmpeg -hide_banner -nostdin -loglevel warning -f alsa -ac 1 -ar 22050 -i hw:0,4 -ac 1 -ar 22050 -c:a libmp3lame -b:a 32k -pes_payload_size 0 -muxdelay 0 -muxpreload 0 -flush_packets 1 -f mpegts pipe:1',
    );
  });

  it('gstreamer: the 2009 shape alsasrc ! lamemp3enc ! mpegaudioparse ! mpegtsmux ! fdsink', () => {
    assert.equal(
      buildCaptureCommand({ ...base, encoder: 'gstreamer' }).display,
      'gst-launch-1.0 -q alsasrc device=hw:0,4 ! audioconvert ! audioresample ! audio/x-raw,rate=22050,channels=1 ! lamemp3enc target=bitrate cbr=true bitrate=32 ! mpegaudioparse ! mpegtsmux ! fdsink fd=1',
    );
  });

  it('pulse sources and AAC', () => {
    const ff = buildCaptureCommand({
      ...base,
      capture: 'pulse:default',
      codec: 'aac',
      channels: 2,
    });
    assert.deepEqual(ff.argv.slice(5, 12), ['-f', 'pulse', '-ac', '2', '-ar', '22050', '-i']);
    assert.ok(ff.argv.includes('aac'));
    const gst = buildCaptureCommand({
      ...base,
      capture: 'pulse:default',
      codec: 'aac',
      encoder: 'gstreamer',
    });
    assert.match(
      gst.display,
      /pulsesrc device=default .* voaacenc bitrate=32000 ! aacparse ! mpegtsmux/,
    );
  });

  it('refuses other capture systems and shell characters in the device', () => {
    assert.throws(() => buildCaptureCommand({ ...base, capture: 'oss:/dev/dsp' }), /alsa:DEVICE/);
    assert.throws(
      () => buildCaptureCommand({ ...base, capture: 'alsa:hw:0;rm -rf /' }),
      /alsa:DEVICE/,
    );
  });

  it('the built ffmpeg command works with a test source instead of the sound card', async () => {
    for (const codec of ['mp3', 'aac'] as const) {
      const argv = buildCaptureCommand({ ...base, codec }).argv;
      const from = argv.indexOf('-f');
      const to = argv.indexOf('-i') + 2;
      argv.splice(from, to - from, '-f', 'lavfi', '-i', 'sine=frequency=600:duration=2');
      const ts = await run(argv);
      assert.deepEqual(codecsOf(ts), [codec]);
      assert.ok(scanTimeline(ts).loopTicks > 1.9 * 90000);
      // Low latency: one frame per PES (a part ends only when the next PES begins).
      const frames = (2 * base.sampleRate) / (codec === 'mp3' ? 576 : 1024);
      const pes = pesTimes(ts, firstPesPid(ts)).length;
      assert.ok(pes >= 0.95 * frames, `${codec}: ${pes} PES for about ${frames} frames`);
    }
  });

  it('the built gst-launch pipeline works with audiotestsrc instead of alsasrc', async () => {
    for (const codec of ['mp3', 'aac'] as const) {
      const argv = buildCaptureCommand({ ...base, codec, encoder: 'gstreamer' }).argv;
      const at = argv.indexOf('alsasrc');
      argv.splice(at, 2, 'audiotestsrc', 'num-buffers=60');
      const ts = await run(argv);
      assert.deepEqual(codecsOf(ts), [codec]);
      assert.ok(scanTimeline(ts).loopTicks > 1 * 90000);
    }
  });
});

describe('parseIngestSpec', () => {
  it('accepts each source form', () => {
    assert.deepEqual(parseIngestSpec('tcp-connect://127.0.0.1:5000'), {
      kind: 'tcp-connect',
      host: '127.0.0.1',
      port: 5000,
    });
    assert.deepEqual(parseIngestSpec('udp://239.1.2.3:5004?localaddr=127.0.0.1'), {
      kind: 'udp',
      host: '239.1.2.3',
      port: 5004,
      multicast: true,
      localAddress: '127.0.0.1',
    });
    assert.deepEqual(parseIngestSpec('file:/tmp/a b.ts?loop'), {
      kind: 'file',
      path: '/tmp/a b.ts',
      loop: true,
    });
    assert.deepEqual(parseIngestSpec('exec:ffmpeg -i x -f mpegts -'), {
      kind: 'exec',
      command: 'ffmpeg -i x -f mpegts -',
    });
  });

  it('explains what it accepts', () => {
    assert.throws(() => parseIngestSpec('rtmp://x:1'), /tcp:\/\/HOST:PORT, tcp-connect/);
    assert.throws(() => parseIngestSpec('udp://0.0.0.0:0'), /fixed port/);
    assert.throws(() => parseIngestSpec('udp://10.0.0.1:5000?localaddr=127.0.0.1'), /multicast/);
    assert.throws(() => parseIngestSpec('exec:  '), /command/);
  });
});
