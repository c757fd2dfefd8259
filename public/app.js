// public/app.js: the listening page's entry module: wires the buttons and the audio element, starts playback support,
// stream status, the Media Session, the now-playing card and call replay, and loads the scanner panel and the
// recent calls when the server has a scanner.
// Plain browser ES modules (no build step), loaded by index.html as <script type="module">.
import { setupKeys, setupVolume } from './controls.js';
import { setMediaHandlers, setupMediaSession, updateMediaSession } from './media-session.js';
import { setupNowPlaying } from './now-playing.js';
import {
  TEXT,
  audio,
  body,
  chooseEngine,
  jumpButton,
  playButton,
  playlist,
  replayAudio,
  state,
  volume,
} from './page.js';
import {
  jumpToLive,
  keepNearLive,
  pause,
  play,
  refreshMessage,
  renderPlayState,
  scheduleRetry,
  showBehind,
  startedPlaying,
  togglePlay,
} from './playback.js';
import { setupReplay, stopReplay, toggleReplay } from './replay.js';
import { connectEvents } from './status-events.js';

// ---------- wiring ----------

// While a call is replayed, the live buttons go back to live in one tap.
playButton.addEventListener('click', () => (state.replay ? stopReplay(true) : togglePlay()));
jumpButton.addEventListener('click', () => {
  if (state.replay) return stopReplay(true);
  jumpToLive();
  if (!state.wantPlay) play();
});
setMediaHandlers({
  play: () => {
    if (!state.replay) play();
    else if (replayAudio.paused) toggleReplay();
  },
  pause: () => {
    if (!state.replay) pause();
    else if (!replayAudio.paused) toggleReplay();
  },
});

audio.addEventListener('playing', () => {
  startedPlaying();
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

// ---------- start-up ----------

/**
 * The scanner panel (public/scanner.js, the scanner's state now) and the recent calls
 * (public/calls.js), when the server has a scanner.
 */
function loadScannerPanel() {
  if (body.dataset.scanner !== 'on') return;
  const css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = '/scanner.css';
  document.head.append(css);
  for (const src of ['/scanner.js', '/calls.js']) {
    const js = document.createElement('script');
    js.type = 'module';
    js.src = src;
    document.head.append(js);
  }
}

state.engine = chooseEngine();
if (state.engine === 'hls' && !('MediaSource' in window)) audio.disableRemotePlayback = true;
if (!playlist || !state.engine) {
  playButton.disabled = true;
  volume.disabled = true;
}
setupVolume();
setupKeys();
setupMediaSession();
setupReplay();
setupNowPlaying();
renderPlayState();
refreshMessage();
setInterval(() => {
  showBehind();
  keepNearLive();
}, 1000);
connectEvents();
loadScannerPanel();
