// `runts features`: the runtime-spec features document, describing what runts
// itself implements (not merely what the host kernel could do). Every claim
// here is exercised by a test; a capability runts lacks is reported as
// disabled rather than left out, so callers do not guess.
import { readFileSync } from 'node:fs';
import { CAPABILITY_NAMES } from '../plan/capabilities.js';
import { HOOK_KINDS } from '../plan/hooks.js';
import { detectHostLsm, type HostLsm } from '../plan/lsm.js';
import { MPOL_FLAGS, MPOL_MODES } from '../plan/memory-policy.js';
import { SUPPORTED_MOUNT_OPTIONS } from '../plan/mount-options.js';
import { NAMESPACE_ORDER } from '../plan/namespaces.js';
import { SPEC_VERSION } from '../container/state-store.js';
import { hostSeccompProbe, seccompFeatures, type SeccompProbe } from './seccomp-features.js';

/** Hook kinds runts runs; kept in step with src/hooks by test/unit/features.test.ts. */
export const SUPPORTED_HOOKS: readonly string[] = HOOK_KINDS;

function lastCapability(): number {
  try {
    return Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim());
  } catch {
    return CAPABILITY_NAMES.length - 1;
  }
}

export interface FeaturesOptions {
  version: string;
  /** Highest capability number the running kernel knows (cap_last_cap). */
  capLast?: number;
  /** What libseccomp and the kernel take (default: ask them). */
  seccomp?: SeccompProbe;
  /** The host's security modules. Default: detectHostLsm(). */
  lsm?: HostLsm;
}

export function buildFeatures(opts: FeaturesOptions): Record<string, unknown> {
  const capLast = opts.capLast ?? lastCapability();
  const lsm = opts.lsm ?? detectHostLsm();
  return {
    ociVersionMin: '1.0.0',
    ociVersionMax: SPEC_VERSION,
    hooks: [...SUPPORTED_HOOKS],
    mountOptions: [...SUPPORTED_MOUNT_OPTIONS],
    linux: {
      namespaces: [...NAMESPACE_ORDER].sort(),
      capabilities: CAPABILITY_NAMES.filter((_, n) => n <= capLast),
      // cgroupfs drivers for both hierarchies (src/cgroups; v2 device rules
      // through the bridge's eBPF loader); no systemd driver; rdma is written
      // where the controller exists but has not been tried on a host with one.
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false, rdma: false },
      seccomp: seccompFeatures(opts.seccomp ?? hostSeccompProbe),
      // Profiles and labels are applied (src/plan/lsm.ts) where the host has
      // the module and refused where it does not, so support is reported per
      // host, as runc reports it.
      apparmor: { enabled: lsm.apparmor },
      selinux: { enabled: lsm.selinux },
      memoryPolicy: { modes: Object.keys(MPOL_MODES), flags: Object.keys(MPOL_FLAGS) },
      intelRdt: { enabled: false },
      // uidMappings/gidMappings on bind mounts (options idmap/ridmap): src/plan/mounts.ts.
      mountExtensions: { idmap: { enabled: true } },
      netDevices: { enabled: false },
    },
    potentiallyUnsafeConfigAnnotations: [],
    annotations: {
      'org.opencontainers.runts.version': opts.version,
    },
  };
}
