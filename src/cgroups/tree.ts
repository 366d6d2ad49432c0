// Directory work both hierarchies share: creating a cgroup path while
// remembering what was created, listing processes recursively, removing.
import { dirname, join } from 'node:path';
import { CgroupError, sleepSync, type CgroupFs } from './fs.js';

export function depth(path: string): number {
  return path.split('/').filter((p) => p !== '').length;
}

/**
 * mkdir -p of `dir` below `mountpoint` (which must exist). Appends each
 * directory it actually made to `created`, top-down, and returns the new ones.
 */
export function mkdirChain(fs: CgroupFs, mountpoint: string, dir: string, created: string[]): string[] {
  if (dir !== mountpoint && !dir.startsWith(mountpoint.endsWith('/') ? mountpoint : mountpoint + '/')) {
    throw new CgroupError(`${dir} is not below the hierarchy mounted at ${mountpoint}`);
  }
  const made: string[] = [];
  let cur = mountpoint;
  for (const part of dir.slice(mountpoint.length).split('/').filter((p) => p !== '')) {
    cur = join(cur, part);
    if (fs.mkdir(cur)) {
      made.push(cur);
      created.push(cur);
    }
  }
  return made;
}

/** Pids in cgroup.procs of dir (not recursive); [] when the cgroup is gone. */
export function readProcs(fs: CgroupFs, dir: string): number[] {
  let text: string;
  try {
    text = fs.read(join(dir, 'cgroup.procs'));
  } catch (e) {
    if (e instanceof CgroupError && e.code === 'ENOENT') return [];
    throw e;
  }
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** Pids of dir and of every cgroup below it, each once, parents first. */
export function procsRecursive(fs: CgroupFs, dir: string): number[] {
  if (!fs.exists(dir)) return [];
  const out = new Set<number>(readProcs(fs, dir));
  for (const sub of fs.subdirs(dir)) for (const p of procsRecursive(fs, join(dir, sub))) out.add(p);
  return [...out];
}

const RMDIR_RETRIES_MS = [10, 20, 40, 80, 160];

/**
 * rmdir, retrying EBUSY a few times: a cgroup whose last process was just
 * killed can stay busy until the kernel finishes tearing the task down.
 */
export function rmdirRetry(fs: CgroupFs, dir: string, pause: (ms: number) => void = sleepSync): void {
  for (let i = 0; ; i++) {
    try {
      fs.rmdir(dir);
      return;
    } catch (e) {
      if (e instanceof CgroupError && e.code === 'ENOENT') return;
      if (!(e instanceof CgroupError && e.code === 'EBUSY') || i >= RMDIR_RETRIES_MS.length) throw e;
      pause(RMDIR_RETRIES_MS[i]!);
    }
  }
}

/** The container's own cgroup and any cgroups its processes made inside it, deepest first. */
export function removeTree(fs: CgroupFs, dir: string, pause?: (ms: number) => void): void {
  if (!fs.exists(dir)) return;
  for (const sub of fs.subdirs(dir)) removeTree(fs, join(dir, sub), pause);
  rmdirRetry(fs, dir, pause);
}

/**
 * destroy() for both hierarchies: `leaves` are the container's cgroups
 * (removed with their sub-cgroups when runts created them), `created` every
 * directory runts made. Intermediate directories are removed only when empty:
 * a sibling container may still use them. Returns the created directories
 * that remain; throws after trying everything if a leaf could not go.
 */
export function destroyCreated(fs: CgroupFs, leaves: readonly string[], created: readonly string[], pause?: (ms: number) => void): string[] {
  const leafSet = new Set(leaves);
  const errors: string[] = [];
  const remaining: string[] = [];
  for (const dir of [...new Set(created)].sort((a, b) => depth(b) - depth(a))) {
    try {
      if (leafSet.has(dir)) removeTree(fs, dir, pause);
      else if (fs.exists(dir)) fs.rmdir(dir);
    } catch (e) {
      const code = e instanceof CgroupError ? e.code : undefined;
      remaining.push(dir);
      if (leafSet.has(dir) || (code !== 'EBUSY' && code !== 'ENOTEMPTY')) errors.push((e as Error).message);
    }
  }
  if (errors.length > 0) throw new CgroupError(`removing cgroups: ${errors.join('; ')}`);
  return remaining.sort((a, b) => depth(a) - depth(b));
}

export function parentDir(dir: string): string {
  return dirname(dir);
}

/** Whether `a` is a strict ancestor directory of `b`. */
export function isStrictAncestor(a: string, b: string): boolean {
  if (a === b) return false;
  return a === '/' || b.startsWith(a + '/');
}
