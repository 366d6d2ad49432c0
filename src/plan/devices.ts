// Device nodes: the defaults every container gets, merged with linux.devices.
import type { LinuxDevice } from '../spec/types.js';
import type { PlanDevice } from './types.js';
import { pointer, type Problems } from './errors.js';
import { cleanContainerPath } from './paths.js';

/** The nodes runtime-spec requires (and runc creates) in every container. */
export const DEFAULT_DEVICES: readonly PlanDevice[] = [
  { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/zero', type: 'c', major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/full', type: 'c', major: 1, minor: 7, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/random', type: 'c', major: 1, minor: 8, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/urandom', type: 'c', major: 1, minor: 9, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/tty', type: 'c', major: 5, minor: 0, fileMode: 0o666, uid: 0, gid: 0 },
];

/** dev_t as the kernel encodes it for mknod(2): 12-bit major, 20-bit minor. */
const MAX_MAJOR = 0xfff;
const MAX_MINOR = 0xfffff;

/**
 * Config entries override a default at the same path and are otherwise
 * appended in config order. The spec allows device paths anywhere in the
 * container (not only under /dev), but they must be absolute ("full path").
 * Two config entries at the same path are an error: one would silently lose.
 */
export function planDevices(devices: LinuxDevice[] | undefined, problems: Problems): PlanDevice[] {
  const byPath = new Map<string, PlanDevice>(DEFAULT_DEVICES.map((d) => [d.path, { ...d }]));
  const seen = new Map<string, number>();
  (devices ?? []).forEach((d, i) => {
    const at = (field: string) => pointer('linux', 'devices', i, field);
    if (!d.path.startsWith('/')) {
      problems.config(at('path'), `device path "${d.path}" must be absolute`);
      return;
    }
    const path = cleanContainerPath(d.path);
    if (path === '/' || path === '/dev') {
      problems.config(at('path'), `device path "${d.path}" would replace a directory the container needs`);
      return;
    }
    const first = seen.get(path);
    if (first !== undefined) {
      problems.config(at('path'), `duplicate device "${path}" (first at ${pointer('linux', 'devices', first)})`);
      return;
    }
    seen.set(path, i);
    let major = 0;
    let minor = 0;
    if (d.type !== 'p') {
      if (d.major === undefined) problems.config(pointer('linux', 'devices', i), `major is required for type "${d.type}"`);
      if (d.minor === undefined) problems.config(pointer('linux', 'devices', i), `minor is required for type "${d.type}"`);
      major = d.major ?? 0;
      minor = d.minor ?? 0;
      if (major < 0 || major > MAX_MAJOR) problems.config(at('major'), `major ${major} is outside 0..${MAX_MAJOR}`);
      if (minor < 0 || minor > MAX_MINOR) problems.config(at('minor'), `minor ${minor} is outside 0..${MAX_MINOR}`);
    }
    byPath.set(path, {
      path,
      type: d.type,
      major,
      minor,
      // The schema caps fileMode at 0o777; mask anyway so no type bits leak in.
      fileMode: (d.fileMode ?? 0o666) & 0o7777,
      uid: d.uid ?? 0,
      gid: d.gid ?? 0,
    });
  });
  return [...byPath.values()];
}
