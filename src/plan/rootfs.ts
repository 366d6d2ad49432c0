// The root filesystem: where it is on the host and how its mount propagates.
import type { Root } from '../spec/types.js';
import { pointer, type Problems } from './errors.js';
import { MS_PRIVATE, MS_REC, MS_SHARED, MS_SLAVE, MS_UNBINDABLE } from './linux-constants.js';
import { bundlePath } from './paths.js';

/**
 * runc's mapping: the plain names change "/" alone, the r-forms recurse.
 * (The schema only admits the plain names; runc also takes the r-forms.)
 */
const ROOTFS_PROPAGATION: ReadonlyMap<string, number> = new Map([
  ['shared', MS_SHARED],
  ['rshared', MS_SHARED | MS_REC],
  ['slave', MS_SLAVE],
  ['rslave', MS_SLAVE | MS_REC],
  ['private', MS_PRIVATE],
  ['rprivate', MS_PRIVATE | MS_REC],
  ['unbindable', MS_UNBINDABLE],
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
