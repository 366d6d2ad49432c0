// Linux capability names and numbers (<linux/capability.h>), and the
// translation of process.capabilities into numbered sets.
import { readFileSync } from 'node:fs';
import type { Capabilities } from '../spec/types.js';
import type { PlanCapabilities } from './types.js';
import { pointer, type Problems } from './errors.js';

/** Index = capability number. CAP_LAST_CAP is 40 on kernels since 5.9. */
export const CAPABILITY_NAMES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

const BY_NAME: ReadonlyMap<string, number> = new Map(CAPABILITY_NAMES.map((name, i) => [name, i]));

/** The capability number for an exact name ("CAP_KILL" -> 5), or undefined. */
export function capabilityNumber(name: string): number | undefined {
  return BY_NAME.get(name);
}

/** The name for a number (5 -> "CAP_KILL"), or undefined past CAP_LAST_CAP. */
export function capabilityName(n: number): string | undefined {
  return CAPABILITY_NAMES[n];
}

/** A hint for near misses such as "cap_kill" or "KILL". */
function suggestion(name: string): string {
  const upper = name.toUpperCase();
  const guess = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  return BY_NAME.has(guess) ? ` (did you mean "${guess}"?)` : '';
}

const SETS = ['bounding', 'effective', 'permitted', 'inheritable', 'ambient'] as const;

/** The highest capability the running kernel knows (/proc/sys/kernel/cap_last_cap); the table's last where unreadable. */
export function kernelCapLast(): number {
  try {
    const n = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim());
    if (Number.isInteger(n) && n >= 0) return n;
  } catch {
    // not mounted: assume this table
  }
  return CAPABILITY_NAMES.length - 1;
}

/**
 * Capabilities newer than the running kernel (a config written for a newer
 * one, e.g. CAP_CHECKPOINT_RESTORE before 5.9) cannot be granted: they are
 * dropped from every set with one warning naming them, not a failure.
 */
export function dropUnknownToKernel(caps: PlanCapabilities | null, capLast: number, warn: (message: string) => void): PlanCapabilities | null {
  if (caps === null) return null;
  const unknown = new Set<number>();
  for (const set of SETS) for (const n of caps[set]) if (n > capLast) unknown.add(n);
  if (unknown.size === 0) return caps;
  const names = [...unknown].sort((a, b) => a - b).map((n) => CAPABILITY_NAMES[n]);
  warn(`capabilities this kernel does not know are dropped: ${names.join(', ')} (cap_last_cap is ${capLast})`);
  const keep = (list: number[]): number[] => list.filter((n) => n <= capLast);
  return { bounding: keep(caps.bounding), effective: keep(caps.effective), permitted: keep(caps.permitted), inheritable: keep(caps.inheritable), ambient: keep(caps.ambient) };
}

/**
 * Number every set, sorted and de-duplicated. Unknown names are errors
 * (runc only warns and drops them, which silently changes what the
 * container may do). Ambient capabilities the kernel would refuse to raise
 * (not in both permitted and inheritable) are dropped with a warning, as
 * runc's own default config lists ambient capabilities without inheritable.
 */
export function planCapabilities(
  caps: Capabilities | undefined,
  problems: Problems,
  warn: (message: string) => void,
): PlanCapabilities | null {
  if (caps === undefined) return null;
  const out: PlanCapabilities = { bounding: [], effective: [], permitted: [], inheritable: [], ambient: [] };
  for (const set of SETS) {
    const numbers = new Set<number>();
    (caps[set] ?? []).forEach((name, i) => {
      const n = capabilityNumber(name);
      if (n === undefined) {
        problems.config(pointer('process', 'capabilities', set, i), `unknown capability "${name}"${suggestion(name)}`);
      } else {
        numbers.add(n);
      }
    });
    out[set] = [...numbers].sort((a, b) => a - b);
  }
  const permitted = new Set(out.permitted);
  out.effective.forEach((n) => {
    if (!permitted.has(n)) {
      const i = (caps.effective ?? []).indexOf(CAPABILITY_NAMES[n] ?? '');
      problems.config(
        pointer('process', 'capabilities', 'effective', i),
        `"${CAPABILITY_NAMES[n]}" is effective but not permitted (capset(2) would fail)`,
      );
    }
  });
  const inheritable = new Set(out.inheritable);
  const dropped = out.ambient.filter((n) => !permitted.has(n) || !inheritable.has(n));
  if (dropped.length > 0) {
    warn(
      `ignoring ambient capabilities not both permitted and inheritable: ${dropped.map((n) => CAPABILITY_NAMES[n]).join(', ')}`,
    );
    out.ambient = out.ambient.filter((n) => permitted.has(n) && inheritable.has(n));
  }
  return out;
}
