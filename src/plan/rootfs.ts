// The root filesystem: where it is on the host and how its mount propagates.
import type { Root } from '../spec/types.js';
import { pointer, type Problems } from './errors.js';
import { MS_PRIVATE, MS_REC, MS_SHARED, MS_SLAVE, MS_UNBINDABLE } from './linux-constants.js';
import { bundlePath } from './paths.js';

/**
 * Every form is recursive. runtime-spec describes the propagation of the
 * whole rootfs tree; runc applies the plain names to "/" alone, which leaves
 * submounts copied from the host with the host's propagation (runc then
 * needs extra steps to keep the rootfs private). The schema admits only
 * the plain names; runc also takes the r-forms, so they are accepted too.
 */
const ROOTFS_PROPAGATION: ReadonlyMap<string, number> = new Map([
  ['shared', MS_SHARED | MS_REC],
  ['rshared', MS_SHARED | MS_REC],
  ['slave', MS_SLAVE | MS_REC],
  ['rslave', MS_SLAVE | MS_REC],
  ['private', MS_PRIVATE | MS_REC],
  ['rprivate', MS_PRIVATE | MS_REC],
  ['unbindable', MS_UNBINDABLE | MS_REC],
  ['runbindable', MS_UNBINDABLE | MS_REC],
]);

/** Host mounts still reach the container, but nothing it mounts reaches the host. */
export const DEFAULT_ROOTFS_PROPAGATION = MS_SLAVE | MS_REC;

export function planRootfsPropagation(value: string | undefined, problems: Problems): number {
  if (value === undefined || value === '') return DEFAULT_ROOTFS_PROPAGATION;
  const flags = ROOTFS_PROPAGATION.get(value);
  if (flags === undefined) {
    problems.config(
      pointer('linux', 'rootfsPropagation'),
      `unknown propagation "${value}" (expected one of ${[...ROOTFS_PROPAGATION.keys()].join(', ')})`,
    );
    return DEFAULT_ROOTFS_PROPAGATION;
  }
  return flags;
}

/** root.path, absolute: a relative one is taken relative to the bundle. */
export function planRootfs(root: Root | undefined, bundle: string, problems: Problems): string {
  if (root === undefined) {
    problems.config(pointer('root'), 'required on Linux');
    return '';
  }
  if (root.path === '') {
    problems.config(pointer('root', 'path'), 'must not be empty');
    return '';
  }
  return bundlePath(bundle, root.path);
}
