// src/ingest/capture-command.ts: buildCaptureCommand (pure): --capture alsa:…|pulse:… plus codec settings → an encoder command writing MPEG-TS to stdout.

/** Audio codecs the capture encoder can produce (both are segmented frame-accurately). */
export type CaptureCodec = 'mp3' | 'aac';
/** Which encoder program runs the capture. */
export type CaptureEncoder = 'ffmpeg' | 'gstreamer';

/** Everything the command depends on. */
export interface CaptureSettings {
  /** alsa:DEVICE (e.g. alsa:hw:0,4) or pulse:SOURCE (e.g. pulse:default). */
  capture: string;
  codec: CaptureCodec;
  bitrateKbps: number;
  sampleRate: number;
  channels: number;
  encoder: CaptureEncoder;
}

/** The command to run: argv[0] is the program; no shell is involved. */
export interface CaptureCommand {
  argv: string[];
  /** A shell-quoted form for the log and the banner. */
  display: string;
}

/** Sample rates both MP3 (MPEG-1/2/2.5 layer III) and AAC encoders accept. */
export const CAPTURE_SAMPLE_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000];

/** Splits alsa:hw:0,4 into its system and device; throws Error naming the accepted forms. */
/**
 * ffmpeg's MPEG-TS muxer set for low latency: one frame per PES (ffmpeg's default gathers 2930
 * bytes, 0.7 s at 32 kbit/s, and a part can only end once the PES after it starts), no muxing
 * delay, and each packet written at once: the packager cuts on what it has, so buffering only
 * adds latency.
 */
export const LOW_LATENCY_MUX_ARGS: readonly string[] = [
  '-pes_payload_size',
  '0',
  '-muxdelay',
  '0',
  '-muxpreload',
  '0',
  '-flush_packets',
  '1',
];

export function parseCaptureSpec(spec: string): { system: 'alsa' | 'pulse'; device: string } {
  const m = /^(alsa|pulse):(.+)$/.exec(spec);
  if (!m || !/^[\w.,:=@/-]+$/.test(m[2] ?? '')) {
    throw new Error('must be alsa:DEVICE (e.g. alsa:hw:0,4) or pulse:SOURCE (e.g. pulse:default)');
  }
  return { system: m[1] as 'alsa' | 'pulse', device: m[2] ?? '' };
}

function quote(a: string): string {
  // gst-launch's "!" links elements; shells only expand it interactively, so it stays bare.
  return a === '!' || /^[\w.,:=@/+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

function ffmpegArgv(s: CaptureSettings, system: string, device: string): string[] {
  const codec = s.codec === 'mp3' ? ['-c:a', 'libmp3lame'] : ['-c:a', 'aac'];
  return [
    'ffmpeg',
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'warning',
    '-f',
    system,
    '-ac',
    String(s.channels),
    '-ar',
    String(s.sampleRate),
    '-i',
    device,
    '-ac',
    String(s.channels),
    '-ar',
    String(s.sampleRate),
    ...codec,
    '-b:a',
    `${s.bitrateKbps}k`,
    ...LOW_LATENCY_MUX_ARGS,
    '-f',
    'mpegts',
    'pipe:1',
  ];
}

/**
 * The 2009 pipeline's shape, `alsasrc ! lamemp3enc ! mpegaudioparse ! mpegtsmux ! fdsink`, with
 * conversion and resampling to the asked format; AAC uses voaacenc (gst-plugins-bad) and aacparse.
 */
function gstreamerArgv(s: CaptureSettings, system: string, device: string): string[] {
  const src =
    system === 'alsa' ? ['alsasrc', `device=${device}`] : ['pulsesrc', `device=${device}`];
  const encode =
    s.codec === 'mp3'
      ? [
          'lamemp3enc',
          'target=bitrate',
          'cbr=true',
          `bitrate=${s.bitrateKbps}`,
          '!',
          'mpegaudioparse',
        ]
      : ['voaacenc', `bitrate=${s.bitrateKbps * 1000}`, '!', 'aacparse'];
  return [
    'gst-launch-1.0',
    '-q',
    ...src,
    '!',
    'audioconvert',
    '!',
    'audioresample',
    '!',
    `audio/x-raw,rate=${s.sampleRate},channels=${s.channels}`,
    '!',
    ...encode,
    '!',
    'mpegtsmux',
    '!',
    'fdsink',
    'fd=1',
  ];
}

/** Builds the encoder command for the settings (already validated by config.ts). */
export function buildCaptureCommand(s: CaptureSettings): CaptureCommand {
  const { system, device } = parseCaptureSpec(s.capture);
  const argv =
    s.encoder === 'ffmpeg' ? ffmpegArgv(s, system, device) : gstreamerArgv(s, system, device);
  return { argv, display: argv.map(quote).join(' ') };
}

/**
 * The ALSA capture node a numbered device needs (alsa:hw:C,D or plughw:C,D → /dev/snd/pcmCcDdc),
 * or null where only ALSA itself can tell (default, dsnoop, named cards, pulse:).
 */
export function captureDeviceNode(capture: string): string | null {
  const m = /^alsa:(?:plug)?hw:(\d+)(?:,(\d+))?$/.exec(capture);
  return m ? `/dev/snd/pcmC${m[1]}D${m[2] ?? '0'}c` : null;
}
