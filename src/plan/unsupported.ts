// Settings runts cannot apply yet. The init plan has no field for them, so
// accepting the config would run the container without them: for seccomp
// that silently weakens its confinement. Each is refused by name until its
// support lands (then delete its line here).
import type { Spec } from '../spec/types.js';
import { pointer, type Problems } from './errors.js';

interface Unsupported {
  ptr: string;
  present: (spec: Spec) => boolean;
  what: string;
}

const UNSUPPORTED: readonly Unsupported[] = [
];

export function checkUnsupported(spec: Spec, problems: Problems): void {
  for (const u of UNSUPPORTED) {
    if (u.present(spec)) problems.config(u.ptr, `${u.what} are not supported yet by runts`);
  }
}
