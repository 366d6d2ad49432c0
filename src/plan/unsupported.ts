// Settings runts cannot apply yet. The init plan has no field for them, so
// accepting the config would run the container without them: for seccomp,
// AppArmor and SELinux that silently weakens its confinement. Each is
// refused by name until its support lands (then delete its line here).
import type { Spec } from '../spec/types.js';
import { pointer, type Problems } from './errors.js';

interface Unsupported {
  ptr: string;
  present: (spec: Spec) => boolean;
  what: string;
}

const UNSUPPORTED: readonly Unsupported[] = [
  {
    ptr: pointer('process', 'apparmorProfile'),
    present: (s) => (s.process?.apparmorProfile ?? '') !== '',
    what: 'AppArmor profiles',
  },
  {
    ptr: pointer('process', 'selinuxLabel'),
    present: (s) => (s.process?.selinuxLabel ?? '') !== '',
    what: 'SELinux process labels',
  },
  { ptr: pointer('linux', 'mountLabel'), present: (s) => (s.linux?.mountLabel ?? '') !== '', what: 'SELinux mount labels' },
  { ptr: pointer('process', 'scheduler'), present: (s) => s.process?.scheduler !== undefined, what: 'scheduling policies' },
  { ptr: pointer('process', 'ioPriority'), present: (s) => s.process?.ioPriority !== undefined, what: 'I/O priorities' },
  {
    ptr: pointer('process', 'execCPUAffinity'),
    present: (s) => s.process?.execCPUAffinity !== undefined,
    what: 'exec CPU affinity',
  },
  {
    ptr: pointer('linux', 'personality'),
    // The LINUX domain with no flags is what every process already has.
    present: (s) => {
      const p = s.linux?.personality;
      return p !== undefined && ((p.domain ?? 'LINUX') !== 'LINUX' || (p.flags ?? []).length > 0);
    },
    what: 'execution personalities',
  },
  { ptr: pointer('linux', 'memoryPolicy'), present: (s) => s.linux?.memoryPolicy !== undefined, what: 'NUMA memory policies' },
];

export function checkUnsupported(spec: Spec, problems: Problems): void {
  for (const u of UNSUPPORTED) {
    if (u.present(spec)) problems.config(u.ptr, `${u.what} are not supported yet by runts`);
  }
}
