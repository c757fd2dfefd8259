// public/app.js: the listening page: hls.js (or native HLS) playback that recovers by itself, stream status over SSE, Media Session, the scanner hook.

const body = document.body;
const STREAM = body.dataset.stream || 'live';
const el = (id) => document.getElementById(id);
const audio = el('audio');
const playButton = el('play');
const volume = el('volume');
const behind = el('behind');
const jumpButton = el('jump-live');
const message = el('message');
const ingest = el('ingest');
const ingestText = el('ingest-text');

/** What a listener reads; no error codes, no jargon. */
const TEXT = {
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
};

/** The playlist to play: ?src= (validated http or https) or this server's /hls/<stream>.m3u8. */
function choosePlaylist() {
  const src = new URLSearchParams(location.search).get('src');
  if (src === null || src === '') {
    return {
      url: new URL(body.dataset.playlist || `/hls/${STREAM}.m3u8`, location.href).href,
      external: false,
    };
  }
  // An absolute http(s) URL (the server allows its origin in the CSP) or a path on this server.
  const isPath = src.startsWith('/') && !src.startsWith('//') && !src.startsWith('/\\');
  try {
    const url = isPath ? new URL(src, location.href) : new URL(src);
    if (url.protocol === 'http:' || url.protocol === 'https:') {
      return { url: url.href, external: url.origin !== location.origin };
    }
  } catch {
    // fall through: not a URL
  }
  return null;
}

const playlist = choosePlaylist();

/** hls.js where classic MediaSource exists; native HLS where it does not (iPhone); hls.js on ManagedMediaSource as a last resort. */
function chooseEngine() {
  const HlsCtor = window.Hls;
  const hlsOk = typeof HlsCtor === 'function' && HlsCtor.isSupported();
  const native = audio.canPlayType('application/vnd.apple.mpegurl') !== '';
  if (hlsOk && 'MediaSource' in window) return 'hls';
  if (native) return 'native';
  if (hlsOk) return 'hls';
  return null;
}

const state = {
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
  lastMediaRecovery: 0,
  /** The server answered 404 for the playlist: nothing published yet. */
  playlistMissing: false,
};

let shownMessage = '';
function say(text) {
  if (text === shownMessage) return;
  shownMessage = text;
  message.textContent = text;
}

function setPill(kind, text) {
  ingest.dataset.state = kind;
  ingestText.textContent = text;
}

// ---------- stream status (Server-Sent Events; the page never polls) ----------

/** True when this server says there is no playlist yet (only meaningful for our own /hls). */
function nothingPublished() {
  return !playlist.external && state.status !== null && state.status.mediaSequence === null;
}

function fmtTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '–' : d.toLocaleTimeString();
}

/**
 * True when the encoder is still connected but sends nothing (the server lists EXT-X-GAP segments
 * meanwhile). A disconnected encoder reads as offline instead.
 */
function noSignal() {
  const s = state.status;
  return !playlist.external && s !== null && s.ingest.connected && s.signal === 'no-signal';
}

function showStatus(s) {
  if (s.ingest.connected && s.signal === 'no-signal') setPill('no-signal', 'No signal');
  else setPill(s.ingest.connected ? 'live' : 'offline', s.ingest.connected ? 'Live' : 'Offline');
  el('d-codec').textContent = s.codecs.length ? s.codecs.join(', ').toUpperCase() : '–';
  el('d-bitrate').textContent =
    s.bitrateKbps === null ? '–' : `${Math.round(s.bitrateKbps)} kbit/s`;
  el('d-segments').textContent = String(s.segmentsPublished);
  el('d-last').textContent = fmtTime(s.lastSegmentAt);
}

function onStatus(s) {
  const before = state.status;
  state.status = s;
  showStatus(s);
  if (!state.wantPlay || !playlist) return;
  const changed = before === null || s.mediaSequence !== before.mediaSequence;
  // New media while we wait: try now instead of at the end of the back-off.
  if (changed && s.mediaSequence !== null && (state.waitingForFeed || state.retryTimer)) retryNow();
  refreshMessage();
}

function connectEvents() {
  const events = new EventSource('/api/events');
  events.addEventListener('status', (e) => {
    let s;
    try {
      s = JSON.parse(e.data);
    } catch {
      return;
    }
    onStatus(s);
  });
  events.addEventListener('error', () => {
    // EventSource reconnects by itself unless the server answered with an error status.
    setPill('lost', 'Reconnecting…');
    if (events.readyState === EventSource.CLOSED) setTimeout(connectEvents, 5000);
  });
}

// ---------- playback ----------

function clearRetry() {
  if (state.retryTimer) clearTimeout(state.retryTimer);
  state.retryTimer = 0;
}

/** Exponential back-off with jitter, about 1 s up to 15 s. */
function scheduleRetry() {
  clearRetry();
  const base = Math.min(15000, 1000 * 2 ** Math.min(state.retryCount, 4));
  state.retryCount += 1;
  state.retryTimer = setTimeout(retryNow, base * (0.75 + Math.random() * 0.5));
}

function retryNow() {
  clearRetry();
  if (!state.wantPlay) return;
  if (state.hls && state.manifestLoaded) state.hls.startLoad(-1);
  else load();
}

/** Points the engine at the playlist, unless the server says there is nothing to fetch yet. */
function load() {
  if (nothingPublished()) {
    state.waitingForFeed = true;
    refreshMessage();
    return;
  }
  state.waitingForFeed = false;
  if (state.hls) {
    state.manifestLoaded = false;
    state.hls.loadSource(playlist.url);
  } else {
    audio.src = playlist.url;
    audio.load();
    tryPlay();
  }
}

function tryPlay() {
  const p = audio.play();
  if (p && typeof p.catch === 'function') {
    p.catch((err) => {
      if (err && err.name === 'NotAllowedError') {
        state.wantPlay = false;
        state.blocked = true;
        renderPlayState();
        refreshMessage();
      }
      // AbortError: a new load interrupted play(); MANIFEST_PARSED or the next retry plays again.
    });
  }
}

function onHlsError(data) {
  const Hls = window.Hls;
  if (!data.fatal) return;
  if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
    const code = data.response && data.response.code;
    state.playlistMissing = code === 404 || code === 410;
    refreshMessage(state.playlistMissing ? TEXT.offline : TEXT.network);
    scheduleRetry();
  } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
    const now = Date.now();
    state.recovering = true;
    refreshMessage(TEXT.media);
    if (now - state.lastMediaRecovery < 5000) {
      // recoverMediaError did not hold: start over with a fresh instance.
      rebuildHls();
    } else {
      state.lastMediaRecovery = now;
      state.hls.recoverMediaError();
    }
  } else {
    state.recovering = true;
    rebuildHls();
  }
}

function createHls() {
  const Hls = window.Hls;
  const hls = new Hls({
    // Our playlists have no parts; the live edge is 3 target durations back, as the spec advises.
    lowLatencyMode: false,
    liveSyncDurationCount: 3,
    // Drifting more than 10 target durations behind (after a long stall) snaps back to live.
    liveMaxLatencyDurationCount: 10,
    backBufferLength: 30,
    // Few quiet retries inside hls.js for the first playlist; our own back-off takes over after.
    manifestLoadPolicy: {
      default: {
        maxTimeToFirstByteMs: 10000,
        maxLoadTimeMs: 20000,
        timeoutRetry: { maxNumRetry: 2, retryDelayMs: 0, maxRetryDelayMs: 0 },
        errorRetry: { maxNumRetry: 1, retryDelayMs: 1000, maxRetryDelayMs: 4000 },
      },
    },
  });
  hls.on(Hls.Events.MEDIA_ATTACHED, () => {
    if (state.wantPlay && state.manifestLoaded) tryPlay();
  });
  hls.on(Hls.Events.MANIFEST_PARSED, () => {
    state.manifestLoaded = true;
    state.playlistMissing = false;
    if (state.wantPlay) tryPlay();
  });
  hls.on(Hls.Events.LEVEL_UPDATED, () => {
    state.retryCount = 0;
    state.playlistMissing = false;
    if (state.jumpOnNextPlaylist) {
      state.jumpOnNextPlaylist = false;
      jumpToLive();
    }
  });
  hls.on(Hls.Events.FRAG_LOADED, () => {
    state.retryCount = 0;
  });
  hls.on(Hls.Events.ERROR, (_event, data) => onHlsError(data));
  hls.attachMedia(audio);
  return hls;
}

function rebuildHls() {
  clearRetry();
  if (state.hls) state.hls.destroy();
  state.hls = createHls();
  state.loadStopped = false;
  load();
}

function play() {
  if (!playlist || !state.engine) return;
  state.wantPlay = true;
  state.blocked = false;
  renderPlayState();
  if (!state.engineStarted) {
    state.engineStarted = true;
    jumpButton.disabled = false;
    if (state.engine === 'hls') state.hls = createHls();
    refreshMessage(TEXT.starting);
    load();
    return;
  }
  if (state.loadStopped && state.hls) {
    // Paused a while: the buffer is old news. Fetch again and go to the live edge.
    state.loadStopped = false;
    state.jumpOnNextPlaylist = true;
    state.hls.startLoad(-1);
  } else if (!state.hls) {
    jumpToLive();
  }
  if (state.waitingForFeed || state.retryTimer) retryNow();
  tryPlay();
  refreshMessage();
}

function pause() {
  state.wantPlay = false;
  clearRetry();
  audio.pause();
  // Stop downloading while paused: saves data and battery on phones.
  if (state.hls && state.manifestLoaded) {
    state.hls.stopLoad();
    state.loadStopped = true;
  }
  renderPlayState();
  refreshMessage();
}

function togglePlay() {
  if (state.wantPlay) pause();
  else play();
}

/** Seconds behind the live edge, or null when unknown. */
function secondsBehind() {
  if (audio.readyState === 0) return null;
  if (state.hls) {
    const latency = state.hls.latency;
    return Number.isFinite(latency) && latency > 0 ? latency : null;
  }
  const s = audio.seekable;
  if (s.length === 0) return null;
  return Math.max(0, s.end(s.length - 1) - audio.currentTime);
}

function jumpToLive() {
  if (state.hls) {
    const pos = state.hls.liveSyncPosition;
    if (pos !== null && Number.isFinite(pos) && Math.abs(audio.currentTime - pos) > 1) {
      audio.currentTime = pos;
    }
    return;
  }
  const s = audio.seekable;
  if (s.length) {
    const td = state.status ? state.status.targetDurationSec : 2;
    audio.currentTime = Math.max(s.start(s.length - 1), s.end(s.length - 1) - 3 * td);
  }
}

function showBehind() {
  const sec = state.wantPlay ? secondsBehind() : null;
  behind.textContent =
    sec === null ? '–' : `${sec < 10 ? sec.toFixed(1) : Math.round(sec)} s behind live`;
}

/** The message line: an explicit text, or what the current state means to a listener. */
function refreshMessage(text) {
  if (text) return say(text);
  if (!playlist) return say(TEXT.badSrc);
  if (!state.engine) return say(TEXT.unsupported);
  if (!state.wantPlay) {
    if (state.blocked) return say(TEXT.blocked);
    return say(state.engineStarted ? TEXT.paused : TEXT.idle);
  }
  const offline =
    state.playlistMissing ||
    state.waitingForFeed ||
    nothingPublished() ||
    (state.status !== null && !state.status.ingest.connected);
  const sounding = !audio.paused && !state.stalled && audio.readyState >= 3;
  if (sounding) return say(TEXT.playing);
  if (noSignal()) return say(TEXT.noSignal);
  if (offline) return say(TEXT.offline);
  if (state.retryTimer) return say(shownMessage);
  return say(state.stalled ? TEXT.buffering : TEXT.starting);
}

function renderPlayState() {
  const playing = state.wantPlay;
  playButton.dataset.state = playing ? 'playing' : 'paused';
  playButton.setAttribute('aria-label', playing ? 'Pause' : 'Play');
  if ('mediaSession' in navigator) {
    navigator.mediaSession.playbackState = playing ? 'playing' : 'paused';
  }
}

// ---------- Media Session (lock screen) and the scanner hook ----------

const nowPlaying = { title: STREAM, artist: 'Live scanner audio' };

function updateMediaSession() {
  if (!('mediaSession' in navigator) || typeof window.MediaMetadata !== 'function') return;
  navigator.mediaSession.metadata = new window.MediaMetadata({
    title: nowPlaying.title,
    artist: nowPlaying.artist,
    album: 'scanner-hls',
  });
}

function setupMediaSession() {
  if (!('mediaSession' in navigator)) return;
  const handlers = { play, pause, stop: pause };
  for (const [action, fn] of Object.entries(handlers)) {
    try {
      navigator.mediaSession.setActionHandler(action, () => fn());
    } catch {
      // This browser does not know the action.
    }
  }
  updateMediaSession();
}

/** The scanner panel (or anything else) names what is playing: {title, artist}. */
window.addEventListener('scanner-hls:now-playing', (e) => {
  const d = e.detail || {};
  if (typeof d.title === 'string' && d.title) nowPlaying.title = d.title;
  if (typeof d.artist === 'string' && d.artist) nowPlaying.artist = d.artist;
  updateMediaSession();
});

function loadScannerPanel() {
  if (body.dataset.scanner !== 'on') return;
  const css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = '/scanner.css';
  document.head.append(css);
  const js = document.createElement('script');
  js.type = 'module';
  js.src = '/scanner.js';
  document.head.append(js);
}

// ---------- volume and keys ----------

function setupVolume() {
  let saved = null;
  try {
    saved = localStorage.getItem('scanner-hls.volume');
  } catch {
    // storage off (private mode)
  }
  const v = saved === null ? 100 : Math.max(0, Math.min(100, Number(saved) || 0));
  volume.value = String(v);
  audio.volume = 0.5;
  if (audio.volume !== 0.5) {
    // iOS: volume belongs to the hardware buttons.
    volume.disabled = true;
    volume.title = 'Use your device’s volume buttons';
  }
  audio.volume = v / 100;
  volume.addEventListener('input', () => {
    audio.volume = Number(volume.value) / 100;
    try {
      localStorage.setItem('scanner-hls.volume', volume.value);
    } catch {
      // storage off
    }
  });
}

document.addEventListener('keydown', (e) => {
  if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
  if (e.target !== document.body) return;
  if (e.key === ' ' || e.key === 'k') {
    e.preventDefault();
    togglePlay();
  } else if (e.key === 'l') {
    jumpToLive();
  }
});

// ---------- wiring ----------

playButton.addEventListener('click', togglePlay);
jumpButton.addEventListener('click', () => {
  jumpToLive();
  if (!state.wantPlay) play();
});

audio.addEventListener('playing', () => {
  state.stalled = false;
  state.recovering = false;
  updateMediaSession();
  refreshMessage();
});
audio.addEventListener('waiting', () => {
  state.stalled = true;
  refreshMessage();
});
audio.addEventListener('stalled', () => {
  if (audio.readyState < 3) state.stalled = true;
});
audio.addEventListener('pause', () => {
  // Paused by the system (headphones out, another app): reflect it.
  if (state.wantPlay && !state.recovering && !state.stalled && audio.readyState > 0) {
    state.wantPlay = false;
    renderPlayState();
    refreshMessage();
  }
});
audio.addEventListener('timeupdate', showBehind);
audio.addEventListener('error', () => {
  if (state.engine !== 'native' || !state.wantPlay) return;
  refreshMessage(state.status && !state.status.ingest.connected ? TEXT.offline : TEXT.network);
  scheduleRetry();
});

state.engine = chooseEngine();
if (state.engine === 'hls' && !('MediaSource' in window)) audio.disableRemotePlayback = true;
if (!playlist || !state.engine) {
  playButton.disabled = true;
  volume.disabled = true;
}
setupVolume();
setupMediaSession();
renderPlayState();
refreshMessage();
setInterval(showBehind, 1000);
connectEvents();
loadScannerPanel();
