// test/integration/live-audio-aac.test.ts: /live.aac on a real server fed by ffmpeg (decoded by ffmpeg, the bytes of the segments), and listeners ended when the encoder switches codec.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeTs, stopProcess } from '../helpers/media.js';
import { liveAudioServers } from '../helpers/live-audio-servers.js';
import { waitFor } from '../helpers/wait.js';
import { checkInSegments, ffmpegListen, rawGet } from './live-audio-client.js';

const { liveServer, publish } = liveAudioServers();

describe('/live.aac', () => {
  it('serves ADTS that ffmpeg decodes, 409 at /live.mp3, the bytes of the segments', async () => {
    const s = await liveServer();
    publish(await makeTs('aac', 12), s);
    await waitFor(() => s.audio.format(), 'the first audio');
    const mp3 = await fetch(`${s.baseUrl}/live.mp3`);
    assert.equal(mp3.status, 409);
    assert.match(await mp3.text(), /the input is AAC: listen at \/live\.aac/);
    const head = await fetch(`${s.baseUrl}/live.aac`, { method: 'HEAD' });
    assert.equal(head.headers.get('content-type'), 'audio/aac');
    const [heard, raw] = await Promise.all([
      ffmpegListen(`${s.baseUrl}/live.aac`, 3),
      rawGet(`${s.baseUrl}/live.aac`, 3000),
    ]);
    assert.equal(heard.code, 0, heard.stderr);
    assert.equal(heard.stderr, '');
    assert.equal(heard.pcm, 3 * 8000 * 2);
    await checkInSegments(s, raw.body, 'aac');
  });
});

describe('a codec change', () => {
  it('ends /live.mp3 listeners when the encoder comes back with AAC', async () => {
    const s = await liveServer();
    const mp3 = publish(await makeTs('mp3', 12), s);
    const aacFile = await makeTs('aac', 12);
    await waitFor(() => s.audio.format(), 'the first audio');
    const t0 = Date.now();
    const listening = rawGet(`${s.baseUrl}/live.mp3`, 20_000);
    await waitFor(() => s.liveAudio?.stats().listeners === 1, 'the listener');
    await stopProcess(mp3);
    publish(aacFile, s);
    const { body } = await listening;
    assert.ok(Date.now() - t0 < 15_000, 'ended, not left to time out');
    assert.equal(s.audio.format()?.codec, 'aac');
    // What it got was MP3 only: the first frame is an MPEG audio header, not ADTS.
    assert.equal(body[0], 0xff);
    assert.notEqual(body[1] & 0xf6, 0xf0);
    assert.equal((await fetch(`${s.baseUrl}/live.mp3`)).status, 409);
  });
});
