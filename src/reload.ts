// src/reload.ts: which settings change without a restart, and the plan for applying a reloaded config (pure).
import type { AppConfig } from './config.js';

/** Settings applied live on a config reload; every other change waits for a restart. */
export const LIVE_KEYS = ['logLevel', 'scannerPollMs', 'labels'] as const;
export type LiveKey = (typeof LIVE_KEYS)[number];

/** What a reload changes now, and what it leaves for the next start. */
export interface ReloadPlan {
  /** Live settings whose value changed, with the new values. */
  live: Partial<Pick<AppConfig, LiveKey>>;
  /** Keys whose new value takes effect only after a restart. */
  restart: (keyof AppConfig)[];
}

/** Compares the running config with a freshly loaded (already validated) one. */
export function planReload(current: Readonly<AppConfig>, next: Readonly<AppConfig>): ReloadPlan {
  const live: Partial<Pick<AppConfig, LiveKey>> = {};
  const restart: (keyof AppConfig)[] = [];
  for (const key of Object.keys(next) as (keyof AppConfig)[]) {
    if (current[key] === next[key]) continue;
    if ((LIVE_KEYS as readonly string[]).includes(key)) Object.assign(live, { [key]: next[key] });
    else restart.push(key);
  }
  return { live, restart };
}

/** The running config after a reload: live changes applied, restart-only keys unchanged. */
export function applyPlan(current: Readonly<AppConfig>, plan: ReloadPlan): AppConfig {
  return { ...current, ...plan.live };
}
