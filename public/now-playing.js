// public/now-playing.js: the now-playing card and the lock-screen title follow what is heard: the ID3 cues at the
// playback position of the live or the replay element; the scanner's live state fills in before any cue, and is shown
// beside what is heard when the two differ.
import { heardStateAt, hasId3Cues, pruneId3Cues } from './cues.js';
import { setHeard } from './media-session.js';
import { STREAM, audio, el, replayAudio, state } from './page.js';

const card = el('now-playing');
const heading = el('np-heading');
const light = el('np-light');
const statusText = el('np-status-text');
const titleText = el('np-title');
const metaText = el('np-meta');
const nowLine = el('np-now');
const againButton = el('np-again');

/** The scanner's state now (GET /api/scanner plus label), from scanner.js; null before the first. */
let liveStatus = null;
/** The lock-screen metadata of the last call heard, kept while it is quiet. */
let lastHeardMeta = null;
/** The call log id of the last call heard (the cues' `call` field), for "Hear it again". */
let lastHeardCall = '';

function fmtMHz(v) {
  return typeof v === 'number' ? `${v.toFixed(4)} MHz` : null;
}

/** The live status as a card state. */
function fromLive(s) {
  if (!s) return null;
  return {
    frequencyMHz: s.frequencyMHz,
    channel: s.channel,
    bank: s.bank,
    talkgroup: s.talkgroup,
    label: s.label ?? null,
    squelchOpen: s.squelchOpen,
    title: null,
  };
}

/** A replayed call's record as a card state (when its segments carry no cue). */
function fromCall(c) {
  return {
    frequencyMHz: typeof c.freq === 'number' ? c.freq / 1e6 : null,
    channel: c.channel,
    bank: c.bank,
    talkgroup: c.talkgroup,
    label: c.label ?? c.talkgroup_tag ?? null,
    squelchOpen: !replayAudio.paused,
    title: null,
  };
}

/** What is heard, and where the card's values come from: 'heard' (cues), 'call' (the replayed record) or 'live'. */
function current() {
  if (state.replay) {
    const heard =
      replayAudio.readyState > 0 ? heardStateAt(replayAudio, replayAudio.currentTime) : null;
    return heard ? { s: heard, source: 'heard' } : { s: fromCall(state.replay), source: 'call' };
  }
  if (state.wantPlay && audio.readyState > 0) {
    const heard = heardStateAt(audio, audio.currentTime);
    if (heard) return { s: heard, source: 'heard' };
  }
  return { s: fromLive(liveStatus), source: 'live' };
}

function titleOf(s) {
  return s.title || s.label || fmtMHz(s.frequencyMHz) || '–';
}

function metaOf(s) {
  return [
    fmtMHz(s.frequencyMHz),
    s.channel === null ? null : `Channel ${s.channel}${s.bank === null ? '' : ` / bank ${s.bank}`}`,
    s.talkgroup ? `Talkgroup ${s.talkgroup}` : null,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** The lock-screen title and artist for a state, as the scanner panel names a channel. */
function mediaMeta(s) {
  const freq = fmtMHz(s.frequencyMHz);
  const artist = [
    s.channel === null ? null : `Channel ${s.channel}`,
    s.talkgroup ? `Talkgroup ${s.talkgroup}` : null,
    s.label ? freq : null,
  ]
    .filter(Boolean)
    .join(' · ');
  return { title: s.label ?? freq ?? STREAM, artist: artist || 'Scanner' };
}

/** True when the scanner now receives something other than what is heard. */
function differs(heard, live) {
  if (!live) return false;
  if (heard.squelchOpen !== live.squelchOpen) return true;
  if (!heard.squelchOpen) return false; // both quiet: the scan position does not matter
  return (
    fmtMHz(heard.frequencyMHz) !== fmtMHz(live.frequencyMHz) ||
    heard.channel !== live.channel ||
    (heard.talkgroup ?? null) !== (live.talkgroup ?? null)
  );
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

const HEADING = { heard: 'You are hearing', call: 'Replayed call', live: 'On the scanner now' };

function render() {
  const media = state.replay ? replayAudio : audio;
  if (card.dataset.cues !== 'true' && hasId3Cues(media)) card.dataset.cues = 'true';
  const { s, source } = current();
  card.dataset.source = source;
  setText(heading, HEADING[source]);
  if (!s) {
    card.dataset.onAir = 'false';
    setText(statusText, 'Waiting for the scanner');
    setText(titleText, '–');
    setText(metaText, '');
    nowLine.hidden = true;
    return;
  }
  card.dataset.onAir = String(s.squelchOpen);
  light.dataset.open = String(s.squelchOpen);
  setText(statusText, s.squelchOpen ? 'On air' : 'Quiet');
  setText(titleText, titleOf(s));
  setText(metaText, metaOf(s));
  const live = fromLive(liveStatus);
  if (source !== 'live' && live && differs(s, live)) {
    const what = live.squelchOpen
      ? `on air, ${[titleOf(live), metaOf(live)].join(' · ')}`
      : 'quiet';
    setText(nowLine, `Scanner now: ${what}`);
    nowLine.hidden = false;
  } else nowLine.hidden = true;
  if (source === 'heard' && s.squelchOpen && s.call) lastHeardCall = s.call;
  const callId = state.replay ? state.replay.id : lastHeardCall;
  card.dataset.call = callId;
  againButton.disabled = !callId;
  if (source === 'live') return;
  if (s.squelchOpen || source === 'call') lastHeardMeta = mediaMeta(s);
  setHeard(lastHeardMeta ?? { title: STREAM, artist: 'Quiet' });
}

/** Starts the card: it follows both audio elements, the cues and the live state. */
export function setupNowPlaying() {
  window.addEventListener('scanner-hls:scanner-status', (e) => {
    liveStatus = e.detail && typeof e.detail === 'object' ? e.detail : null;
    render();
  });
  window.addEventListener('scanner-hls:replay', render);
  for (const media of [audio, replayAudio]) {
    for (const type of ['timeupdate', 'seeked', 'playing', 'pause', 'emptied']) {
      media.addEventListener(type, render);
    }
  }
  // timeupdate comes every 250 ms at best; a cue boundary is met within 100 ms.
  setInterval(() => {
    const media = state.replay ? replayAudio : audio;
    if (!media.paused) render();
  }, 100);
  setInterval(() => {
    pruneId3Cues(audio, audio.currentTime);
    pruneId3Cues(replayAudio, replayAudio.currentTime);
  }, 10_000);
  render();
}
