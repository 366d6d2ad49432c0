// User namespace uid/gid mappings: checked here against the rules the kernel
// applies when /proc/<pid>/{uid,gid}_map is written, so a bad map fails with
// the config path instead of "write uid_map: invalid argument".
import type { LinuxIdMapping, Linux, User } from '../spec/types.js';
import type { PlanIdMapping } from './types.js';
import { pointer, type Problems } from './errors.js';
import type { NamespaceSet } from './namespaces.js';

/** The kernel's limit on lines in one uid_map/gid_map (since Linux 4.15). */
export const MAX_ID_MAP_LINES = 340;
const ID_LIMIT = 0xffffffff;

function overlaps(a0: number, aSize: number, b0: number, bSize: number): boolean {
  return a0 < b0 + bSize && b0 < a0 + aSize;
}

/**
 * The kernel's rules for one map, each broken one reported at its pointer;
 * `base` is where the array is ("linux", "uidMappings"). Also used for the
 * mappings of idmapped mounts, which go into a user namespace the same way.
 */
export function checkMappings(base: (string | number)[], maps: LinuxIdMapping[], problems: Problems): void {
  if (maps.length > MAX_ID_MAP_LINES) {
    problems.config(pointer(...base), `${maps.length} mappings; the kernel accepts at most ${MAX_ID_MAP_LINES}`);
  }
  maps.forEach((m, i) => {
    const at = pointer(...base, i);
    if (m.size === 0) {
      problems.config(`${at}/size`, 'mapping size must be greater than 0');
      return;
    }
    // (u32)-1 is never a valid id and first+size must not wrap.
    if (m.containerID + m.size > ID_LIMIT) {
      problems.config(`${at}/size`, `container ids ${m.containerID}+${m.size} run past ${ID_LIMIT - 1}`);
    }
    if (m.hostID + m.size > ID_LIMIT) {
      problems.config(`${at}/size`, `host ids ${m.hostID}+${m.size} run past ${ID_LIMIT - 1}`);
    }
    for (let j = 0; j < i; j++) {
      const o = maps[j];
      if (o === undefined || o.size === 0) continue;
      if (overlaps(m.containerID, m.size, o.containerID, o.size)) {
        problems.config(`${at}/containerID`, `container id range overlaps ${pointer(...base, j)}`);
      }
      if (overlaps(m.hostID, m.size, o.hostID, o.size)) {
        problems.config(`${at}/hostID`, `host id range overlaps ${pointer(...base, j)}`);
      }
    }
  });
}

function isMapped(id: number, maps: LinuxIdMapping[]): boolean {
  return maps.some((m) => id >= m.containerID && id < m.containerID + m.size);
}

export interface IdMappings {
  uidMappings: PlanIdMapping[];
  gidMappings: PlanIdMapping[];
}

/**
 * With a new user namespace both maps are required and the process's ids
 * must be inside them (setuid/setgroups would fail with EINVAL otherwise).
 * A joined user namespace already has its maps, which cannot be written
 * again, so any maps given are not passed on (checking that they match the
 * namespace's real ones needs /proc and is the runtime's job). Maps without
 * any user namespace are an error: runc ignores them silently, which runs
 * the container with host ids the author did not intend.
 */
export function planIdMappings(linux: Linux | undefined, user: User | undefined, ns: NamespaceSet, problems: Problems): IdMappings {
  const uids = linux?.uidMappings;
  const gids = linux?.gidMappings;
  if (!ns.has('user')) {
    if (uids !== undefined && uids.length > 0) {
      problems.config(pointer('linux', 'uidMappings'), 'uid mappings need a user namespace in /linux/namespaces');
    }
    if (gids !== undefined && gids.length > 0) {
      problems.config(pointer('linux', 'gidMappings'), 'gid mappings need a user namespace in /linux/namespaces');
    }
    return { uidMappings: [], gidMappings: [] };
  }
  if (!ns.isNew('user')) return { uidMappings: [], gidMappings: [] };

  if (uids === undefined || uids.length === 0) {
    problems.config(pointer('linux', 'uidMappings'), 'required with a new user namespace');
  }
  if (gids === undefined || gids.length === 0) {
    problems.config(pointer('linux', 'gidMappings'), 'required with a new user namespace');
  }
  checkMappings(['linux', 'uidMappings'], uids ?? [], problems);
  checkMappings(['linux', 'gidMappings'], gids ?? [], problems);

  if (uids !== undefined && uids.length > 0) {
    const uid = user?.uid ?? 0;
    if (!isMapped(uid, uids)) {
      problems.config(pointer('process', 'user', 'uid'), `uid ${uid} is not mapped by /linux/uidMappings`);
    }
  }
  if (gids !== undefined && gids.length > 0) {
    const gid = user?.gid ?? 0;
    if (!isMapped(gid, gids)) {
      problems.config(pointer('process', 'user', 'gid'), `gid ${gid} is not mapped by /linux/gidMappings`);
    }
    (user?.additionalGids ?? []).forEach((g, i) => {
      if (!isMapped(g, gids)) {
        problems.config(pointer('process', 'user', 'additionalGids', i), `gid ${g} is not mapped by /linux/gidMappings`);
      }
    });
  }
  const copy = (m: LinuxIdMapping): PlanIdMapping => ({ containerID: m.containerID, hostID: m.hostID, size: m.size });
  return { uidMappings: (uids ?? []).map(copy), gidMappings: (gids ?? []).map(copy) };
}
