// Which cgroups an exec'd process must be moved into. runts does not manage
// cgroups yet: a container init stays in the cgroups of the runts that
// created it. An exec'd process belongs with it, so runts-init moves itself
// into every cgroup (one per hierarchy) where the init's differs from runts'
// own, before joining any namespace; its child inherits them. Usually they
// are equal and nothing is written.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CgroupLine {
  /** Hierarchy id ("0" for the cgroup v2 unified hierarchy). */
  hierarchy: string;
  /** Controllers of a v1 hierarchy ("cpu,cpuacct", "name=systemd"); "" for v2. */
  controllers: string;
  path: string;
}

/** Parses /proc/<pid>/cgroup. */
export function parseProcCgroup(text: string): CgroupLine[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const a = l.indexOf(':');
      const b = l.indexOf(':', a + 1);
      return { hierarchy: l.slice(0, a), controllers: l.slice(a + 1, b), path: l.slice(b + 1) };
    });
}

interface CgroupMount {
  mountPoint: string;
  /** The cgroup shown at the mount point (mountinfo field 4). */
  root: string;
  /** v1: controllers and name= options; v2: null. */
  options: Set<string> | null;
}

/** Undo mountinfo's octal escapes (\040 for a space, ...). */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** cgroup and cgroup2 mounts listed in a mountinfo text. */
export function cgroupMounts(mountinfo: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const [fstype, , superOpts] = line.slice(sep + 3).split(' ');
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    out.push({
      mountPoint: unescape(pre[4] ?? ''),
      root: unescape(pre[3] ?? '/'),
      options: fstype === 'cgroup' ? new Set((superOpts ?? '').split(',')) : null,
    });
  }
  return out;
}

function mountFor(line: CgroupLine, mounts: readonly CgroupMount[]): CgroupMount | undefined {
  const candidates = mounts.filter((m) => {
    if (line.controllers === '') return m.options === null;
    if (m.options === null) return false;
    return line.controllers.split(',').every((c) => m.options!.has(c));
  });
  // The mount showing the whole hierarchy, or one whose root holds the path.
  return candidates.find((m) => m.root === '/') ?? candidates.find((m) => line.path === m.root || line.path.startsWith(`${m.root}/`));
}

/**
 * The cgroup.procs files to write runts-init's pid to so that it shares
 * every cgroup of the init (`init` and `self` are /proc/<pid>/cgroup texts).
 * Throws an Error naming the hierarchy whose mount cannot be found.
 */
export function cgroupProcsToJoin(self: string, init: string, mountinfo: string): string[] {
  const mine = new Map(parseProcCgroup(self).map((l) => [`${l.hierarchy}:${l.controllers}`, l.path]));
  const mounts = cgroupMounts(mountinfo);
  const out: string[] = [];
  for (const line of parseProcCgroup(init)) {
    if (mine.get(`${line.hierarchy}:${line.controllers}`) === line.path) continue;
    const m = mountFor(line, mounts);
    if (m === undefined) {
      throw new Error(`the container init is in cgroup ${line.path} of hierarchy ${line.hierarchy}:${line.controllers}, which is not mounted here`);
    }
    const rel = m.root === '/' ? line.path : line.path.slice(m.root.length);
    out.push(join(m.mountPoint, rel, 'cgroup.procs'));
  }
  return out;
}

/** cgroupProcsToJoin for the live processes: this one (runts-init inherits its cgroups) and the init. */
export function cgroupProcsForInit(initPid: number): string[] {
  return cgroupProcsToJoin(
    readFileSync('/proc/self/cgroup', 'utf8'),
    readFileSync(`/proc/${initPid}/cgroup`, 'utf8'),
    readFileSync('/proc/self/mountinfo', 'utf8'),
  );
}
