// The default SeccompCompiler: libseccomp, through the N-API bridge, after
// checking that the kernel takes every flag the filter will be loaded with
// (so that a flag it lacks fails the create, not the container's start).
import { bridge } from '../native/bridge.js';
import { SECCOMP_FLAG, SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_FILTER_FLAG_TSYNC_ESRCH, type SeccompCompiler, type SeccompProfile } from '../plan/seccomp.js';

const FLAG_NAMES: [string, number][] = [
  ...Object.entries(SECCOMP_FLAG),
  ['SECCOMP_FILTER_FLAG_NEW_LISTENER (for SCMP_ACT_NOTIFY)', SECCOMP_FILTER_FLAG_NEW_LISTENER],
  ['SECCOMP_FILTER_FLAG_TSYNC_ESRCH (TSYNC with SCMP_ACT_NOTIFY)', SECCOMP_FILTER_FLAG_TSYNC_ESRCH],
];

/** Throws naming the first flag of the profile this kernel does not take. */
export function checkSeccompFlags(profile: SeccompProfile): void {
  if (profile.flags === 0) return;
  const b = bridge();
  for (const [name, bit] of FLAG_NAMES) {
    if (profile.flags & bit && !b.seccompFlagSupported(bit)) throw new Error(`${name} is not supported by this kernel`);
  }
}

export const compileSeccomp: SeccompCompiler = (profile) => {
  checkSeccompFlags(profile);
  return bridge().compileSeccomp(profile);
};
