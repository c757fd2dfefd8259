// public/page.js: what the parts of the listening page share: its elements, the listener texts, the playlist it plays,
// the player state and what the last stream status says, and the message and pill lines.

export const body = document.body;
export const STREAM = body.dataset.stream || 'live';
export const el = (id) => document.getElementById(id);
export const audio = el('audio');
export const playButton = el('play');
export const volume = el('volume');
export const behind = el('behind');
export const jumpButton = el('jump-live');
/** The second audio element: a replayed call plays here while the live player is paused. */
export const replayAudio = el('replay-audio');
const message = el('message');
const ingest = el('ingest');
const ingestText = el('ingest-text');

/** What a listener reads; no error codes, no jargon. */
export const TEXT = {
  idle: 'Press play to listen.',
  starting: 'Tuning in…',
  playing: 'Playing live.',
  paused: 'Paused. Play resumes at live.',
  buffering: 'Buffering…',
  offline: 'The feed is offline. Playback starts again by itself when it comes back.',
  noSignal: 'No signal: the encoder stopped sending. Playback picks up by itself when it returns.',
  network: 'Can’t reach the server. Trying again…',
  media: 'The audio hiccupped. Recovering…',
  blocked: 'Your browser blocked playback. Press play to listen.',
  unsupported:
    'This browser can’t play live audio streams. Try a current Chrome, Firefox, Edge or Safari.',
  badSrc: 'The stream address in this link is not valid: it must start with http:// or https://.',
  srcNotAllowed: 'This page does not play streams from the address in this link',
  replaying: 'Replaying a call; live is paused. “Back to live” returns to it.',
};

/** Origins other than this server that ?src= may name (--allowed-sources, rendered by the server). */
const ALLOWED_SOURCES = (body.dataset.allowedSources || '').split(' ').filter(Boolean);

/**
 * The playlist to play: ?src= or this server's /hls/<stream>.m3u8. ?src= must be http(s) and on
 * this server or an origin in --allowed-sources; anything else is refused with a reason (the
 * page then loads nothing).
 */
function choosePlaylist() {
  const src = new URLSearchParams(location.search).get('src');
  if (src === null || src === '') {
    return {
      url: new URL(body.dataset.playlist || `/hls/${STREAM}.m3u8`, location.href).href,
      external: false,
    };
  }
  // An absolute http(s) URL or a path on this server.
  const isPath = src.startsWith('/') && !src.startsWith('//') && !src.startsWith('/\\');
  let url;
  try {
    url = isPath ? new URL(src, location.href) : new URL(src);
  } catch {
    return { refused: TEXT.badSrc };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { refused: TEXT.badSrc };
  if (url.origin !== location.origin && !ALLOWED_SOURCES.includes(url.origin)) {
    return { refused: `${TEXT.srcNotAllowed} (${url.origin})` };
  }
  return { url: url.href, external: url.origin !== location.origin };
}

const chosen = choosePlaylist();
/** The playlist to play, or null when ?src= was refused (playlistRefusal says why). */
export const playlist = chosen.refused ? null : chosen;
/** The one-line message for a refused ?src=, else ''. */
export const playlistRefusal = chosen.refused || '';

/** hls.js where classic MediaSource exists; native HLS where it does not (iPhone); hls.js on ManagedMediaSource as a last resort. */
export function chooseEngine() {
  const HlsCtor = window.Hls;
  const hlsOk = typeof HlsCtor === 'function' && HlsCtor.isSupported();
  const native = audio.canPlayType('application/vnd.apple.mpegurl') !== '';
  if (hlsOk && 'MediaSource' in window) return 'hls';
  if (native) return 'native';
  if (hlsOk) return 'hls';
  return null;
}

export const state = {
  /** The listener wants sound (pressed play and not pause). */
  wantPlay: false,
  /** play() was refused by the browser's autoplay policy. */
  blocked: false,
  /** Last StreamStatus from the server, or null before the first. */
  status: null,
  engine: null,
  engineStarted: false,
  hls: null,
  /** hls.js loaded the playlist since the last loadSource. */
  manifestLoaded: false,
  /** Nothing is published yet; load() runs when the status says there is. */
  waitingForFeed: false,
  /** Loading stopped while paused; resume at live. */
  loadStopped: false,
  jumpOnNextPlaylist: false,
  /** The audio element ran dry and waits for data. */
  stalled: false,
  /** A media recovery detaches the element; its pause events are ours, not the listener's. */
  recovering: false,
  retryTimer: 0,
  retryCount: 0,
  /** Once-a-second checks in a row that found playback drifted behind live. */
  driftChecks: 0,
  /**
   * When playback last started from a fresh load (performance.now()), until keepNearLive() has
   * made its one settling check; 0 when there is nothing to check.
   */
  settleFrom: 0,
  lastMediaRecovery: 0,
  /** The server answered 404 for the playlist: nothing published yet. */
  playlistMissing: false,
  /** The call being replayed (a Call of /api/calls), or null while the page is on live. */
  replay: null,
};

export let shownMessage = '';
export function say(text) {
  if (text === shownMessage) return;
  shownMessage = text;
  message.textContent = text;
}

export function setPill(kind, text) {
  ingest.dataset.state = kind;
  ingestText.textContent = text;
}

/** True when this server says there is no playlist yet (only meaningful for our own /hls). */
export function nothingPublished() {
  return !playlist.external && state.status !== null && state.status.mediaSequence === null;
}

/**
 * True when the encoder is still connected but sends nothing (the server lists EXT-X-GAP segments
 * meanwhile). A disconnected encoder reads as offline instead.
 */
export function noSignal() {
  const s = state.status;
  return !playlist.external && s !== null && s.ingest.connected && s.signal === 'no-signal';
}
