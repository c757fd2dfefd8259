// src/logger.ts: the Logger interface the code depends on, backed by winston (readable text or JSON), loaded at the first line logged.
import { createRequire } from 'node:module';
import type winston from 'winston';

const require = createRequire(import.meta.url);
/**
 * winston and its formats take about 30 ms to load, a tenth of a short --input run that logs
 * nothing at --log-level warn; so it is loaded (and cached by require) when the first line at an
 * enabled level is logged.
 */
function winstonModule(): typeof winston {
  return require('winston') as typeof winston;
}

/** Log levels, most severe first. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'text' | 'json';
export type LogMeta = Record<string, unknown>;

/** What every module logs through; child(scope) tags lines with the module name. */
export interface Logger {
  error(msg: string, meta?: LogMeta): void;
  warn(msg: string, meta?: LogMeta): void;
  info(msg: string, meta?: LogMeta): void;
  debug(msg: string, meta?: LogMeta): void;
  child(scope: string): Logger;
  /** Changes the level of this logger and its children (the process logger; config reload). */
  setLevel?(level: LogLevel): void;
}

function build(level: LogLevel, format: LogFormat): winston.Logger {
  const w = winstonModule();
  const textFormat = w.format.printf((info) => {
    const { level: lv, message, timestamp, scope, ...rest } = info;
    const extra = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
    const where = typeof scope === 'string' ? ` [${scope}]` : '';
    return `${String(timestamp)} ${lv}${where} ${String(message)}${extra}`;
  });
  return w.createLogger({
    level,
    format:
      format === 'json'
        ? w.format.combine(w.format.timestamp(), w.format.json())
        : w.format.combine(w.format.timestamp(), textFormat),
    transports: [new w.transports.Console({ stderrLevels: [...LOG_LEVELS] })],
  });
}

/** Creates the process logger, writing to stderr so stdout stays free for the start-up banner. */
export function createLogger(opts: { level: LogLevel; format: LogFormat }): Logger {
  let level = opts.level;
  let root: winston.Logger | null = null;
  const rootLogger = (): winston.Logger => (root ??= build(level, opts.format));
  const enabled = (l: LogLevel): boolean => LOG_LEVELS.indexOf(l) <= LOG_LEVELS.indexOf(level);
  const make = (scope: string | null): Logger => {
    let w: winston.Logger | null = null;
    const target = (): winston.Logger =>
      (w ??= scope === null ? rootLogger() : rootLogger().child({ scope }));
    const at =
      (l: LogLevel) =>
      (m: string, meta?: LogMeta): void => {
        if (enabled(l)) target()[l](m, meta);
      };
    return {
      error: at('error'),
      warn: at('warn'),
      info: at('info'),
      debug: at('debug'),
      child: (s) => make(s),
    };
  };
  return {
    ...make(null),
    setLevel: (l) => {
      level = l;
      if (root) root.level = l;
    },
  };
}

/** A logger that drops everything (tests). */
export const nullLogger: Logger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child: () => nullLogger,
};

/** A logger that records lines in memory (tests assert on warnings). */
export function memoryLogger(): Logger & {
  lines: { level: LogLevel; msg: string; meta?: LogMeta }[];
} {
  const lines: { level: LogLevel; msg: string; meta?: LogMeta }[] = [];
  const make = (): Logger => ({
    error: (msg, meta) => void lines.push({ level: 'error', msg, meta }),
    warn: (msg, meta) => void lines.push({ level: 'warn', msg, meta }),
    info: (msg, meta) => void lines.push({ level: 'info', msg, meta }),
    debug: (msg, meta) => void lines.push({ level: 'debug', msg, meta }),
    child: () => make(),
  });
  return Object.assign(make(), { lines });
}
