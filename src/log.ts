// The runts logger: pino, shaped the way containerd reads runc's --log back.
// Each line is one JSON object with a string "level" (error, warning, info,
// debug), "msg" and "time"; containerd reports the last "error" line as the
// failure message and gives up on the file at the first non-JSON line, so
// nothing else may ever reach a json log. --log-format text writes logrus'
// key=value lines instead, as runc does.
import { closeSync, openSync, writeSync } from 'node:fs';

export type LogFormat = 'text' | 'json';

export interface LogOptions {
  /** Log file (appended to); null → stderr. */
  file: string | null;
  format: LogFormat;
  debug: boolean;
}

export interface Logger {
  error(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  close(): void;
}

const LEVEL_NAMES: Record<string, string> = { warn: 'warning', fatal: 'fatal', error: 'error', info: 'info', debug: 'debug', trace: 'trace' };

/** logrus' text formatter: time="..." level=... msg="..." key=value. */
export function jsonLineToText(line: string): string {
  const rec = JSON.parse(line) as Record<string, unknown>;
  const parts = [`time=${JSON.stringify(rec.time)}`, `level=${String(rec.level)}`, `msg=${JSON.stringify(String(rec.msg ?? ''))}`];
  for (const [k, v] of Object.entries(rec)) {
    if (k === 'time' || k === 'level' || k === 'msg') continue;
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    parts.push(`${k}=${/^[\w./:-]+$/.test(s) ? s : JSON.stringify(s)}`);
  }
  return parts.join(' ') + '\n';
}

/** Seconds-precision RFC 3339 in UTC, as logrus writes it. */
function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

export async function createLogger(opts: LogOptions): Promise<Logger> {
  const { default: pino } = await import('pino');
  const fd = opts.file === null ? 2 : openSync(opts.file, 'a', 0o644);
  const stream = {
    write(line: string): void {
      writeSync(fd, opts.format === 'json' ? line : jsonLineToText(line));
    },
  };
  const log = pino(
    {
      level: opts.debug ? 'debug' : 'info',
      base: null,
      messageKey: 'msg',
      timestamp: () => `,"time":"${rfc3339(new Date())}"`,
      formatters: { level: (label: string) => ({ level: LEVEL_NAMES[label] ?? label }) },
    },
    stream,
  );
  const at =
    (level: 'error' | 'warn' | 'info' | 'debug') =>
    (msg: string, fields?: Record<string, unknown>): void => {
      if (fields) log[level](fields, msg);
      else log[level](msg);
    };
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    close: () => {
      if (fd !== 2) closeSync(fd);
    },
  };
}

/**
 * Without --log and --debug: warnings and info still reach stderr as logrus
 * text lines, as runc's do, without loading pino. Errors are printed by the
 * CLI itself ("runts: <message>"), so they are not repeated here.
 */
export function stderrLogger(): Logger {
  const line = (level: string) => (msg: string, fields?: Record<string, unknown>): void => {
    writeSync(2, jsonLineToText(JSON.stringify({ level, time: rfc3339(new Date()), msg, ...fields })));
  };
  return {
    error: () => {},
    warn: line('warning'),
    info: line('info'),
    debug: () => {},
    close: () => {},
  };
}

/** A logger that discards everything (before the global flags are known). */
export const silentLogger: Logger = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  close: () => {},
};
