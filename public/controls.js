// public/controls.js: volume (remembered; the hardware buttons on iOS) for both players, and the keyboard shortcuts.
import { audio, replayAudio, state, volume } from './page.js';
import { jumpToLive, togglePlay } from './playback.js';
import { stopReplay, toggleReplay } from './replay.js';

/** The volume slider, restored from the last visit. */
export function setupVolume() {
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
  replayAudio.volume = v / 100;
  volume.addEventListener('input', () => {
    audio.volume = Number(volume.value) / 100;
    replayAudio.volume = audio.volume;
    try {
      localStorage.setItem('scanner-hls.volume', volume.value);
    } catch {
      // storage off
    }
  });
}

/**
 * Space or k plays and pauses (the replayed call while there is one), l jumps to live (and leaves
 * a replay); only when nothing else has focus.
 */
export function setupKeys() {
  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.target !== document.body) return;
    if (e.key === ' ' || e.key === 'k') {
      e.preventDefault();
      if (state.replay) toggleReplay();
      else togglePlay();
    } else if (e.key === 'l') {
      if (state.replay) stopReplay(true);
      else jumpToLive();
    }
  });
}
