// src/hot-reload.ts: HotReload: watches the --config and --labels files and applies valid edits live (thin adapter over reload.ts and labels.ts).
import { readFileSync } from 'node:fs';
import type { AppConfig } from './config.js';
import { ConfigError, errorMessage } from './errors.js';
import type { Logger, LogLevel } from './logger.js';
import { applyPlan, planReload } from './reload.js';
import { type Labels, parseLabels } from './scanner/labels.js';
import { watchFile } from './watch-file.js';

/** Reads and parses a labels file; throws ConfigError naming the file. */
export function loadLabelsFile(path: string): Labels {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read --labels ${path}: ${errorMessage(e)}`);
  }
  try {
    return parseLabels(text);
  } catch (e) {
    throw new ConfigError(`--labels ${path}: ${errorMessage(e)}`);
  }
}

/** Where live settings go. */
export interface LiveTargets {
  logLevel(level: LogLevel): void;
  scannerPollMs(ms: number): void;
  labels(labels: Labels): void;
}

export interface HotReloadOptions {
  config: Readonly<AppConfig>;
  /** The --config file to watch, and a loader that rebuilds the whole config (file, env, flags). */
  configFile: string | null;
  loadConfig: (() => AppConfig) | null;
  targets: LiveTargets;
  logger: Logger;
  /** Debounce of file events (tests shorten it). */
  debounceMs?: number;
}

/** Watches both files; an invalid edit is refused with a log line and the old values stay. */
export class HotReload {
  private current: AppConfig;
  private stopConfig: (() => Promise<void>) | null = null;
  private stopLabels: (() => Promise<void>) | null = null;
  private closed = false;

  constructor(private readonly opts: HotReloadOptions) {
    this.current = { ...opts.config };
    const { configFile, loadConfig } = opts;
    if (configFile && loadConfig) {
      this.stopConfig = watchFile(configFile, () => this.reloadConfig(), {
        debounceMs: opts.debounceMs,
      });
    }
    this.watchLabels();
  }

  /** The config in force (restart-only keys keep their start-up values). */
  get config(): Readonly<AppConfig> {
    return this.current;
  }

  /** Loads the config again and applies what can change live. True when it was accepted. */
  reloadConfig(): boolean {
    const { logger, loadConfig, configFile } = this.opts;
    if (!loadConfig || this.closed) return false;
    let next: AppConfig;
    try {
      next = loadConfig();
    } catch (e) {
      logger.error(`config reload refused: ${errorMessage(e)}; keeping the current settings`);
      return false;
    }
    const plan = planReload(this.current, next);
    for (const key of plan.restart) {
      logger.warn(
        `config reload: ${key} changed in ${configFile ?? 'the config'}; needs a restart`,
      );
    }
    const { live } = plan;
    if (live.labels !== undefined) {
      if (live.labels !== null) {
        try {
          this.opts.targets.labels(loadLabelsFile(live.labels));
        } catch (e) {
          logger.error(`config reload refused: ${errorMessage(e)}; keeping the current settings`);
          return false;
        }
      } else this.opts.targets.labels(parseLabels('{}'));
    }
    if (live.logLevel !== undefined) this.opts.targets.logLevel(live.logLevel);
    if (live.scannerPollMs !== undefined) this.opts.targets.scannerPollMs(live.scannerPollMs);
    this.current = applyPlan(this.current, plan);
    if (live.labels !== undefined) this.watchLabels();
    const changed = Object.entries(live).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    if (changed.length) logger.info(`config reloaded: ${changed.join(', ')}`);
    else if (!plan.restart.length) logger.info('config reloaded: nothing changed');
    return true;
  }

  /** Reads the labels file again. True when it was valid and applied. */
  reloadLabels(): boolean {
    const path = this.current.labels;
    if (!path || this.closed) return false;
    let labels: Labels;
    try {
      labels = loadLabelsFile(path);
    } catch (e) {
      this.opts.logger.error(
        `labels reload refused: ${errorMessage(e)}; keeping the current labels`,
      );
      return false;
    }
    this.opts.targets.labels(labels);
    const n = labels.talkgroups.size + labels.channels.size + labels.frequencies.size;
    this.opts.logger.info(`labels reloaded from ${path}: ${n} name(s)`);
    return true;
  }

  private watchLabels(): void {
    const old = this.stopLabels;
    this.stopLabels = null;
    void old?.();
    const path = this.current.labels;
    if (path && !this.closed) {
      this.stopLabels = watchFile(path, () => this.reloadLabels(), {
        debounceMs: this.opts.debounceMs,
      });
    }
  }

  /** Stops watching. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([this.stopConfig?.(), this.stopLabels?.()]);
  }
}
