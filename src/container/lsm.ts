// Which Linux security modules the host has enabled: asked before an exec
// that names an AppArmor profile or an SELinux label, so the refusal can say
// whether the host or runts is missing the support.
import { existsSync, readFileSync } from 'node:fs';
import type { HostLsm } from '../plan/exec-plan.js';

function apparmorEnabled(): boolean {
  try {
    return readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim().startsWith('Y');
  } catch {
    return false;
  }
}

/** selinuxfs is mounted (at its usual place) exactly when SELinux is enabled. */
function selinuxEnabled(): boolean {
  return existsSync('/sys/fs/selinux/enforce');
}

export function hostLsm(): HostLsm {
  return { apparmor: apparmorEnabled(), selinux: selinuxEnabled() };
}
