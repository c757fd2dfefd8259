// public/media-session.js: the Media Session (lock screen): what is playing, as the scanner panel names it
// with the scanner-hls:now-playing event, and the play, pause and stop handlers.
import { STREAM } from './page.js';
import { pause, play } from './playback.js';

const nowPlaying = { title: STREAM, artist: 'Live scanner audio' };

export function updateMediaSession() {
  if (!('mediaSession' in navigator) || typeof window.MediaMetadata !== 'function') return;
  navigator.mediaSession.metadata = new window.MediaMetadata({
    title: nowPlaying.title,
    artist: nowPlaying.artist,
    album: 'scanner-hls',
  });
}

/** Listens for what is playing, and sets the lock-screen handlers and metadata. */
export function setupMediaSession() {
  // The scanner panel (or anything else) names what is playing: {title, artist}.
  window.addEventListener('scanner-hls:now-playing', (e) => {
    const d = e.detail || {};
    if (typeof d.title === 'string' && d.title) nowPlaying.title = d.title;
    if (typeof d.artist === 'string' && d.artist) nowPlaying.artist = d.artist;
    updateMediaSession();
  });
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
