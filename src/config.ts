// src/config.ts: the one typed configuration: every setting's spec (flag, variable, meaning, validator), its one default, and the rules across settings.
import { isAbsolute, relative, resolve } from 'node:path';
import { ConfigError } from './errors.js';
import {
  CAPTURE_SAMPLE_RATES,
  type CaptureCodec,
  type CaptureEncoder,
  parseCaptureSpec,
} from './ingest/capture-command.js';
import { parseAllowList } from './ingest/address-filter.js';
import { parseIngestSpec } from './ingest/ingest-spec.js';
import { parseDurationSec, parseSizeBytes } from './calls/units.js';
import { LOG_LEVELS, type LogFormat, type LogLevel } from './logger.js';
import { parseAllowedSource } from './http/allowed-sources.js';
import { parseRelaySpec } from './relay/relay-spec.js';
import { parseCallUploadSpec } from './call-upload/upload-spec.js';
import { parseNotifySpec } from './notify/notify-spec.js';

/** Every setting of scanner-hls. Each field's default is in defaultConfig() below, and only there. */
export interface AppConfig {
  /** Where the encoder's MPEG-TS comes from, e.g. tcp://0.0.0.0:9999. */
  ingest: string;
  /** Who may publish on tcp:// and udp:// ingest: CIDR[,CIDR…]; null means any address. */
  ingestAllow: string | null;
  /** HTTP listen address. */
  httpHost: string;
  httpPort: number;
  /** Directory the segments and playlist are written to and served from. */
  out: string;
  /** Stream name: the playlist is /hls/<stream>.m3u8. */
  stream: string;
  /** Nominal segment length in seconds (the cut grid). */
  segmentDurationSec: number;
  /** EXT-X-TARGETDURATION; 0 means ceil(segmentDurationSec). */
  targetDurationSec: number;
  /** Number of segments listed in the live playlist. */
  window: number;
  /** Low-Latency HLS (parts, blocking reload, delta updates); false serves plain segments. */
  lowLatency: boolean;
  /** LL-HLS part length in seconds, rounded to whole audio frames (PART-TARGET). */
  partDurationSec: number;
  /** PEM certificate chain for HTTPS + HTTP/2; null serves plain HTTP/1.1. */
  tlsCert: string | null;
  /** PEM private key for --tls-cert. */
  tlsKey: string | null;
  /** Batch mode: segment this file and exit. */
  input: string | null;
  /** With input: write a VOD playlist and keep every segment. */
  vod: boolean;
  /** Persisted state (sequence numbers, listed segments, tokens). Never inside out. */
  stateDir: string;
  /** Program number to take from a multi-program input; null means the first in the PAT. */
  program: number | null;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** Scanner serial port as PATH[:BAUD], or 'sim'; null means no scanner features. */
  scanner: string | null;
  /** Bearer token for control calls; null means generate one and keep it in stateDir. */
  controlToken: string | null;
  /** How often the controller polls the scanner's squelch, in ms. */
  scannerPollMs: number;
  /** JSON file naming talkgroups, channels and frequencies; reloaded on change. Null = none. */
  labels: string | null;
  /** Origin directory URL to PUT segments and playlists to (WebDAV); null = no upload. */
  uploadUrl: string | null;
  /** Audio capture (alsa:DEVICE or pulse:SOURCE) run through an encoder; replaces ingest. Null = none. */
  capture: string | null;
  /** Capture codec. */
  codec: CaptureCodec;
  /** Capture bitrate in kbit/s. */
  bitrateKbps: number;
  /** Capture sample rate in Hz. */
  sampleRate: number;
  /** Capture channels (1 or 2). */
  channels: number;
  /** Program that encodes the capture. */
  encoder: CaptureEncoder;
  /** Replay/DVR: seconds segments stay on disk beyond the live window; 0 = deleted as they leave it. */
  retentionSec: number;
  /** Replay/DVR: bytes the retained segments may use (oldest go first); 0 = no limit. */
  retentionMaxBytes: number;
  /** Call log: seconds a call stays in the database. */
  callsRetentionSec: number;
  /** Call log: bytes the database may use (oldest calls go first); 0 = no limit. */
  callsMaxBytes: number;
  /** Origins besides this server that the page's ?src= may load a playlist from. */
  allowedSources: string[];
  /** GET /live.mp3 (or /live.aac): the live elementary audio as one endless stream, with ICY metadata. */
  liveAudio: boolean;
  /** Most /live.mp3 listeners at once; more get 503. */
  liveAudioMaxListeners: number;
  /** Icecast servers to relay the live MP3 to (icecast://source:PASSWORD@HOST:PORT/MOUNT…). */
  relay: string[];
  /** With --relay and AAC input: transcode to MP3 through ffmpeg rather than refuse. */
  relayTranscode: boolean;
  /** Call-upload targets (rdio-scanner:URL?key=…&system=…, openmhz:URL?key=…&system=…). */
  callUpload: string[];
  /** Alert endpoints POSTed at call start and end (URL[?format=ntfy&talkgroup=…&channel=…&label=…]). */
  notify: string[];
}

/** A setting's value as given: a flag or variable string, or a JSON file's value. */
export type Raw = string | number | boolean;
/** 'list': repeatable on the command line; whitespace-separated in a variable; a string or an array of strings in the file. */
type Kind = 'string' | 'int' | 'number' | 'boolean' | 'list';

/** One setting: its key, flag, environment variable, meaning and validator (its default is in defaultConfig()). */
export interface OptionSpec {
  key: keyof AppConfig | 'http';
  flag: string;
  env: string;
  kind: Kind;
  /** How the default shows in --help and the README when it is not the plain value of defaultConfig(). */
  defaultText?: string;
  describe: string;
  /** Stores the validated value into cfg; throws Error(accepted-range text) when invalid. */
  apply(cfg: AppConfig, raw: Raw): void;
}

function num(raw: Raw, int: boolean, min: number, max: number, unit = ''): number {
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
  const ok = String(raw).trim() !== '' && Number.isFinite(n) && (!int || Number.isInteger(n));
  if (!ok || n < min || n > max) {
    throw new Error(`must be ${int ? 'an integer' : 'a number'} from ${min} to ${max}${unit}`);
  }
  return n;
}

function str(raw: Raw): string {
  if (typeof raw !== 'string') throw new Error('must be a string');
  return raw;
}

/** A list setting's items: the raw value split on whitespace (each occurrence of a repeated flag is one line). */
function items(raw: Raw): string[] {
  return String(raw)
    .split(/\s+/)
    .filter((x) => x !== '');
}

/** Validates each item with parse, naming the item that fails. */
function listOf(raw: Raw, parse: (s: string) => unknown): string[] {
  if (typeof raw !== 'string') throw new Error('must be a string or an array of strings');
  const list = items(raw);
  for (const item of list) {
    try {
      parse(item);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      if (list.length === 1) throw new Error(why);
      const masked = item.replace(/:[^:@/]*@/, ':***@').replace(/key=[^&]*/, 'key=***');
      throw new Error(`${masked}: ${why}`);
    }
  }
  return list;
}

function bool(raw: Raw): boolean {
  if (typeof raw === 'boolean') return raw;
  const s = String(raw).toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off'].includes(s)) return false;
  throw new Error('must be true or false');
}

/** Parses HOST:PORT (IPv6 in brackets); port 0 picks a free port. */
export function parseHostPort(s: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]*)):(\d{1,5})$/.exec(s);
  if (!m) throw new Error('must be HOST:PORT, e.g. 0.0.0.0:8080');
  const port = Number(m[3]);
  if (port > 65535) throw new Error('port must be from 0 to 65535');
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** The settings table: the CLI, the environment, the config file and the README all come from it. */
export const OPTIONS: readonly OptionSpec[] = [
  {
    key: 'ingest',
    flag: '--ingest',
    env: 'SCANNER_HLS_INGEST',
    kind: 'string',
    describe:
      'Where MPEG-TS comes in: tcp://HOST:PORT listens for an encoder (a new connection takes over from the current one); tcp-connect://HOST:PORT pulls from one; udp://HOST:PORT[?localaddr=IP] takes datagrams (unicast or a multicast group); file:PATH[?loop] plays a file in real time (looped seamlessly); exec:COMMAND runs an encoder whose stdout is TS.',
    apply(c, raw) {
      const s = str(raw);
      parseIngestSpec(s);
      c.ingest = s;
    },
  },
  {
    key: 'ingestAllow',
    flag: '--ingest-allow',
    env: 'SCANNER_HLS_INGEST_ALLOW',
    kind: 'string',
    defaultText: 'any address',
    describe:
      'Who may publish on tcp:// and udp:// ingest, as CIDR[,CIDR...] (e.g. 192.168.1.0/24,::1); others are refused, logged and counted in /metrics.',
    apply(c, raw) {
      const s = str(raw).trim();
      if (s !== '') parseAllowList(s);
      c.ingestAllow = s === '' ? null : s;
    },
  },
  {
    key: 'http',
    flag: '--http',
    env: 'SCANNER_HLS_HTTP',
    kind: 'string',
    describe: 'HTTP listen address for the page, the API and /hls/.',
    apply(c, raw) {
      const { host, port } = parseHostPort(str(raw));
      c.httpHost = host;
      c.httpPort = port;
    },
  },
  {
    key: 'out',
    flag: '--out',
    env: 'SCANNER_HLS_OUT',
    kind: 'string',
    describe: 'Directory for segments and the playlist; every file in it is served at /hls/.',
    apply(c, raw) {
      const s = str(raw);
      if (!s) throw new Error('must be a directory path');
      c.out = s;
    },
  },
  {
    key: 'stream',
    flag: '--stream',
    env: 'SCANNER_HLS_STREAM',
    kind: 'string',
    describe: 'Stream name: the playlist is /hls/NAME.m3u8 and DIR/NAME.m3u8.',
    apply(c, raw) {
      const s = str(raw);
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(s)) throw new Error('must be 1 to 64 of A-Z a-z 0-9 _ -');
      c.stream = s;
    },
  },
  {
    key: 'segmentDurationSec',
    flag: '--segment-duration',
    env: 'SCANNER_HLS_SEGMENT_DURATION',
    kind: 'number',
    describe: 'Segment length in seconds; cuts follow a fixed grid so lengths never drift.',
    apply(c, raw) {
      c.segmentDurationSec = num(raw, false, 0.5, 30, ' seconds');
    },
  },
  {
    key: 'targetDurationSec',
    flag: '--target-duration',
    env: 'SCANNER_HLS_TARGET_DURATION',
    kind: 'int',
    defaultText: 'ceil(segment duration)',
    describe: 'EXT-X-TARGETDURATION, fixed for the life of the stream (0 = automatic).',
    apply(c, raw) {
      c.targetDurationSec = num(raw, true, 0, 60, ' seconds');
    },
  },
  {
    key: 'window',
    flag: '--window',
    env: 'SCANNER_HLS_WINDOW',
    kind: 'int',
    describe: 'Segments listed in the live playlist (at least 3 target durations long).',
    apply(c, raw) {
      c.window = num(raw, true, 3, 10000, ' segments');
    },
  },
  {
    key: 'lowLatency',
    flag: '--low-latency',
    env: 'SCANNER_HLS_LOW_LATENCY',
    kind: 'boolean',
    describe:
      'Low-Latency HLS: parts, blocking playlist reload, delta updates (off = plain segments only).',
    apply(c, raw) {
      c.lowLatency = bool(raw);
    },
  },
  {
    key: 'partDurationSec',
    flag: '--part-duration',
    env: 'SCANNER_HLS_PART_DURATION',
    kind: 'number',
    describe:
      'Low-Latency HLS part length in seconds; rounded to whole audio frames, it is the PART-TARGET.',
    apply(c, raw) {
      c.partDurationSec = num(raw, false, 0.05, 2, ' seconds');
    },
  },
  {
    key: 'tlsCert',
    flag: '--tls-cert',
    env: 'SCANNER_HLS_TLS_CERT',
    kind: 'string',
    describe: 'PEM certificate (chain) file: serve HTTPS with HTTP/2 (HTTP/1.1 still allowed).',
    apply(c, raw) {
      const s = str(raw);
      c.tlsCert = s === '' ? null : s;
    },
  },
  {
    key: 'tlsKey',
    flag: '--tls-key',
    env: 'SCANNER_HLS_TLS_KEY',
    kind: 'string',
    describe: 'PEM private key file for --tls-cert.',
    apply(c, raw) {
      const s = str(raw);
      c.tlsKey = s === '' ? null : s;
    },
  },
  {
    key: 'input',
    flag: '--input',
    env: 'SCANNER_HLS_INPUT',
    kind: 'string',
    describe: 'Batch mode: segment this .ts file as fast as it can be read, then exit.',
    apply(c, raw) {
      const s = str(raw);
      c.input = s === '' ? null : s;
    },
  },
  {
    key: 'vod',
    flag: '--vod',
    env: 'SCANNER_HLS_VOD',
    kind: 'boolean',
    describe: 'With --input: write a VOD playlist (EXT-X-ENDLIST) and delete no segment.',
    apply(c, raw) {
      c.vod = bool(raw);
    },
  },
  {
    key: 'stateDir',
    flag: '--state-dir',
    env: 'SCANNER_HLS_STATE_DIR',
    kind: 'string',
    describe: 'Persisted state (sequence numbers, listed segments, control token).',
    apply(c, raw) {
      const s = str(raw);
      if (!s) throw new Error('must be a directory path');
      c.stateDir = s;
    },
  },
  {
    key: 'program',
    flag: '--program',
    env: 'SCANNER_HLS_PROGRAM',
    kind: 'int',
    defaultText: 'first in the PAT',
    describe: 'Program number to keep from a multi-program input; other programs are dropped.',
    apply(c, raw) {
      c.program = num(raw, true, 1, 65535);
    },
  },
  {
    key: 'logLevel',
    flag: '--log-level',
    env: 'SCANNER_HLS_LOG_LEVEL',
    kind: 'string',
    describe: 'error, warn, info or debug.',
    apply(c, raw) {
      const s = str(raw);
      if (!(LOG_LEVELS as readonly string[]).includes(s)) {
        throw new Error(`must be one of ${LOG_LEVELS.join(', ')}`);
      }
      c.logLevel = s as LogLevel;
    },
  },
  {
    key: 'logFormat',
    flag: '--log-format',
    env: 'SCANNER_HLS_LOG_FORMAT',
    kind: 'string',
    describe: 'text (readable) or json (one object per line).',
    apply(c, raw) {
      const s = str(raw);
      if (s !== 'text' && s !== 'json') throw new Error('must be text or json');
      c.logFormat = s;
    },
  },
  {
    key: 'scanner',
    flag: '--scanner',
    env: 'SCANNER_HLS_SCANNER',
    kind: 'string',
    describe: 'BCT8 serial port as PATH[:BAUD] (8N1, CR), or sim for the built-in simulator.',
    apply(c, raw) {
      const s = str(raw);
      if (s !== '' && s !== 'sim' && !/^[^:\r\n]+(:\d{3,6})?$/.test(s)) {
        throw new Error('must be sim or PATH[:BAUD], e.g. /dev/ttyUSB0:9600');
      }
      c.scanner = s === '' ? null : s;
    },
  },
  {
    key: 'controlToken',
    flag: '--control-token',
    env: 'SCANNER_HLS_CONTROL_TOKEN',
    kind: 'string',
    defaultText: 'generated, kept in the state dir',
    describe: 'Bearer token that scanner control calls must carry.',
    apply(c, raw) {
      const s = str(raw);
      if (!/^[\x21-\x7e]{8,256}$/.test(s)) {
        throw new Error('must be 8 to 256 printable characters without spaces');
      }
      c.controlToken = s;
    },
  },
  {
    key: 'scannerPollMs',
    flag: '--scanner-poll-ms',
    env: 'SCANNER_HLS_SCANNER_POLL_MS',
    kind: 'int',
    describe: 'How often the scanner is polled for squelch, in milliseconds.',
    apply(c, raw) {
      c.scannerPollMs = num(raw, true, 50, 60000, ' ms');
    },
  },
  {
    key: 'labels',
    flag: '--labels',
    env: 'SCANNER_HLS_LABELS',
    kind: 'string',
    describe:
      'JSON file naming talkgroups, channels and frequencies (e.g. "Fire Dispatch"); reloaded when it changes.',
    apply(c, raw) {
      const s = str(raw);
      c.labels = s === '' ? null : s;
    },
  },
  {
    key: 'uploadUrl',
    flag: '--upload-url',
    env: 'SCANNER_HLS_UPLOAD_URL',
    kind: 'string',
    describe:
      'Also publish segments and the playlist to this HTTP origin directory with PUT and DELETE (WebDAV).',
    apply(c, raw) {
      const s = str(raw);
      if (s !== '' && !/^https?:\/\/[^\s/?#]+\/[^\s?#]*$/.test(s)) {
        throw new Error('must be an http:// or https:// directory URL, e.g. http://origin/hls/');
      }
      c.uploadUrl = s === '' ? null : s;
    },
  },
  {
    key: 'capture',
    flag: '--capture',
    env: 'SCANNER_HLS_CAPTURE',
    kind: 'string',
    describe:
      'Capture audio from alsa:DEVICE (e.g. alsa:hw:0,4) or pulse:SOURCE with a supervised encoder; replaces --ingest.',
    apply(c, raw) {
      const s = str(raw);
      if (s !== '') parseCaptureSpec(s);
      c.capture = s === '' ? null : s;
    },
  },
  {
    key: 'codec',
    flag: '--codec',
    env: 'SCANNER_HLS_CODEC',
    kind: 'string',
    describe: 'With --capture: mp3 or aac.',
    apply(c, raw) {
      const s = str(raw);
      if (s !== 'mp3' && s !== 'aac') throw new Error('must be mp3 or aac');
      c.codec = s;
    },
  },
  {
    key: 'bitrateKbps',
    flag: '--bitrate',
    env: 'SCANNER_HLS_BITRATE',
    kind: 'int',
    describe: 'With --capture: audio bitrate in kbit/s.',
    apply(c, raw) {
      c.bitrateKbps = num(raw, true, 8, 320, ' kbit/s');
    },
  },
  {
    key: 'sampleRate',
    flag: '--sample-rate',
    env: 'SCANNER_HLS_SAMPLE_RATE',
    kind: 'int',
    describe: 'With --capture: sample rate in Hz (8000 to 48000, an MP3/AAC rate).',
    apply(c, raw) {
      const n = num(raw, true, 8000, 48000, ' Hz');
      if (!CAPTURE_SAMPLE_RATES.includes(n)) {
        throw new Error(`must be one of ${CAPTURE_SAMPLE_RATES.join(', ')} Hz`);
      }
      c.sampleRate = n;
    },
  },
  {
    key: 'channels',
    flag: '--channels',
    env: 'SCANNER_HLS_CHANNELS',
    kind: 'int',
    describe: 'With --capture: 1 (mono) or 2 (stereo).',
    apply(c, raw) {
      c.channels = num(raw, true, 1, 2, ' channels');
    },
  },
  {
    key: 'encoder',
    flag: '--encoder',
    env: 'SCANNER_HLS_ENCODER',
    kind: 'string',
    describe: 'With --capture: ffmpeg or gstreamer (gst-launch-1.0, the 2009 pipeline shape).',
    apply(c, raw) {
      const s = str(raw);
      if (s !== 'ffmpeg' && s !== 'gstreamer') throw new Error('must be ffmpeg or gstreamer');
      c.encoder = s;
    },
  },
  {
    key: 'retentionSec',
    flag: '--retention',
    env: 'SCANNER_HLS_RETENTION',
    kind: 'string',
    defaultText: 'off',
    describe:
      'Replay and DVR: keep segments this long beyond the live window (e.g. 24h, 7d) for call replay, downloads and ?start=&end= playlists; off deletes them as they leave it.',
    apply(c, raw) {
      c.retentionSec = parseDurationSec(raw);
    },
  },
  {
    key: 'retentionMaxBytes',
    flag: '--retention-max-bytes',
    env: 'SCANNER_HLS_RETENTION_MAX_BYTES',
    kind: 'string',
    defaultText: 'no limit',
    describe:
      'With --retention: disk the retained segments may use (e.g. 20G); the oldest are deleted first.',
    apply(c, raw) {
      c.retentionMaxBytes = parseSizeBytes(raw);
    },
  },
  {
    key: 'callsRetentionSec',
    flag: '--calls-retention',
    env: 'SCANNER_HLS_CALLS_RETENTION',
    kind: 'string',
    defaultText: '30d',
    describe: 'How long calls stay in the call log (<state-dir>/calls.db), e.g. 30d or 365d.',
    apply(c, raw) {
      c.callsRetentionSec = parseDurationSec(raw);
    },
  },
  {
    key: 'callsMaxBytes',
    flag: '--calls-max-bytes',
    env: 'SCANNER_HLS_CALLS_MAX_BYTES',
    kind: 'string',
    defaultText: '256M',
    describe: 'Disk the call log may use (e.g. 256M); the oldest calls are deleted first.',
    apply(c, raw) {
      c.callsMaxBytes = parseSizeBytes(raw);
    },
  },
  {
    key: 'allowedSources',
    flag: '--allowed-sources',
    env: 'SCANNER_HLS_ALLOWED_SOURCES',
    kind: 'list',
    defaultText: 'this server only',
    describe:
      'Origins the page may play a playlist from with ?src= (e.g. https://feeds.example.org); repeatable. Any other ?src= is refused.',
    apply(c, raw) {
      c.allowedSources = listOf(raw, parseAllowedSource).map(parseAllowedSource);
    },
  },
  {
    key: 'liveAudio',
    flag: '--live-audio',
    env: 'SCANNER_HLS_LIVE_AUDIO',
    kind: 'boolean',
    describe:
      'Serve GET /live.mp3 (or /live.aac for AAC input): the live audio as one endless stream for VLC, car stereos and smart speakers, with ICY metadata.',
    apply(c, raw) {
      c.liveAudio = bool(raw);
    },
  },
  {
    key: 'liveAudioMaxListeners',
    flag: '--live-audio-max-listeners',
    env: 'SCANNER_HLS_LIVE_AUDIO_MAX_LISTENERS',
    kind: 'int',
    describe: 'With --live-audio: most listeners at once; the next one gets 503.',
    apply(c, raw) {
      c.liveAudioMaxListeners = num(raw, true, 1, 100_000);
    },
  },
  {
    key: 'relay',
    flag: '--relay',
    env: 'SCANNER_HLS_RELAY',
    kind: 'list',
    defaultText: '(none)',
    describe:
      'Relay the live MP3 to an Icecast server (a Broadcastify feed), unchanged: icecast://source:PASSWORD@HOST:PORT/MOUNT[?protocol=source|put&name=…&public=0] (protocol=source is the default); repeatable.',
    apply(c, raw) {
      c.relay = listOf(raw, parseRelaySpec);
    },
  },
  {
    key: 'relayTranscode',
    flag: '--relay-transcode',
    env: 'SCANNER_HLS_RELAY_TRANSCODE',
    kind: 'boolean',
    describe: 'With --relay and AAC input: transcode to MP3 with ffmpeg (Icecast feeds take MP3).',
    apply(c, raw) {
      c.relayTranscode = bool(raw);
    },
  },
  {
    key: 'callUpload',
    flag: '--call-upload',
    env: 'SCANNER_HLS_CALL_UPLOAD',
    kind: 'list',
    defaultText: '(none)',
    describe:
      'Upload each finished call: rdio-scanner:URL?key=KEY&system=ID or openmhz:URL?key=KEY&system=NAME; queued on disk and retried; repeatable.',
    apply(c, raw) {
      c.callUpload = listOf(raw, parseCallUploadSpec);
    },
  },
  {
    key: 'notify',
    flag: '--notify',
    env: 'SCANNER_HLS_NOTIFY',
    kind: 'list',
    defaultText: '(none)',
    describe:
      'POST an alert at call start and end: URL[?format=ntfy&talkgroup=…&channel=…&label=…&base=PUBLIC-URL] (filters are comma lists; base makes the call links absolute); repeatable.',
    apply(c, raw) {
      c.notify = listOf(raw, parseNotifySpec);
    },
  },
];

/** The defaults: the one place they are written (help text and README derive theirs from here). */
export function defaultConfig(): AppConfig {
  return {
    ingest: 'tcp://0.0.0.0:9999',
    ingestAllow: null,
    httpHost: '0.0.0.0',
    httpPort: 8080,
    out: './segments',
    stream: 'live',
    segmentDurationSec: 1,
    targetDurationSec: 0,
    window: 12,
    lowLatency: true,
    partDurationSec: 0.2,
    tlsCert: null,
    tlsKey: null,
    input: null,
    vod: false,
    stateDir: './.scanner-hls',
    program: null,
    logLevel: 'info',
    logFormat: 'text',
    scanner: null,
    controlToken: null,
    scannerPollMs: 250,
    labels: null,
    uploadUrl: null,
    capture: null,
    codec: 'mp3',
    bitrateKbps: 32,
    sampleRate: 22050,
    channels: 1,
    encoder: 'ffmpeg',
    retentionSec: 0,
    retentionMaxBytes: 0,
    callsRetentionSec: 30 * 86400,
    callsMaxBytes: 256 * 2 ** 20,
    allowedSources: [],
    liveAudio: false,
    liveAudioMaxListeners: 1000,
    relay: [],
    relayTranscode: false,
    callUpload: [],
    notify: [],
  };
}

/** How a setting's default shows in --help and the README: from defaultConfig(), unless the spec says it in words. */
export function defaultText(spec: OptionSpec): string {
  if (spec.defaultText) return spec.defaultText;
  const d = defaultConfig();
  const key = spec.key;
  if (key === 'http') return `${d.httpHost}:${d.httpPort}`;
  const v = d[key];
  return v === null || (Array.isArray(v) && v.length === 0) ? '(none)' : String(v);
}

/** The EXT-X-TARGETDURATION in force: the configured one, or ceil(segment duration). */
export function effectiveTargetDuration(
  cfg: Pick<AppConfig, 'segmentDurationSec' | 'targetDurationSec'>,
): number {
  return cfg.targetDurationSec || Math.ceil(cfg.segmentDurationSec);
}

function inside(parent: string, child: string): boolean {
  const rel = relative(resolve(parent), resolve(child));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Rules that span settings; throws ConfigError naming the setting. */
export function validateWhole(cfg: AppConfig): void {
  const td = effectiveTargetDuration(cfg);
  if (td < cfg.segmentDurationSec) {
    throw new ConfigError(
      `invalid --target-duration ${td}: must be at least the segment duration (${cfg.segmentDurationSec} s)`,
    );
  }
  // RFC 8216bis §6.2.2: the server MUST NOT remove a segment if the playlist would then be
  // shorter than three times the target duration.
  if (cfg.window * cfg.segmentDurationSec < 3 * td) {
    throw new ConfigError(
      `invalid --window ${cfg.window}: ${cfg.window} × ${cfg.segmentDurationSec} s is shorter than 3 × target duration (${3 * td} s); use at least ${Math.ceil((3 * td) / cfg.segmentDurationSec)}`,
    );
  }
  if (inside(cfg.out, cfg.stateDir)) {
    throw new ConfigError(
      `invalid --state-dir ${cfg.stateDir}: must not lie inside the served --out directory ${cfg.out}`,
    );
  }
  if ((cfg.tlsCert === null) !== (cfg.tlsKey === null)) {
    const missing = cfg.tlsCert === null ? '--tls-cert' : '--tls-key';
    const given = cfg.tlsCert === null ? '--tls-key' : '--tls-cert';
    throw new ConfigError(`invalid ${given}: it needs ${missing} as well`);
  }
  // Every part must fit inside its segment (RFC 8216bis §4.4.4.9: parts subdivide a segment).
  if (cfg.lowLatency && cfg.partDurationSec > cfg.segmentDurationSec / 2) {
    throw new ConfigError(
      `invalid --part-duration ${cfg.partDurationSec}: must be at most half the segment duration (${cfg.segmentDurationSec / 2} s)`,
    );
  }
  if (cfg.vod && !cfg.input)
    throw new ConfigError('invalid --vod: only valid with --input FILE.ts');
  if (cfg.retentionMaxBytes > 0 && cfg.retentionSec === 0)
    throw new ConfigError('invalid --retention-max-bytes: it needs --retention as well');
}
