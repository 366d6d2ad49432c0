// What the kernel prints, parsed, and what a config means in the kernel's
// terms (capability numbers, rlimit names in /proc/self/limits, mount flags):
// the suite's oracle, written from the man pages, not from runts' code.
import { readFileSync, readlinkSync } from 'node:fs';

export interface MountInfo {
  mountPoint: string;
  root: string;
  /** Per-mount options (rw/ro, nosuid, nodev, noexec, relatime...). */
  opts: string[];
  /** Optional fields: shared:N, master:N, propagate_from:N, unbindable. */
  optional: string[];
  fstype: string;
  source: string;
  superOpts: string[];
}

const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export function parseMountinfo(text: string): MountInfo[] {
  const out: MountInfo[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const dash = f.indexOf('-');
    if (dash < 6) continue;
    out.push({
      root: unescape(f[3]!),
      mountPoint: unescape(f[4]!),
      opts: f[5]!.split(','),
      optional: f.slice(6, dash),
      fstype: f[dash + 1]!,
      source: unescape(f[dash + 2]!),
      superOpts: (f[dash + 3] ?? '').split(','),
    });
  }
  return out;
}

/** The mount that is visible at `path` (the last one mounted there). */
export function mountAt(mounts: MountInfo[], path: string): MountInfo | undefined {
  return mounts.filter((m) => m.mountPoint === path).pop();
}

export const CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK',
  'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const;

/** The 64-bit mask of capability names, as /proc/self/status prints it (16 hex digits). */
export function capMask(names: string[] | undefined): string {
  let m = 0n;
  for (const n of names ?? []) {
    const i = CAPS.indexOf(n as (typeof CAPS)[number]);
    if (i < 0) throw new Error(`unknown capability ${n}`);
    m |= 1n << BigInt(i);
  }
  return m.toString(16).padStart(16, '0');
}

/** The capabilities this kernel knows (cap_last_cap), as a mask. */
export function kernelCapMask(): bigint {
  let last = CAPS.length - 1;
  try {
    last = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'));
  } catch {
    /* keep the table's */
  }
  return (1n << BigInt(last + 1)) - 1n;
}

export const RLIMIT_NAMES: Record<string, string> = {
  RLIMIT_CPU: 'Max cpu time',
  RLIMIT_FSIZE: 'Max file size',
  RLIMIT_DATA: 'Max data size',
  RLIMIT_STACK: 'Max stack size',
  RLIMIT_CORE: 'Max core file size',
  RLIMIT_RSS: 'Max resident set',
  RLIMIT_NPROC: 'Max processes',
  RLIMIT_NOFILE: 'Max open files',
  RLIMIT_MEMLOCK: 'Max locked memory',
  RLIMIT_AS: 'Max address space',
  RLIMIT_LOCKS: 'Max file locks',
  RLIMIT_SIGPENDING: 'Max pending signals',
  RLIMIT_MSGQUEUE: 'Max msgqueue size',
  RLIMIT_NICE: 'Max nice priority',
  RLIMIT_RTPRIO: 'Max realtime priority',
  RLIMIT_RTTIME: 'Max realtime timeout',
};

/** /proc/self/limits as name -> [soft, hard] (strings: a number or "unlimited"). */
export function parseLimits(text: string): Map<string, [string, string]> {
  const m = new Map<string, [string, string]>();
  for (const line of text.split('\n').slice(1)) {
    const name = line.slice(0, 26).trim();
    const rest = line.slice(26).trim().split(/\s+/);
    if (name && rest.length >= 2) m.set(name, [rest[0]!, rest[1]!]);
  }
  return m;
}

export const limitText = (v: number): string => (v >= 2 ** 64 - 1 || v < 0 ? 'unlimited' : String(v));

/** Host pid's namespace inode text, e.g. "net:[4026531840]". */
export function nsOf(pid: number | 'self', type: string): string {
  return readlinkSync(`/proc/${pid}/ns/${type}`);
}
