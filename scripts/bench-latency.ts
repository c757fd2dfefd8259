// scripts/bench-latency.ts: npm run bench:latency: ingest-to-playback latency (Date.now() − hls.playingDate) of the listening page's hls.js in Chromium, for LL-HLS MP3/AAC, plain HLS 1 s/2 s and ffmpeg's hls muxer, side by side.
// Usage: npm run bench:latency -- [--seconds 30] [--warmup 6] [--only ll-mp3,ll-aac,hls-1s,hls-2s,ffmpeg-1s]
//                                 [--hls-config '{"maxLiveSyncPlaybackRate":1.5,"liveMaxLatencyDurationCount":null}']
// --verbose prints every row's latency samples in order. --seek-live-after S (what-if, not the
// page's behaviour): the probe seeks once to hls.liveSyncPosition S s after playback starts.
// --hls-debug PREFIX writes hls.js's debug log (wall-time stamped) of each row to PREFIX.<row>.log.
// --hls-config is merged into the settings the page gives new Hls(): a value replaces the page's,
// null removes it (the probe applies it in the page).
//
// Each configuration gets a fresh server (startServer in-process, HTTP and TCP ingest on 127.0.0.1
// port 0). The feed is an ffmpeg-made MPEG-TS file (one audio frame per PES, no mux delay) that
// this script writes to the ingest socket itself, paced by the PES timestamps, recording the wall
// time each PES was written. The page is our own listening page (public/, served at /), which
// creates hls.js from window.Hls with its own settings; scripts/bench-latency-probe.mjs wraps
// window.Hls to watch the instance and samples Date.now() − hls.playingDate once a second after
// the warm-up. PROGRAM-DATE-TIME is checked against the feed's own clock: the playlist's PDT of a
// few segments minus the recorded write time of each segment's first PES (by PTS); when that offset
// is over 50 ms, the latency figures are corrected by it (marked *).
// Helpers: bench-latency-media.ts (feed, pacing, PDT and playlist reading), bench-latency-origins.ts
// (the servers), bench-latency-probe.mjs (the in-page probe).
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page, Request as PwRequest } from 'playwright-core';
import type { AppConfig } from '../src/config.js';
import { CHROMIUM_PATH, launchChromium } from '../test/helpers/chromium.js';
import { startTestServer, type TestServer } from '../test/helpers/server.js';
import {
  type Codec,
  EdgeWatch,
  makeFeed,
  PacedFeed,
  pdtOffsets,
  splitFeed,
  waitForPreroll,
} from './bench-latency-media.js';
import { ffmpegOrigin, type Origin, scannerOrigin } from './bench-latency-origins.js';

const run = promisify(execFile);
const PROBE = fileURLToPath(new URL('./bench-latency-probe.mjs', import.meta.url));

// ---------- flags ----------

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? def) : def;
}

const SECONDS = Number(arg('seconds', '30'));
const WARMUP_SEC = Number(arg('warmup', '6'));
const VERBOSE = process.argv.includes('--verbose');
/** What-if: one seek to hls.liveSyncPosition this many seconds after playback starts. */
const SEEK_LIVE_AFTER_SEC = process.argv.includes('--seek-live-after')
  ? Number(arg('seek-live-after', '2'))
  : null;
/** --hls-debug PREFIX: hls.js's debug log of each row goes to PREFIX.<row>.log. */
const HLS_DEBUG = process.argv.includes('--hls-debug') ? arg('hls-debug', 'hls-debug') : null;
const HLS_OVERRIDES = JSON.parse(arg('hls-config', '{}')) as Record<string, unknown>;
/** Over this, the PDT offset is corrected for (and said so). */
const CORRECT_ABOVE_MS = 50;
/** Play must start this soon after the page is opened. */
const START_TIMEOUT_MS = 20_000;

// ---------- configurations ----------

interface RowSpec {
  id: string;
  label: string;
  /** For the one-line summary. */
  short: string;
  codec: Codec;
  /** Server settings (scanner-hls rows), or null for the ffmpeg peer. */
  server: Partial<AppConfig> | null;
}

const ROWS: RowSpec[] = [
  {
    id: 'll-mp3',
    short: 'LL-HLS MP3',
    label: 'LL-HLS MP3 (1 s seg, 0.2 s parts)',
    codec: 'mp3',
    server: { lowLatency: true, segmentDurationSec: 1, partDurationSec: 0.2 },
  },
  {
    id: 'll-aac',
    short: 'LL-HLS AAC',
    label: 'LL-HLS AAC (1 s seg, 0.2 s parts)',
    codec: 'aac',
    server: { lowLatency: true, segmentDurationSec: 1, partDurationSec: 0.2 },
  },
  {
    id: 'hls-1s',
    short: 'HLS 1 s segments',
    label: 'HLS MP3, 1 s segments',
    codec: 'mp3',
    server: { lowLatency: false, segmentDurationSec: 1 },
  },
  {
    id: 'hls-2s',
    short: 'HLS 2 s segments',
    label: 'HLS MP3, 2 s segments',
    codec: 'mp3',
    server: { lowLatency: false, segmentDurationSec: 2 },
  },
  {
    id: 'ffmpeg-1s',
    short: 'ffmpeg hls muxer 1 s',
    label: 'ffmpeg hls muxer MP3, 1 s (static)',
    codec: 'mp3',
    server: null,
  },
];

function selectedRows(): RowSpec[] {
  const only = arg('only', '');
  if (only === '') return ROWS;
  const ids = only.split(',').map((s) => s.trim());
  const unknown = ids.filter((id) => !ROWS.some((r) => r.id === id));
  if (unknown.length) {
    throw new Error(
      `--only: unknown ${unknown.join(', ')}; known: ${ROWS.map((r) => r.id).join(', ')}`,
    );
  }
  return ROWS.filter((r) => ids.includes(r.id));
}

// ---------- the page ----------

/** What the probe keeps in the page (scripts/bench-latency-probe.mjs). */
interface ProbeSample {
  at: number;
  latencySec: number | null;
  hlsLatencySec?: number | null;
  targetLatencySec?: number | null;
  bufferSec?: number;
  holeSec?: number;
  rate?: number;
}

interface ProbeError {
  at: number;
  type: string;
  details: string;
  fatal: boolean;
  reason: string;
}

interface ProbeState {
  hlsVersion: string | null;
  instances: number;
  config: Record<string, unknown> | null;
  errors: ProbeError[];
  waiting: number[];
  playStartedAt: number | null;
  samples: ProbeSample[];
  seeked: { at: number; from: number; to: number | null } | null;
  log: string[] | null;
  done: boolean;
}

interface ProbeWindow {
  __benchLatency: ProbeState;
}

/** The probe's state without its debug log (read once, at the end). */
const readProbe = (page: Page): Promise<ProbeState> =>
  page.evaluate(() => ({ ...(window as unknown as ProbeWindow).__benchLatency, log: null }));

interface Request {
  at: number;
  url: string;
  /** Request sent to first response byte (a held reload waits here), once finished. */
  waitMs: number | null;
}

/** Part URIs (EXT-X-PART and EXT-X-PRELOAD-HINT) of a playlist, resolved against its URL. */
function partUris(text: string, base: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('#EXT-X-PART:') && !line.startsWith('#EXT-X-PRELOAD-HINT:')) continue;
    const m = /URI="([^"]+)"/.exec(line);
    if (m?.[1]) out.push(new URL(m[1], base).href);
  }
  return out;
}

/** Opens the listening page, presses play and waits for the probe's samples (or a failure). */
async function watchPage(
  browser: Browser,
  origin: Origin,
  onNearlyDone: () => void,
): Promise<{
  probe: ProbeState;
  requests: Request[];
  parts: Set<string>;
  failure: string | null;
  startupMs: number | null;
}> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const settings = {
      warmupMs: WARMUP_SEC * 1000,
      samples: SECONDS,
      overrides: HLS_OVERRIDES,
      seekLiveAfterMs: SEEK_LIVE_AFTER_SEC === null ? null : SEEK_LIVE_AFTER_SEC * 1000,
      debugLog: HLS_DEBUG !== null,
    };
    await page.addInitScript({
      content: `window.__benchLatencyConfig = ${JSON.stringify(settings)};`,
    });
    await page.addInitScript({ path: PROBE });
    const requests: Request[] = [];
    const parts = new Set<string>();
    const reading: Promise<void>[] = [];
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const byRequest = new Map<PwRequest, Request>();
    page.on('request', (req) => {
      const r: Request = { at: Date.now(), url: req.url(), waitMs: null };
      requests.push(r);
      byRequest.set(req, r);
    });
    page.on('requestfinished', (req) => {
      const r = byRequest.get(req);
      const t = req.timing();
      if (r && t.responseStart >= 0 && t.requestStart >= 0)
        r.waitMs = t.responseStart - t.requestStart;
    });
    page.on('response', (res) => {
      const url = res.url();
      if (!new URL(url).pathname.endsWith('.m3u8') || res.status() !== 200) return;
      reading.push(
        res.text().then(
          (body) => partUris(body, url).forEach((u) => parts.add(u)),
          () => undefined,
        ),
      );
    });
    await page.goto(origin.pageUrl);
    await page.evaluate(() => {
      const a = document.getElementById('audio');
      if (a instanceof HTMLAudioElement) a.muted = true;
    });
    await page.click('#play');
    const opened = Date.now();
    const deadline = opened + START_TIMEOUT_MS + (WARMUP_SEC + SECONDS + 10) * 1000;
    let probe = await readProbe(page);
    let failure: string | null = null;
    let nearlyDone = false;
    while (!probe.done) {
      await sleep(500);
      probe = await readProbe(page);
      // The next configuration prerolls during this one's last 10 samples.
      if (!nearlyDone && probe.playStartedAt !== null && probe.samples.length >= SECONDS - 10) {
        nearlyDone = true;
        onNearlyDone();
      }
      if (probe.instances === 0 && pageErrors.length && Date.now() - opened > 3000) {
        failure = 'the page created no hls.js instance';
        break;
      }
      if (probe.playStartedAt === null && Date.now() - opened > START_TIMEOUT_MS) {
        failure = `no playback within ${START_TIMEOUT_MS / 1000} s`;
        break;
      }
      if (Date.now() > deadline) {
        failure = `only ${probe.samples.length}/${SECONDS} samples in time`;
        break;
      }
    }
    await Promise.all(reading);
    if (HLS_DEBUG !== null) {
      probe.log = await page.evaluate(() => (window as unknown as ProbeWindow).__benchLatency.log);
    }
    if (failure && pageErrors.length)
      failure += `; page error: ${[...new Set(pageErrors)].join('; ')}`;
    if (!nearlyDone) onNearlyDone();
    const startupMs = probe.playStartedAt === null ? null : probe.playStartedAt - opened;
    return { probe, requests, parts, failure, startupMs };
  } finally {
    await context.close();
  }
}

// ---------- one configuration ----------

interface RowResult {
  spec: RowSpec;
  failure: string | null;
  latencies: number[];
  /** Samples without a playing date (paused, stalled at start). */
  missing: number;
  stalls: number;
  /** 'waiting' events of the audio element, as seconds from the start of playback. */
  waiting: number[];
  parts: number;
  segments: number;
  playlists: number;
  blockingReloads: number;
  /** Median request-to-first-byte of the _HLS_msn reloads (held ones wait for the next part). */
  reloadWaitMs: number | null;
  /** Longest time between two media (.ts) requests, and the longest first-byte wait of one. */
  mediaGap: { requestMs: number; waitMs: number; atSec: number } | null;
  /** Page opened (play pressed) to the audio clock moving. */
  startupMs: number | null;
  /** Median of when a new playlist edge (segment or part end) was published, minus its PDT. */
  publishLagMs: number | null;
  /** The largest publish lag and its time from the start of playback. */
  publishLagMax: { ms: number; atSec: number } | null;
  /** The longest-held _HLS_msn reload, with its time from the start of playback. */
  reloadWaitMax: { ms: number; atSec: number; url: string } | null;
  /** The --seek-live-after seek, as text. */
  seeked: string | null;
  /** Every sample in order (null: no playing date), corrected like latencies. */
  series: (number | null)[];
  pdtOffsetMs: number | null;
  corrected: boolean;
  errors: string;
  fatal: string[];
  load: number;
  hlsLatency: number | null;
  targetLatency: number | null;
  buffer: number | null;
  /** Largest gap between buffered ranges in any sample. */
  holeSec: number;
  rate: number | null;
  partTarget: number | null;
  targetDuration: number | null;
  instances: number;
  config: Record<string, unknown> | null;
  hlsVersion: string | null;
}

/** The entry with the largest ms, with its time in seconds from t0. */
function largest<T extends { at: number; ms: number }>(
  xs: T[],
  t0: number | null,
): (T & { atSec: number }) | null {
  let top: T | null = null;
  for (const x of xs) if (top === null || x.ms > top.ms) top = x;
  return top && { ...top, atSec: (top.at - (t0 ?? top.at)) / 1000 };
}

/** The longest pause between media requests (where, from the start of playback) and the longest wait for one. */
function longestMediaGap(
  media: Request[],
  t0: number | null,
): { requestMs: number; waitMs: number; atSec: number } | null {
  if (media.length < 2) return null;
  let requestMs = 0;
  let at = 0;
  for (let i = 1; i < media.length; i++) {
    const gap = (media[i]?.at ?? 0) - (media[i - 1]?.at ?? 0);
    if (gap > requestMs) {
      requestMs = gap;
      at = media[i - 1]?.at ?? 0;
    }
  }
  const waitMs = Math.max(0, ...media.map((r) => r.waitMs ?? 0));
  return { requestMs, waitMs, atSec: (at - (t0 ?? at)) / 1000 };
}

/** hls.js errors by kind, each with its times in seconds from the start of playback. */
function errorTimes(probe: ProbeState): string {
  const m = new Map<string, string[]>();
  const t0 = probe.playStartedAt;
  for (const e of probe.errors) {
    const k = `${e.details}${e.fatal ? ' (fatal)' : ''}`;
    const t = t0 === null ? '' : `${e.at >= t0 ? '+' : ''}${((e.at - t0) / 1000).toFixed(1)}`;
    m.set(k, [...(m.get(k) ?? []), t]);
  }
  return [...m]
    .map(([k, ts]) => `${k}×${ts.length}${t0 === null ? '' : ` @${ts.join(',')} s`}`)
    .join(', ');
}

function countBy(xs: string[]): string {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m].map(([k, n]) => `${k}×${n}`).join(', ');
}

/** A configuration's origin with its feed running and its playlist prerolled. */
interface Prepared {
  origin: Origin;
  feed: PacedFeed;
  /** The playlist when the preroll was reached. */
  head: string;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Starts the origin and its feed and waits for the preroll; never rejects (the row reports it). */
async function prepare(spec: RowSpec): Promise<Outcome<Prepared>> {
  let origin: Origin | null = null;
  let feed: PacedFeed | null = null;
  try {
    // Long enough for an overlap with the row before (≤ 10 s) and this row's own run.
    const chunks = splitFeed(
      readFileSync(await makeFeed(spec.codec, Math.ceil(SECONDS + WARMUP_SEC + 60))),
    );
    origin = spec.server ? await scannerOrigin(spec.server) : await ffmpegOrigin();
    const o = origin;
    feed = new PacedFeed(chunks, (b) => o.write(b));
    feed.start();
    await waitForPreroll(origin.playlistUrl, 30_000);
    const head = await (await fetch(origin.playlistUrl)).text();
    return { ok: true, value: { origin, feed, head } };
  } catch (error) {
    feed?.stop();
    await origin?.close().catch(() => undefined);
    return { ok: false, error };
  }
}

/** Measures one prepared configuration; onNearlyDone starts preparing the next one. */
async function measure(
  browser: Browser,
  spec: RowSpec,
  prepared: Prepared,
  onNearlyDone: () => void,
): Promise<RowResult> {
  const { origin, feed, head } = prepared;
  try {
    const partInf = /#EXT-X-PART-INF:PART-TARGET=([\d.]+)/.exec(head);
    const td = /#EXT-X-TARGETDURATION:(\d+)/.exec(head);
    const edges = new EdgeWatch();
    const unwatch = origin.watchEdge(edges);
    const watched = await watchPage(browser, origin, onNearlyDone).finally(unwatch);
    if (!feed.running) throw new Error('the feed ran out before the measurement ended');
    const offsets = await pdtOffsets(origin.playlistUrl, feed.log);
    const { probe, requests, parts } = watched;
    if (HLS_DEBUG !== null && probe.log) {
      writeFileSync(`${HLS_DEBUG}.${spec.id}.log`, probe.log.join('\n') + '\n');
    }
    const valid = probe.samples.filter((s) => s.latencySec !== null);
    const from = (probe.samples[0]?.at ?? Infinity) - 1000;
    const to = probe.samples[probe.samples.length - 1]?.at ?? -Infinity;
    const inWindow = requests.filter((r) => r.at >= from && r.at <= to);
    const media = inWindow.filter((r) => new URL(r.url).pathname.endsWith('.ts'));
    const lists = inWindow.filter((r) => new URL(r.url).pathname.endsWith('.m3u8'));
    const blocking = lists.filter((r) => /[?&]_HLS_msn=/.test(r.url));
    const offset = offsets.length ? quantile(offsets, 0.5) : null;
    const corrected = offset !== null && Math.abs(offset) > CORRECT_ABOVE_MS;
    const shift = corrected ? offset / 1000 : 0;
    const windowErrors = probe.errors.filter((e) => e.at >= from && e.at <= to);
    const fatal = probe.errors.filter((e) => e.fatal).map((e) => e.details);
    let failure = watched.failure;
    if (!failure && valid.length < SECONDS / 2) {
      failure = `${valid.length}/${SECONDS} samples had a playing date`;
    }
    if (failure && fatal.length) failure += `; fatal hls.js errors: ${countBy(fatal)}`;
    const num = (xs: (number | null | undefined)[]): number | null => {
      const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
      return v.length ? quantile(v, 0.5) : null;
    };
    return {
      spec,
      failure,
      latencies: valid.map((s) => (s.latencySec ?? 0) + shift),
      missing: probe.samples.length - valid.length,
      stalls: windowErrors.filter((e) => e.details === 'bufferStalledError').length,
      waiting: probe.waiting.map((t) => (t - (probe.playStartedAt ?? t)) / 1000),
      parts: media.filter((r) => parts.has(r.url)).length,
      segments: media.filter((r) => !parts.has(r.url)).length,
      playlists: lists.length,
      blockingReloads: blocking.length,
      reloadWaitMs: num(blocking.map((r) => r.waitMs)),
      mediaGap: longestMediaGap(media, probe.playStartedAt),
      publishLagMax: largest(
        edges.seen
          .filter((e) => e.at >= from && e.at <= to)
          .map((e) => ({ at: e.at, ms: e.lagMs })),
        probe.playStartedAt,
      ),
      reloadWaitMax: ((): RowResult['reloadWaitMax'] => {
        const top = largest(
          blocking.map((r) => ({ at: r.at, ms: r.waitMs ?? 0, url: r.url })),
          probe.playStartedAt,
        );
        return top && { ...top, url: new URL(top.url).search };
      })(),
      startupMs: watched.startupMs,
      seeked: probe.seeked
        ? `seeked ${probe.seeked.from.toFixed(2)} → ${probe.seeked.to?.toFixed(2) ?? 'null'} s`
        : null,
      publishLagMs: num(
        edges.seen
          .filter((e) => e.at >= from && e.at <= to)
          .map((e) => e.lagMs + (corrected ? offset : 0)),
      ),
      series: probe.samples.map((x) => (x.latencySec === null ? null : x.latencySec + shift)),
      pdtOffsetMs: offset,
      corrected,
      errors: errorTimes(probe),
      fatal,
      load: loadavg()[0] ?? 0,
      hlsLatency: num(valid.map((s) => s.hlsLatencySec)),
      targetLatency: num(valid.map((s) => s.targetLatencySec)),
      buffer: num(valid.map((s) => s.bufferSec)),
      holeSec: Math.max(0, ...valid.map((s) => s.holeSec ?? 0)),
      rate: num(valid.map((s) => s.rate)),
      partTarget: partInf?.[1] ? Number(partInf[1]) : null,
      targetDuration: td?.[1] ? Number(td[1]) : null,
      instances: probe.instances,
      config: probe.config,
      hlsVersion: probe.hlsVersion,
    };
  } finally {
    feed.stop();
    await origin.close();
  }
}

function failedRow(spec: RowSpec, e: unknown): RowResult {
  return {
    spec,
    failure: e instanceof Error ? e.message : String(e),
    latencies: [],
    missing: 0,
    stalls: 0,
    waiting: [],
    parts: 0,
    segments: 0,
    playlists: 0,
    blockingReloads: 0,
    reloadWaitMs: null,
    mediaGap: null,
    publishLagMax: null,
    reloadWaitMax: null,
    startupMs: null,
    publishLagMs: null,
    seeked: null,
    series: [],
    pdtOffsetMs: null,
    corrected: false,
    errors: '',
    fatal: [],
    load: loadavg()[0] ?? 0,
    hlsLatency: null,
    targetLatency: null,
    buffer: null,
    holeSec: 0,
    rate: null,
    partTarget: null,
    targetDuration: null,
    instances: 0,
    config: null,
    hlsVersion: null,
  };
}

// ---------- report ----------

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const a = s[lo] ?? NaN;
  const b = s[Math.min(s.length - 1, lo + 1)] ?? a;
  return a + (b - a) * (pos - lo);
}

const sec = (x: number | null): string => (x === null ? '–' : `${x.toFixed(2)} s`);

function table(rows: RowResult[]): string {
  const head = [
    'configuration',
    'median',
    'p10',
    'p90',
    'samples',
    'stalls',
    'parts',
    'segments',
    'playlists',
    'PDT offset',
    'load',
  ];
  const body = rows.map((r) => {
    const mark = r.corrected ? '*' : '';
    const q = (p: number): string =>
      r.latencies.length ? `${quantile(r.latencies, p).toFixed(2)} s${mark}` : '–';
    if (r.failure && r.latencies.length === 0) {
      return [r.spec.label, `failed: ${r.failure}`];
    }
    return [
      r.spec.label + (r.failure ? ' (failed, see below)' : ''),
      q(0.5),
      q(0.1),
      q(0.9),
      String(r.latencies.length) + (r.missing ? ` (+${r.missing} none)` : ''),
      String(r.stalls),
      String(r.parts),
      String(r.segments),
      String(r.playlists) + (r.blockingReloads ? ` (${r.blockingReloads} _HLS_msn)` : ''),
      r.pdtOffsetMs === null
        ? '–'
        : `${r.pdtOffsetMs >= 0 ? '+' : ''}${r.pdtOffsetMs.toFixed(0)} ms`,
      r.load.toFixed(1),
    ];
  });
  const full = [head, ...body.filter((r) => r.length === head.length)];
  const widths = head.map((_, i) => Math.max(...full.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.length < head.length
      ? `| ${(cells[0] ?? '').padEnd(widths[0] ?? 0)} | ${cells[1] ?? ''}`
      : `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|')}|`;
  return [line(head), sep, ...body.map(line)].join('\n');
}

async function versionLine(cmd: string, args: string[], pattern: RegExp): Promise<string> {
  try {
    const { stdout } = await run(cmd, args);
    return pattern.exec(stdout)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

async function servedHlsJs(): Promise<string> {
  const s: TestServer = await startTestServer();
  try {
    const js = await (await fetch(`${s.baseUrl}/vendor/hls.min.js`)).text();
    return js.includes('isMpegAudio') ? 'patched (patches/hls.js+1.7.4.patch)' : 'unpatched';
  } finally {
    await s.close();
    rmSync(s.dir, { recursive: true, force: true });
  }
}

function summaryLine(rows: RowResult[], env: { chromium: string; hlsJs: string }): string {
  const parts = rows.map((r) =>
    r.latencies.length && !r.failure
      ? `${r.spec.short} ${quantile(r.latencies, 0.5).toFixed(2)} s`
      : `${r.spec.short} failed`,
  );
  return (
    `Ingest-to-playback latency, listening page's hls.js ${env.hlsJs} in Chromium ${env.chromium}, ` +
    `median of ${SECONDS} samples: ${parts.join('; ')} (npm run bench:latency).`
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---------- main ----------

async function main(): Promise<void> {
  const specs = selectedRows();
  const started = Date.now();
  const loadAtStart = loadavg();
  const [ffmpeg, patched] = await Promise.all([
    versionLine('ffmpeg', ['-version'], /^ffmpeg version (\S+)/),
    servedHlsJs(),
  ]);
  console.log(
    `bench:latency: ${specs.map((s) => s.id).join(', ')}; ${SECONDS} samples after a ${WARMUP_SEC} s warm-up each; Chromium ${CHROMIUM_PATH}`,
  );
  const browser = await launchChromium();
  const rows: RowResult[] = [];
  try {
    // Each configuration's origin and feed start while the one before takes its last samples.
    let pending: Promise<Outcome<Prepared>> | null = null;
    for (const [i, spec] of specs.entries()) {
      const t0 = Date.now();
      const mine = pending ?? prepare(spec);
      pending = null;
      const next = specs[i + 1];
      const startNext = (): void => {
        if (next && pending === null) pending = prepare(next);
      };
      const prepared = await mine;
      let r: RowResult;
      if (!prepared.ok) {
        r = failedRow(spec, prepared.error);
      } else {
        try {
          r = await measure(browser, spec, prepared.value, startNext);
        } catch (e) {
          r = failedRow(spec, e);
        }
      }
      startNext();
      rows.push(r);
      const med = r.latencies.length ? `${quantile(r.latencies, 0.5).toFixed(2)} s` : '–';
      console.log(
        `  ${spec.id}: median ${med}${r.failure ? `, failed: ${r.failure}` : ''} (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
      );
    }
  } finally {
    const chromium = browser.version();
    await browser.close();
    const hlsVersion = rows.find((r) => r.hlsVersion)?.hlsVersion ?? '?';
    const env = { chromium, hlsJs: `${hlsVersion} ${patched.split(' ')[0]}` };
    const cpu = cpus();
    console.log('');
    console.log(table(rows));
    console.log('');
    console.log(
      `machine: ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores (os.cpus()), Node ${process.version}, ` +
        `Chromium ${chromium}, ffmpeg ${ffmpeg}, hls.js ${hlsVersion} ${patched}; ` +
        `load average ${loadAtStart.map((x) => x.toFixed(1)).join('/')} at start, ` +
        `${loadavg()
          .map((x) => x.toFixed(1))
          .join('/')} at end; ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
    );
    const cfg = rows.find((r) => r.config)?.config;
    if (cfg) console.log(`page's hls.js settings: ${JSON.stringify(cfg)}`);
    console.log(
      `Latency = Date.now() − hls.playingDate, once a second after a ${WARMUP_SEC} s warm-up. ` +
        `PDT offset = playlist PROGRAM-DATE-TIME − write time of the segment's first PES (median of ≤ 6 segments); ` +
        `* = corrected by it (|offset| > ${CORRECT_ABOVE_MS} ms). stalls = hls.js bufferStalledError in the window; ` +
        `requests counted in the sampling window.`,
    );
    console.log('');
    for (const r of rows) {
      const bits = [
        `TD ${r.targetDuration ?? '–'}`,
        r.startupMs !== null
          ? `play started ${(r.startupMs / 1000).toFixed(1)} s after the click`
          : null,
        r.seeked,
        r.publishLagMs !== null ? `publish lag ${r.publishLagMs.toFixed(0)} ms` : null,
        r.reloadWaitMs !== null ? `_HLS_msn reload wait ${r.reloadWaitMs.toFixed(0)} ms` : null,
        r.publishLagMax
          ? `largest publish lag ${r.publishLagMax.ms.toFixed(0)} ms (@+${r.publishLagMax.atSec.toFixed(1)} s)`
          : null,
        r.reloadWaitMax
          ? `longest reload wait ${r.reloadWaitMax.ms.toFixed(0)} ms (${r.reloadWaitMax.url} @+${r.reloadWaitMax.atSec.toFixed(1)} s)`
          : null,
        r.mediaGap
          ? `longest gap between media requests ${r.mediaGap.requestMs.toFixed(0)} ms (@+${r.mediaGap.atSec.toFixed(1)} s), longest media wait ${r.mediaGap.waitMs.toFixed(0)} ms`
          : null,
        r.partTarget !== null ? `PART-TARGET ${r.partTarget}` : null,
        `hls.latency ${sec(r.hlsLatency)}`,
        `targetLatency ${sec(r.targetLatency)}`,
        `buffer ahead ${sec(r.buffer)}`,
        `largest buffer hole ${(r.holeSec * 1000).toFixed(0)} ms`,
        `rate ${r.rate === null ? '–' : r.rate.toFixed(2)}`,
        `<audio> waiting ${r.waiting.length}${r.waiting.length ? ` @${r.waiting.map((t) => t.toFixed(1)).join(',')} s` : ''}`,
        r.instances > 1 ? `hls.js instances ${r.instances}` : null,
        `errors: ${r.errors || 'none'}`,
      ].filter((b): b is string => b !== null);
      console.log(`  ${r.spec.id}: ${bits.join(', ')}`);
      if (VERBOSE) {
        console.log(
          `    series: ${r.series.map((x) => (x === null ? '–' : x.toFixed(2))).join(' ')}`,
        );
      }
    }
    console.log('');
    for (const r of rows.filter((x) => x.failure && x.latencies.length)) {
      console.log(`${r.spec.id} failed: ${r.failure}`);
    }
    console.log(summaryLine(rows, env));
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  },
);
