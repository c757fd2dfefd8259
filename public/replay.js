// public/replay.js: replaying one call: its VOD playlist (/api/calls/ID.m3u8) in a second audio element with its own
// hls.js instance (native HLS where there is no MediaSource), while the live player is paused; one tap back to live.
import { el, replayAudio, state } from './page.js';
import { pause, play, refreshMessage } from './playback.js';

const bar = el('replay');
const title = el('replay-title');
const note = el('replay-note');
const liveButton = el('replay-live');

/** The replay's hls.js instance, or null (native HLS, or nothing replayed). */
let hls = null;
/** Live was playing when the replay began: it resumes by itself when the call ends. */
let resumeLive = false;

/** The texts of the replay bar. */
const NOTE = {
  loading: 'Loading the call…',
  playing: '',
  blocked: 'Press play to hear this call.',
  ended: 'End of the call.',
  gone: 'This call’s audio is no longer stored.',
  failed: 'This call could not be played.',
  noAudio: 'This call has no stored audio.',
};

function setNote(text) {
  note.textContent = text;
}

/** A short name for a call: its label, talkgroup name or frequency. */
export function callName(call) {
  if (call.label) return call.label;
  if (call.talkgroup_tag) return call.talkgroup_tag;
  if (typeof call.freq === 'number') return `${(call.freq / 1e6).toFixed(4)} MHz`;
  return call.talkgroup ? `Talkgroup ${call.talkgroup}` : 'Call';
}

function announce() {
  window.dispatchEvent(new CustomEvent('scanner-hls:replay', { detail: { call: state.replay } }));
}

function tryPlay() {
  const p = replayAudio.play();
  if (p && typeof p.catch === 'function') {
    p.catch((err) => {
      if (err && err.name === 'NotAllowedError') setNote(NOTE.blocked);
    });
  }
}

function teardown() {
  if (hls) hls.destroy();
  hls = null;
  replayAudio.pause();
  replayAudio.removeAttribute('src');
  delete replayAudio.dataset.src;
  delete replayAudio.dataset.callId;
  replayAudio.load();
}

function load(url) {
  const Hls = window.Hls;
  if (state.engine === 'hls' && Hls) {
    hls = new Hls({ lowLatencyMode: false, startPosition: 0 });
    hls.on(Hls.Events.MANIFEST_PARSED, tryPlay);
    hls.on(Hls.Events.ERROR, (_e, data) => {
      if (!data.fatal) return;
      const code = data.response && data.response.code;
      setNote(code === 404 || code === 410 ? NOTE.gone : NOTE.failed);
      if (hls) hls.destroy();
      hls = null;
    });
    hls.attachMedia(replayAudio);
    hls.loadSource(url);
  } else {
    replayAudio.src = url;
    tryPlay();
  }
}

/** Plays one call (a Call of /api/calls) from its start; live pauses meanwhile. */
export function playCall(call) {
  if (!call || !call.m3u8) {
    bar.hidden = false;
    title.textContent = call ? callName(call) : 'Call';
    setNote(NOTE.noAudio);
    return;
  }
  if (!state.replay) resumeLive = state.wantPlay;
  if (state.wantPlay) pause();
  teardown();
  state.replay = call;
  const when = new Date(call.start_time * 1000).toLocaleTimeString([], { hour12: false });
  title.textContent = `${callName(call)} · ${when}`;
  bar.hidden = false;
  setNote(NOTE.loading);
  const url = new URL(call.m3u8, location.href).href;
  replayAudio.dataset.src = url;
  replayAudio.dataset.callId = call.id;
  history.replaceState(
    null,
    '',
    `${location.pathname}${location.search}#call=${encodeURIComponent(call.id)}`,
  );
  refreshMessage();
  announce();
  load(url);
}

/** Leaves the replay; `live` true plays live again (one tap from the replay bar). */
export function stopReplay(live) {
  if (!state.replay) {
    if (live) play();
    return;
  }
  teardown();
  state.replay = null;
  bar.hidden = true;
  setNote('');
  if (location.hash.startsWith('#call=')) {
    history.replaceState(null, '', location.pathname + location.search);
  }
  announce();
  refreshMessage();
  if (live) play();
}

/** Play/pause of the replayed call (keyboard, lock screen). */
export function toggleReplay() {
  if (replayAudio.paused) tryPlay();
  else replayAudio.pause();
}

/** Wires the replay bar's buttons and the replay element's events. */
export function setupReplay() {
  liveButton.addEventListener('click', () => stopReplay(true));
  replayAudio.addEventListener('playing', () => setNote(NOTE.playing));
  replayAudio.addEventListener('ended', () => {
    setNote(NOTE.ended);
    if (resumeLive) stopReplay(true);
  });
}
