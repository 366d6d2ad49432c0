// AppArmor and SELinux: which of them the host has, and what the plan asks
// of them (process.apparmorProfile, process.selinuxLabel, linux.mountLabel).
//
// runts-init applies a profile or label as an exec transition written just
// before the execve ("exec <profile>" to /proc/self/attr/apparmor/exec, the
// label to /proc/self/attr/exec), so runts-init itself never runs confined
// by it. The mount label becomes the context="..." option of the
// container's own filesystem mounts (and of the tmpfs over masked
// directories), as runc does.
//
// On a host without the module a profile or label cannot be honoured, and
// silently running unconfined would weaken the container: refused, naming
// the field. A mount label alone only labels files, and is ignored there
// (logged with --debug), as runc ignores it.
import { readFileSync } from 'node:fs';
import type { PlanMount } from './types.js';

/** Which Linux security modules this host has enabled. */
export interface HostLsm {
  apparmor: boolean;
  selinux: boolean;
}

export const NO_LSM: HostLsm = { apparmor: false, selinux: false };

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * AppArmor: the module says "Y" in /sys/module/apparmor/parameters/enabled.
 * SELinux: selinuxfs is mounted at /sys/fs/selinux (its "enforce" file is
 * there). Where securityfs shows the active modules (/sys/kernel/security/lsm)
 * the module must be listed there too. `read` returns a file's text or null
 * (tests pass their own).
 */
export function detectHostLsm(read: (path: string) => string | null = readOrNull): HostLsm {
  const active = read('/sys/kernel/security/lsm');
  const listed = (name: string) => active === null || active.trim().split(',').includes(name);
  const apparmor = (read('/sys/module/apparmor/parameters/enabled') ?? '').trim().startsWith('Y') && listed('apparmor');
  const selinux = read('/sys/fs/selinux/enforce') !== null && listed('selinux');
  return { apparmor, selinux };
}

/** A profile, label or context: written to /proc or into mount data, so no NUL and no newline. */
function badText(value: string): string | null {
  return /[\0\n]/.test(value) ? 'must not contain NUL or a newline' : null;
}

export interface LsmChoice {
  /** What runts-init writes, or null for nothing (no profile, or "unconfined" without AppArmor). */
  value: string | null;
  /** Why the value cannot be used, or null. */
  problem: string | null;
}

/** process.apparmorProfile: "" means none; "unconfined" needs no AppArmor to be honoured. */
export function chooseApparmorProfile(profile: string | undefined, lsm: HostLsm): LsmChoice {
  const p = profile ?? '';
  if (p === '') return { value: null, problem: null };
  const bad = badText(p);
  if (bad !== null) return { value: null, problem: bad };
  if (!lsm.apparmor) return { value: null, problem: p === 'unconfined' ? null : 'this host does not have AppArmor enabled' };
  return { value: p, problem: null };
}

/** process.selinuxLabel: "" means none. */
export function chooseSelinuxLabel(label: string | undefined, lsm: HostLsm): LsmChoice {
  const l = label ?? '';
  if (l === '') return { value: null, problem: null };
  const bad = badText(l);
  if (bad !== null) return { value: null, problem: bad };
  if (!lsm.selinux) return { value: null, problem: 'this host does not have SELinux enabled' };
  return { value: l, problem: null };
}

/** linux.mountLabel: the mount option to add, null without one (or without SELinux: `ignored` says so). */
export function chooseMountContext(label: string | undefined, lsm: HostLsm): LsmChoice & { ignored: boolean } {
  const l = label ?? '';
  if (l === '') return { value: null, problem: null, ignored: false };
  const bad = /[\0\n"]/.test(l) ? 'must not contain NUL, a newline or a double quote' : null;
  if (bad !== null) return { value: null, problem: bad, ignored: false };
  if (!lsm.selinux) return { value: null, problem: null, ignored: true };
  return { value: `context="${l}"`, problem: null, ignored: false };
}

/**
 * Filesystems that get no context= option: proc and sysfs label their files
 * themselves, cgroupfs likewise, and an mqueue mount reuses the superblock
 * its ipc namespace already has, so a context would not match it (EINVAL).
 */
const UNLABELLED_FSTYPES: ReadonlySet<string> = new Set(['proc', 'sysfs', 'cgroup', 'cgroup2', 'mqueue']);

const HAS_CONTEXT = /(^|,)(context|fscontext|defcontext|rootcontext)=/;

/** The mounts with `context` added to each that gets one (not binds, not UNLABELLED_FSTYPES, not already labelled). */
export function labelMounts(mounts: PlanMount[], context: string | null): PlanMount[] {
  if (context === null) return mounts;
  return mounts.map((m) => {
    if (m.bind || UNLABELLED_FSTYPES.has(m.fstype) || HAS_CONTEXT.test(m.data)) return m;
    return { ...m, data: m.data === '' ? context : `${m.data},${context}` };
  });
}
