// Where this host mounts its cgroup hierarchies, for reading a container's
// cgroup files from the outside and for removing the suite's cgroups.
import { existsSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMountinfo } from './linux.ts';

/** controller (or "name=systemd", or "unified") -> mount point. */
export function cgroupMounts(): Map<string, string> {
  const m = new Map<string, string>();
  for (const mi of parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'))) {
    if (mi.fstype === 'cgroup2') m.set('unified', mi.mountPoint);
    if (mi.fstype !== 'cgroup') continue;
    for (const o of mi.superOpts) {
      if (['rw', 'ro', 'relatime', 'nosuid', 'nodev', 'noexec'].includes(o) || o.startsWith('release_agent')) continue;
      m.set(o, mi.mountPoint);
    }
  }
  return m;
}

export const isCgroupV2Only = (): boolean => {
  const m = cgroupMounts();
  return m.size === 1 && m.has('unified');
};

/** Removes a cgroup tree bottom-up in every hierarchy, killing anything left in it; returns what it found. */
export function removeCgroupTree(rel: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  for (const mount of cgroupMounts().values()) {
    if (seen.has(mount)) continue;
    seen.add(mount);
    const top = join(mount, rel);
    if (existsSync(top)) found.push(top);
    rmTree(top);
  }
  return found;
}

function rmTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) rmTree(join(dir, e.name));
  for (let i = 0; i < 50; i++) {
    try {
      rmdirSync(dir);
      return;
    } catch {
      for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      if (existsSync(join(dir, 'freezer.state'))) writeFileSync(join(dir, 'freezer.state'), 'THAWED');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}
