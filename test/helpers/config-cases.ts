// test/helpers/config-cases.ts: one good and one bad value for every setting in OPTIONS, with the accepted-range text its error must carry.
import type { AppConfig, Raw } from '../../src/config.js';

/** A setting's test values. */
export interface OptionCase {
  flag: string;
  /** A valid value, the config field it sets and the value stored there. */
  good: string;
  field: keyof AppConfig;
  value: unknown;
  /** Other flags the good value needs for the whole config to be valid (e.g. --vod needs --input). */
  needs?: string[];
  /** An invalid string (for a flag or a variable); null when every string is accepted. */
  bad: string | null;
  /** An invalid JSON-file value (default: bad). */
  badFile?: Raw;
  /** Text the error must contain after "invalid FLAG (SOURCE) VALUE: ". */
  message: string;
}

/** Every setting's cases; config tests check that this lists exactly the flags of OPTIONS. */
export const OPTION_CASES: readonly OptionCase[] = [
  {
    flag: '--ingest',
    good: 'udp://239.1.1.1:5004',
    field: 'ingest',
    value: 'udp://239.1.1.1:5004',
    bad: 'rtmp://host/live',
    message: 'must be one of',
  },
  {
    flag: '--ingest-allow',
    good: '10.0.0.0/8, ::1',
    field: 'ingestAllow',
    value: '10.0.0.0/8, ::1',
    bad: '10.0.0.0/33',
    message: '"10.0.0.0/33" is not ADDRESS[/PREFIX]',
  },
  {
    flag: '--http',
    good: '[::1]:8090',
    field: 'httpPort',
    value: 8090,
    bad: '8080',
    message: 'must be HOST:PORT, e.g. 0.0.0.0:8080',
  },
  {
    flag: '--out',
    good: '/srv/hls',
    field: 'out',
    value: '/srv/hls',
    bad: '',
    message: 'must be a directory path',
  },
  {
    flag: '--stream',
    good: 'fire_dispatch-2',
    field: 'stream',
    value: 'fire_dispatch-2',
    bad: 'fire dispatch',
    message: 'must be 1 to 64 of A-Z a-z 0-9 _ -',
  },
  {
    flag: '--segment-duration',
    good: '1.5',
    field: 'segmentDurationSec',
    value: 1.5,
    bad: '0.25',
    message: 'must be a number from 0.5 to 30 seconds',
  },
  {
    flag: '--target-duration',
    good: '4',
    field: 'targetDurationSec',
    value: 4,
    bad: '2.5',
    message: 'must be an integer from 0 to 60 seconds',
  },
  {
    flag: '--window',
    good: '20',
    field: 'window',
    value: 20,
    bad: 'many',
    message: 'must be an integer from 3 to 10000 segments',
  },
  {
    flag: '--low-latency',
    good: 'off',
    field: 'lowLatency',
    value: false,
    bad: 'fast',
    message: 'must be true or false',
  },
  {
    flag: '--part-duration',
    good: '0.3',
    field: 'partDurationSec',
    value: 0.3,
    bad: '0.01',
    message: 'must be a number from 0.05 to 2 seconds',
  },
  {
    flag: '--tls-cert',
    good: '/etc/ssl/scanner.pem',
    field: 'tlsCert',
    value: '/etc/ssl/scanner.pem',
    needs: ['--tls-key', '/etc/ssl/scanner.key'],
    bad: null,
    badFile: 5,
    message: 'must be a string',
  },
  {
    flag: '--tls-key',
    good: '/etc/ssl/scanner.key',
    field: 'tlsKey',
    value: '/etc/ssl/scanner.key',
    needs: ['--tls-cert', '/etc/ssl/scanner.pem'],
    bad: null,
    badFile: 5,
    message: 'must be a string',
  },
  {
    flag: '--input',
    good: 'recording.ts',
    field: 'input',
    value: 'recording.ts',
    bad: null,
    badFile: 5,
    message: 'must be a string',
  },
  {
    flag: '--vod',
    good: 'yes',
    field: 'vod',
    value: true,
    needs: ['--input', 'recording.ts'],
    bad: 'maybe',
    message: 'must be true or false',
  },
  {
    flag: '--state-dir',
    good: '/var/lib/scanner-hls',
    field: 'stateDir',
    value: '/var/lib/scanner-hls',
    bad: '',
    message: 'must be a directory path',
  },
  {
    flag: '--program',
    good: '2',
    field: 'program',
    value: 2,
    bad: '0',
    message: 'must be an integer from 1 to 65535',
  },
  {
    flag: '--log-level',
    good: 'debug',
    field: 'logLevel',
    value: 'debug',
    bad: 'loud',
    message: 'must be one of error, warn, info, debug',
  },
  {
    flag: '--log-format',
    good: 'json',
    field: 'logFormat',
    value: 'json',
    bad: 'xml',
    message: 'must be text or json',
  },
  {
    flag: '--scanner',
    good: '/dev/ttyUSB0:9600',
    field: 'scanner',
    value: '/dev/ttyUSB0:9600',
    bad: '/dev/ttyUSB0:96',
    message: 'must be sim or PATH[:BAUD], e.g. /dev/ttyUSB0:9600',
  },
  {
    flag: '--control-token',
    good: 's3cret-token',
    field: 'controlToken',
    value: 's3cret-token',
    bad: 'short',
    message: 'must be 8 to 256 printable characters without spaces',
  },
  {
    flag: '--scanner-poll-ms',
    good: '100',
    field: 'scannerPollMs',
    value: 100,
    bad: '10',
    message: 'must be an integer from 50 to 60000 ms',
  },
  {
    flag: '--labels',
    good: 'labels.json',
    field: 'labels',
    value: 'labels.json',
    bad: null,
    badFile: true,
    message: 'must be a string',
  },
  {
    flag: '--upload-url',
    good: 'https://origin.example/hls/',
    field: 'uploadUrl',
    value: 'https://origin.example/hls/',
    bad: 'ftp://origin.example/hls/',
    message: 'must be an http:// or https:// directory URL, e.g. http://origin/hls/',
  },
  {
    flag: '--capture',
    good: 'alsa:hw:0,4',
    field: 'capture',
    value: 'alsa:hw:0,4',
    bad: 'oss:/dev/dsp',
    message: 'must be alsa:DEVICE (e.g. alsa:hw:0,4) or pulse:SOURCE (e.g. pulse:default)',
  },
  {
    flag: '--codec',
    good: 'aac',
    field: 'codec',
    value: 'aac',
    bad: 'opus',
    message: 'must be mp3 or aac',
  },
  {
    flag: '--bitrate',
    good: '64',
    field: 'bitrateKbps',
    value: 64,
    bad: '7',
    message: 'must be an integer from 8 to 320 kbit/s',
  },
  {
    flag: '--sample-rate',
    good: '44100',
    field: 'sampleRate',
    value: 44100,
    bad: '12345',
    message: 'must be one of 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000 Hz',
  },
  {
    flag: '--channels',
    good: '2',
    field: 'channels',
    value: 2,
    bad: '3',
    message: 'must be an integer from 1 to 2 channels',
  },
  {
    flag: '--encoder',
    good: 'gstreamer',
    field: 'encoder',
    value: 'gstreamer',
    bad: 'vlc',
    message: 'must be ffmpeg or gstreamer',
  },
];
