// Signal names as runc accepts them: a number, or a name with or without the
// SIG prefix, in any case ("9", "KILL", "SIGKILL", "sigterm").
import { constants } from 'node:os';
import { RuntsError } from './errors.js';

const SIGNALS = constants.signals as Record<string, number>;

export function parseSignal(raw: string): number {
  if (/^\d+$/.test(raw)) return Number(raw);
  const name = raw.toUpperCase().replace(/^SIG/, '');
  const rt = /^RTMIN(?:\+(\d+))?$/.exec(name) ?? /^RTMAX(?:-(\d+))?$/.exec(name);
  if (rt) {
    const off = Number(rt[1] ?? 0);
    // glibc reserves 32 and 33: SIGRTMIN is 34, SIGRTMAX 64.
    const n = name.startsWith('RTMIN') ? 34 + off : 64 - off;
    if (n >= 34 && n <= 64) return n;
  }
  const n = SIGNALS[`SIG${name}`];
  if (n === undefined) throw new RuntsError(`unknown signal "${raw}"`);
  return n;
}

export function signalName(n: number): NodeJS.Signals | undefined {
  return Object.entries(SIGNALS).find(([, v]) => v === n)?.[0] as NodeJS.Signals | undefined;
}
