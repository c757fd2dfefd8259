// public/playback.js: playback that recovers by itself: hls.js (or native HLS) loading, retries with back-off,
// media-error recovery, play and pause, the live edge, and the message line for the player's state.
import {
  TEXT,
  audio,
  behind,
  jumpButton,
  noSignal,
  nothingPublished,
  playButton,
  playlist,
  playlistRefusal,
  say,
  shownMessage,
  state,
} from './page.js';

function clearRetry() {
  if (state.retryTimer) clearTimeout(state.retryTimer);
  state.retryTimer = 0;
}

/** Exponential back-off with jitter, about 1 s up to 15 s. */
export function scheduleRetry() {
  clearRetry();
  const base = Math.min(15000, 1000 * 2 ** Math.min(state.retryCount, 4));
  state.retryCount += 1;
  state.retryTimer = setTimeout(retryNow, base * (0.75 + Math.random() * 0.5));
}

export function retryNow() {
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
    settleOnStart();
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
    // Low-Latency HLS when the playlist has parts: hls.js starts PART-HOLD-BACK (3 parts) behind
    // the newest part and loads parts with blocking reloads. Without parts it plays 3 target
    // durations back, as the spec advises. No liveSyncDuration here: setting one would override
    // the server's PART-HOLD-BACK.
    lowLatencyMode: true,
    // A stall adds this much to the target delay (hls.js's default 1 s would double it for good).
    // Drift after long stalls is handled by keepNearLive(): hls.js's own liveMaxLatency settings
    // need a liveSync setting too, which would override PART-HOLD-BACK.
    liveSyncOnStallIncrease: 0.1,
    // Catch up gently when more than the target behind and there is buffer to spend.
    maxLiveSyncPlaybackRate: 1.2,
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

export function play() {
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
    settleOnStart();
    state.hls.startLoad(-1);
  } else if (!state.hls) {
    jumpToLive();
  }
  if (state.waitingForFeed || state.retryTimer) retryNow();
  tryPlay();
  refreshMessage();
}

export function pause() {
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

export function togglePlay() {
  if (state.wantPlay) pause();
  else play();
}

/** Believable delays, in seconds: outside this the clocks of server and phone disagree. */
const MAX_DELAY_SEC = 120;

/**
 * Seconds from the radio to the ear, or null when unknown. PROGRAM-DATE-TIME is the server's
 * clock when the audio arrived, so now − playingDate is the whole delay (encoder excluded) when
 * the two clocks agree; otherwise hls.js's distance to the live edge.
 */
function secondsBehind() {
  if (audio.readyState === 0) return null;
  if (state.hls) {
    const played = state.hls.playingDate;
    const measured = played ? (Date.now() - played.getTime()) / 1000 : NaN;
    if (measured > 0 && measured < MAX_DELAY_SEC) return measured;
    const latency = state.hls.latency;
    return Number.isFinite(latency) && latency > 0 ? latency : null;
  }
  const s = audio.seekable;
  if (s.length === 0) return null;
  return Math.max(0, s.end(s.length - 1) - audio.currentTime);
}

export function jumpToLive() {
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

/** Seconds past hls.js's target delay that count as drift, and how many checks in a row resync. */
const DRIFT_MIN_SEC = 1.5;
const DRIFT_CHECKS = 3;

/**
 * The settling check: this long after playback starts from a fresh load, a start more than
 * SETTLE_SLACK_SEC behind hls.js's target delay is moved to the live sync point once. hls.js picks
 * its start position from the playlist it loaded first, and the live edge moves on while the first
 * parts load, so it starts 0.2–0.4 s later than PART-HOLD-BACK; its catch-up rate cannot win that
 * back with a buffer of only three parts. Measured by bench:latency (one seek, 2 s after the start):
 * LL medians 1.0–1.13 s without it, 0.70–0.77 s with it.
 */
const SETTLE_AFTER_MS = 2000;
const SETTLE_SLACK_SEC = 0.2;

/** Arms the settling check for the playback that starts next (a new load, a resume at live). */
export function settleOnStart() {
  state.settleFrom = -1;
}

/** Called on the audio element's 'playing': starts the clock of an armed settling check. */
export function startedPlaying() {
  if (state.settleFrom === -1) state.settleFrom = performance.now();
}

/** The one settling seek; true when it is made or no longer due. */
function settle() {
  const hls = state.hls;
  if (state.settleFrom <= 0 || !hls) return false;
  if (performance.now() - state.settleFrom < SETTLE_AFTER_MS) return true;
  state.settleFrom = 0;
  const latency = hls.latency;
  const target = hls.targetLatency;
  const pos = hls.liveSyncPosition;
  if (
    Number.isFinite(latency) &&
    typeof target === 'number' &&
    latency > target + SETTLE_SLACK_SEC &&
    pos !== null &&
    Number.isFinite(pos) &&
    pos > audio.currentTime + 0.05
  ) {
    audio.currentTime = pos;
  }
  return true;
}

/**
 * Resync after drift (called once a second): when playback sits well behind hls.js's target
 * delay for three checks in a row (a long stall, a slow phone), jump to hls.js's live sync point.
 */
export function keepNearLive() {
  const hls = state.hls;
  if (!hls || !state.wantPlay || audio.paused) return;
  if (settle()) return;
  const latency = hls.latency;
  const target = hls.targetLatency;
  const drifted =
    Number.isFinite(latency) &&
    typeof target === 'number' &&
    latency > target + Math.max(DRIFT_MIN_SEC, target);
  state.driftChecks = drifted ? state.driftChecks + 1 : 0;
  if (state.driftChecks >= DRIFT_CHECKS) {
    state.driftChecks = 0;
    jumpToLive();
  }
}

export function showBehind() {
  const sec = state.wantPlay ? secondsBehind() : null;
  behind.textContent =
    sec === null ? '–' : `${sec < 10 ? sec.toFixed(1) : Math.round(sec)} s behind live`;
}

/** The message line: an explicit text, or what the current state means to a listener. */
export function refreshMessage(text) {
  if (text) return say(text);
  if (!playlist) return say(playlistRefusal);
  if (!state.engine) return say(TEXT.unsupported);
  if (state.replay) return say(TEXT.replaying);
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

export function renderPlayState() {
  const playing = state.wantPlay;
  playButton.dataset.state = playing ? 'playing' : 'paused';
  playButton.setAttribute('aria-label', playing ? 'Pause' : 'Play');
  if ('mediaSession' in navigator) {
    navigator.mediaSession.playbackState = playing ? 'playing' : 'paused';
  }
}
