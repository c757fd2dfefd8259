// src/logger.ts: the Logger interface the code depends on, backed by winston (readable text or JSON).
import winston from 'winston';

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

function wrap(w: winston.Logger): Logger {
  return {
    error: (m, meta) => void w.error(m, meta),
    warn: (m, meta) => void w.warn(m, meta),
    info: (m, meta) => void w.info(m, meta),
    debug: (m, meta) => void w.debug(m, meta),
    child: (scope) => wrap(w.child({ scope })),
  };
}

const textFormat = winston.format.printf((info) => {
  const { level, message, timestamp, scope, ...rest } = info;
  const extra = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
  const where = typeof scope === 'string' ? ` [${scope}]` : '';
  return `${String(timestamp)} ${level}${where} ${String(message)}${extra}`;
});

/** Creates the process logger, writing to stderr so stdout stays free for the start-up banner. */
export function createLogger(opts: { level: LogLevel; format: LogFormat }): Logger {
  const format =
    opts.format === 'json'
      ? winston.format.combine(winston.format.timestamp(), winston.format.json())
      : winston.format.combine(winston.format.timestamp(), textFormat);
  const w = winston.createLogger({
    level: opts.level,
    format,
    transports: [new winston.transports.Console({ stderrLevels: [...LOG_LEVELS] })],
  });
  // Children are prototype-linked to w in winston 3, so they follow its level.
  return { ...wrap(w), setLevel: (level) => void (w.level = level) };
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
