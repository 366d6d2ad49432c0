// The runtime-spec state document a hook reads on its stdin (runtime.md
// "State"): ociVersion, id, status, pid, bundle, annotations, in that order,
// as runc writes it (without runts state's rootfs, created and owner). pid is
// left out once the container is stopped, annotations when there are none;
// runc 1.1.5 does both.
import type { Status } from '../container/state-store.js';

export interface HookStateBase {
  ociVersion: string;
  id: string;
  bundle: string;
  annotations: Record<string, string>;
}

export interface HookStateDoc {
  ociVersion: string;
  id: string;
  status: Status;
  pid?: number;
  bundle: string;
  annotations?: Record<string, string>;
}

/** `pid` is the container init's pid as the runtime sees it (hooks run by runts are in the runtime namespace). */
export function hookState(base: HookStateBase, status: Status, pid: number | null): HookStateDoc {
  return {
    ociVersion: base.ociVersion,
    id: base.id,
    status,
    ...(status !== 'stopped' && pid !== null && pid > 0 ? { pid } : {}),
    bundle: base.bundle,
    ...(Object.keys(base.annotations).length > 0 ? { annotations: base.annotations } : {}),
  };
}
