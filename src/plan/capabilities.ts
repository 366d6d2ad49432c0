// Linux capability names and numbers (<linux/capability.h>), and the
// translation of process.capabilities into numbered sets.
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
