// Which cgroup hierarchy this host runs, and where each v1 controller lives.
//
//   unified (v2 only)  /sys/fs/cgroup is a cgroup2 mount (statfs magic
//                      CGROUP2_SUPER_MAGIC): one tree, every controller.
//   legacy / hybrid    /sys/fs/cgroup is a tmpfs holding one cgroup (v1)
//                      mount per hierarchy, some combined ("cpu,cpuacct"),
//                      some named ("name=systemd"). Hybrid systems add a
//                      cgroup2 mount at /sys/fs/cgroup/unified with no
//                      controllers of its own worth managing (systemd uses it
//                      to track processes). runts treats hybrid as v1: all
//                      resources go to the v1 controllers. It does, like runc
//                      1.1, put the container into the unified tree too (its
//                      path is kept as `unified` here, see v1.ts), which
//                      also gives it cgroup.kill there.
//
// The v1 mount points come from /proc/self/mountinfo, not from guessing
// names under /sys/fs/cgroup. Tests inject the mountinfo text and the
// cgroup2 probe; nothing here reads the host unless defaults are used.
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { CgroupError } from './fs.js';

export const CGROUP2_SUPER_MAGIC = 0x63677270;
export const DEFAULT_CGROUP_ROOT = '/sys/fs/cgroup';

/** The v1 controllers the kernel knows (anything else in the options is a mount option). */
export const V1_CONTROLLERS: readonly string[] = [
  'cpuset',
  'cpu',
  'cpuacct',
  'blkio',
  'memory',
  'devices',
  'freezer',
  'net_cls',
  'perf_event',
  'net_prio',
  'hugetlb',
  'pids',
  'rdma',
  'misc',
  'debug',
];

export interface MountInfoEntry {
  /** Directory the hierarchy is mounted on. */
  mountpoint: string;
  /** The cgroup of the hierarchy that appears at the mount point ("/" unless bind-mounted or namespaced). */
  root: string;
  fstype: string;
  /** Per-superblock options: for cgroup v1 they name the controllers. */
  superOptions: string[];
}

/** Undo mountinfo's octal escapes (\040 for a space, \011, \012, \134). */
function unescapeMountinfo(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * proc(5) mountinfo: "36 35 98:0 /root /mnt opts [optional...] - fstype source superopts".
 * Malformed lines are skipped rather than fatal: the file is the kernel's.
 */
export function parseMountinfo(text: string): MountInfoEntry[] {
  const out: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6 || fields.length < dash + 4) continue;
    out.push({
      root: unescapeMountinfo(fields[3]!),
      mountpoint: unescapeMountinfo(fields[4]!),
      fstype: fields[dash + 1]!,
      superOptions: fields[dash + 3]!.split(','),
    });
  }
  return out;
}

export interface V1Hierarchy {
  /** Controller names as /proc/self/cgroup spells them: "cpu", "cpuacct", "name=systemd". */
  controllers: string[];
  mountpoint: string;
  /** mountinfo root of this mount (see MountInfoEntry.root). */
  root: string;
}

export type CgroupLayout =
  | { version: 2; mountpoint: string }
  | {
      version: 1;
      hierarchies: V1Hierarchy[];
      /** Hybrid systems: the cgroup2 mount point (usually /sys/fs/cgroup/unified). */
      unified?: { mountpoint: string; root: string };
    };

export interface DetectOptions {
  /** Where the hierarchies hang (default /sys/fs/cgroup). */
  root?: string;
  /** Content of /proc/self/mountinfo (default: read it). */
  mountinfo?: string;
  /**
   * Whether path is the root of a cgroup2 mount (default: statfs f_type ==
   * CGROUP2_SUPER_MAGIC). Fake trees use cgroup2ByControllersFile.
   */
  isCgroup2?: (path: string) => boolean;
}

export function cgroup2ByStatfs(path: string): boolean {
  try {
    return statfsSync(path).type === CGROUP2_SUPER_MAGIC;
  } catch {
    return false;
  }
}

/** For fake trees: a cgroup2 root (and only it) has cgroup.controllers at its top. */
export function cgroup2ByControllersFile(path: string): boolean {
  return existsSync(join(path, 'cgroup.controllers'));
}

/** The v1 controllers one cgroup mount carries, from its super options. */
export function v1Controllers(superOptions: string[]): string[] {
  return superOptions.filter((o) => V1_CONTROLLERS.includes(o) || (o.startsWith('name=') && o.length > 5));
}

function under(path: string, dir: string): boolean {
  return dir === '/' || path === dir || path.startsWith(dir + '/');
}

export function detectCgroups(opts: DetectOptions = {}): CgroupLayout {
  const root = opts.root ?? DEFAULT_CGROUP_ROOT;
  const isCgroup2 = opts.isCgroup2 ?? cgroup2ByStatfs;
  if (isCgroup2(root)) return { version: 2, mountpoint: root };

  const mounts = parseMountinfo(opts.mountinfo ?? readFileSync('/proc/self/mountinfo', 'utf8'));
  // Mounts under the configured root first, so a stray bind mount elsewhere
  // never shadows the hierarchy the host actually uses.
  const ordered = [...mounts.filter((m) => under(m.mountpoint, root)), ...mounts.filter((m) => !under(m.mountpoint, root))];
  const hierarchies: V1Hierarchy[] = [];
  const seen = new Set<string>();
  for (const m of ordered) {
    if (m.fstype !== 'cgroup') continue;
    const controllers = v1Controllers(m.superOptions);
    if (controllers.length === 0) continue;
    const key = [...controllers].sort().join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    hierarchies.push({ controllers, mountpoint: m.mountpoint, root: m.root });
  }
  if (hierarchies.length === 0) {
    throw new CgroupError(`no cgroup hierarchy found: ${root} is not cgroup2 and mountinfo lists no cgroup v1 mounts`);
  }
  const v2 = ordered.find((m) => m.fstype === 'cgroup2');
  return v2 ? { version: 1, hierarchies, unified: { mountpoint: v2.mountpoint, root: v2.root } } : { version: 1, hierarchies };
}
