// The shim's log: one JSON line per message (the runts Logger interface,
// so library calls can log through it), appended to a file in the bundle,
// or nowhere. Debug lines only with -debug.
import { appendFileSync } from 'node:fs';
import type { Logger } from '../log.js';

export function shimLogger(file: string | null, debug: boolean): Logger {
  const write = (level: string, msg: string, fields?: Record<string, unknown>): void => {
    if (file === null) return;
    try {
      appendFileSync(file, JSON.stringify({ level, msg, time: new Date().toISOString(), ...fields }) + '\n');
    } catch {
      // the bundle is gone
    }
  };
  return {
    error: (m, f) => write('error', m, f),
    warn: (m, f) => write('warning', m, f),
    info: (m, f) => write('info', m, f),
    debug: (m, f) => (debug ? write('debug', m, f) : undefined),
    close: () => {},
  };
}
