// public/media-session.js: the Media Session (lock screen): the title of what is heard (the stream's ID3 cues,
// handed over by now-playing.js), else the scanner's live state (the scanner-hls:now-playing event), and the
// play, pause and stop handlers.
import { STREAM } from './page.js';

const fallback = { title: STREAM, artist: 'Live scanner audio' };
/** What the scanner's live state names (scanner.js); used until a cue says what is heard. */
const live = { title: '', artist: '' };
/** What the cues at the playback position name, or null before the first cue. */
let heard = null;
let handlers = { play: () => {}, pause: () => {} };

/** The metadata the lock screen shows now. */
function current() {
  if (heard) return heard;
  if (live.title) return { title: live.title, artist: live.artist || fallback.artist };
  return fallback;
}

/** Writes the current title and artist to the lock screen. */
export function updateMediaSession() {
  if (!('mediaSession' in navigator) || typeof window.MediaMetadata !== 'function') return;
  const m = current();
  const old = navigator.mediaSession.metadata;
  if (old && old.title === m.title && old.artist === m.artist) return;
  navigator.mediaSession.metadata = new window.MediaMetadata({
    title: m.title,
    artist: m.artist,
    album: 'scanner-hls',
  });
}

/** What is heard ({title, artist}), from the cues at the playback position; null: nothing known. */
export function setHeard(meta) {
  heard = meta && meta.title ? { title: meta.title, artist: meta.artist || 'Scanner' } : null;
  updateMediaSession();
}

/** The lock screen's play and pause go to these (the live player, or a replayed call). */
export function setMediaHandlers(next) {
  handlers = next;
}

/** Listens for the live state, and sets the lock-screen handlers and metadata. */
export function setupMediaSession() {
  // The scanner panel (or anything else) names what the scanner receives now: {title, artist}.
  window.addEventListener('scanner-hls:now-playing', (e) => {
    const d = e.detail || {};
    if (typeof d.title === 'string' && d.title) live.title = d.title;
    if (typeof d.artist === 'string' && d.artist) live.artist = d.artist;
    updateMediaSession();
  });
  if (!('mediaSession' in navigator)) return;
  const actions = {
    play: () => handlers.play(),
    pause: () => handlers.pause(),
    stop: () => handlers.pause(),
  };
  for (const [action, fn] of Object.entries(actions)) {
    try {
      navigator.mediaSession.setActionHandler(action, fn);
    } catch {
      // This browser does not know the action.
    }
  }
  updateMediaSession();
}
