// The features document's linux.seccomp: what runts recognises, and which
// architectures and flags libseccomp and the kernel here actually take.
import { bridge } from '../native/bridge.js';
import { SECCOMP_ACTIONS, SECCOMP_ARCHS, SECCOMP_FLAG, SECCOMP_FLAGS, SECCOMP_OPERATORS } from '../plan/seccomp.js';
import { compileSeccomp } from '../seccomp/compile.js';
import type { SeccompArch, SeccompFlag } from '../spec/types.js';

export interface SeccompProbe {
  /** Whether libseccomp knows this architecture. */
  archKnown(arch: SeccompArch): boolean;
  /** Whether the kernel takes this flag. */
  flagSupported(flag: SeccompFlag): boolean;
}

const ALLOW = 0x7fff0000;

export const hostSeccompProbe: SeccompProbe = {
  archKnown(arch) {
    try {
      // An empty filter for that architecture compiles only if libseccomp knows it.
      compileSeccomp({ defaultAction: ALLOW, flags: 0, architectures: [arch.slice('SCMP_ARCH_'.length).toLowerCase()], rules: [] });
      return true;
    } catch {
      return false;
    }
  },
  flagSupported: (flag) => bridge().seccompFlagSupported(SECCOMP_FLAG[flag]),
};

export function seccompFeatures(probe: SeccompProbe): Record<string, unknown> {
  return {
    enabled: true,
    actions: [...SECCOMP_ACTIONS],
    operators: [...SECCOMP_OPERATORS],
    archs: SECCOMP_ARCHS.filter((a) => probe.archKnown(a)),
    knownFlags: [...SECCOMP_FLAGS],
    supportedFlags: SECCOMP_FLAGS.filter((f) => probe.flagSupported(f)),
  };
}
