// test/integration/live-audio.test.ts: /live.mp3 on a real server fed by ffmpeg: ffmpeg as the client across an encoder reconnect, the burst, ICY titles from the simulated scanner, and bytes out equal to the segments' frames.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ICY_METAINT, icyTitleText, parseIcyStream } from '../../src/live-audio/icy.js';
import { makeTs, stopProcess } from '../helpers/media.js';
import { liveAudioServers } from '../helpers/live-audio-servers.js';
import { waitFor } from '../helpers/wait.js';
import { checkInSegments, ffmpegListen, ffprobeTags, header, rawGet } from './live-audio-client.js';

const { liveServer, publish } = liveAudioServers();

describe('/live.mp3', () => {
  it('is 503 before the input, MP3 headers after, 409 at /live.aac; ffmpeg decodes it across an encoder reconnect', async () => {
    const s = await liveServer();
    const early = await fetch(`${s.baseUrl}/live.mp3`);
    assert.equal(early.status, 503);
    assert.ok(Number(early.headers.get('retry-after')) > 0);
    assert.match(await early.text(), /no audio yet/);

    const file = await makeTs('mp3', 12);
    let pub = publish(file, s);
    await waitFor(() => s.audio.format(), 'the first audio');

    const head = await fetch(`${s.baseUrl}/live.mp3`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-type'), 'audio/mpeg');
    assert.equal(head.headers.get('content-length'), null);
    assert.equal(head.headers.get('access-control-allow-origin'), '*');
    assert.match(head.headers.get('cache-control') ?? '', /no-cache/);
    assert.equal(head.headers.get('icy-name'), 'live');
    assert.equal(head.headers.get('icy-br'), '128');
    assert.equal(head.headers.get('icy-metaint'), null, 'only when asked for');
    const icyHead = await fetch(`${s.baseUrl}/live.mp3`, {
      method: 'HEAD',
      headers: { 'Icy-MetaData': '1' },
    });
    assert.equal(icyHead.headers.get('icy-metaint'), String(ICY_METAINT));

    const aac = await fetch(`${s.baseUrl}/live.aac`);
    assert.equal(aac.status, 409);
    assert.match(await aac.text(), /the input is MP3: listen at \/live\.mp3/);

    // Close-delimited, not chunked: the body is the audio and nothing else.
    const raw = await rawGet(`${s.baseUrl}/live.mp3`, 300);
    assert.match(raw.head, /^HTTP\/1\.1 200/);
    assert.equal(header(raw.head, 'transfer-encoding'), null);
    assert.equal(header(raw.head, 'connection'), 'close');
    assert.equal(raw.body[0], 0xff, 'starts on a frame header');

    // ffmpeg listens for 8 s; the encoder goes away at 2 s and comes back 2 s later.
    const listening = ffmpegListen(`${s.baseUrl}/live.mp3`, 8);
    await new Promise((r) => setTimeout(r, 2000));
    await stopProcess(pub);
    await new Promise((r) => setTimeout(r, 2000));
    pub = publish(file, s);
    const heard = await listening;
    assert.equal(heard.code, 0, heard.stderr);
    assert.equal(heard.stderr, '', 'no decode errors');
    // 8 s of 8 kHz 16-bit mono: the gap was filled, the stream never ended.
    assert.equal(heard.pcm, 8 * 8000 * 2);
    // ffmpeg has exited; the server sees its socket close a moment later (one CI run checked first).
    await waitFor(() => s.liveAudio?.stats().listeners === 0, 'the listener to be gone', 5000);
    assert.equal(s.liveAudio?.stats().listeners, 0);
  });

  it('starts at the live edge with under 1 s of audio, then keeps real time', async () => {
    const s = await liveServer();
    publish(await makeTs('mp3', 12), s);
    await waitFor(
      () => s.audio.recent(2).reduce((n, c) => n + c.durationSec, 0) >= 2,
      '2 s of audio',
    );
    const perSec = 128_000 / 8;
    const { body, arrivals } = await rawGet(`${s.baseUrl}/live.mp3`, 3000);
    const first = arrivals.filter((a) => a.atMs <= 200).reduce((n, a) => n + a.bytes, 0);
    assert.ok(first > 0.3 * perSec, `burst ${first} B`);
    assert.ok(first <= perSec, `burst ${first} B is over 1 s of audio`);
    // 3 s of listening: the burst plus about 3 s, never far ahead of real time.
    assert.ok(body.length <= 4 * perSec, `${body.length} B in 3 s`);
    assert.ok(body.length >= 2.5 * perSec, `${body.length} B in 3 s`);
  });

  it('sends the bytes of the segments: the ES a listener gets is in ffmpeg’s demux of the same segments', async () => {
    const s = await liveServer();
    publish(await makeTs('mp3', 12), s);
    await waitFor(() => s.audio.format(), 'the first audio');
    const { body } = await rawGet(`${s.baseUrl}/live.mp3`, 3000);
    await checkInSegments(s, body, 'mp3');
  });
});

describe('ICY metadata', () => {
  it('carries the scanner’s title every icy-metaint bytes when asked for', async () => {
    const s = await liveServer({ scanner: 'sim' });
    publish(await makeTs('mp3', 12), s);
    await waitFor(() => s.audio.format(), 'the first audio');
    // A transmission that starts now (1-5 s long), so it is still on the air at the first block.
    let started = false;
    const offStart = s.title.onChange((t) => (started ||= t !== null));
    await waitFor(() => started, 'a transmission on the simulated scanner', 40_000);
    offStart();
    const seen = new Set<string>([icyTitleText(s.title.current())]);
    const off = s.title.onChange((t) => seen.add(icyTitleText(t)));
    const [{ head, body }, probed] = await Promise.all([
      rawGet(`${s.baseUrl}/live.mp3`, 3000, { 'Icy-MetaData': '1' }),
      // ffmpeg asks for ICY metadata itself (its http -icy option is on by default).
      ffprobeTags(`${s.baseUrl}/live.mp3`),
    ]);
    off();
    assert.equal(probed['icy-name'], 'live');
    assert.ok(seen.has(probed.StreamTitle ?? '?'), `ffprobe read "${probed.StreamTitle}"`);
    assert.equal(header(head, 'icy-metaint'), String(ICY_METAINT));
    const parsed = parseIcyStream(body, ICY_METAINT);
    assert.ok(parsed.blocks >= 2, `${parsed.blocks} blocks in ${body.length} B`);
    assert.ok(parsed.titles.length >= 1, 'the first block carries the title');
    for (const t of parsed.titles) assert.ok(seen.has(t), `"${t}" was on the air`);
    // The first block comes about 0.25 s in, while the 1-5 s transmission is still on the air.
    assert.match(parsed.titles[0], /^\d+\.\d{4} MHz$/);
    // Without the blocks, the audio is whole MP3 frames from the first byte.
    assert.equal(parsed.audio[0], 0xff);
    const plain = await rawGet(`${s.baseUrl}/live.mp3`, 300);
    assert.equal(header(plain.head, 'icy-metaint'), null);
  });
});
