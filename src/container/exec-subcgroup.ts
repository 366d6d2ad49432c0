// exec --cgroup: run the process in an existing sub-cgroup of the container's
// own cgroups, as runc does. Each value is "[<controller>[,<controller>...]:]<path>";
// without controllers the path applies to every hierarchy (the only form on
// cgroup v2). Paths are relative to the container's cgroup and may not climb
// out of it; the sub-cgroups must exist already.
import { statSync } from 'node:fs';
import { posix } from 'node:path';
import type { SavedCgroups } from '../cgroups/manager.js';
import { RuntsError } from './errors.js';

function subPath(raw: string, value: string): string {
  const clean = posix.normalize(raw);
  if (raw === '' || raw.startsWith('/') || clean === '.' || clean === '..' || clean.startsWith('../')) {
    throw new RuntsError(`--cgroup ${value}: the sub-cgroup must be a path inside the container's cgroup`);
  }
  return clean.replace(/\/+$/, '');
}

/** The cgroup.procs files the exec'd process joins: the container's cgroups, with the requested sub-cgroups. */
export function subCgroupProcs(saved: SavedCgroups | undefined, values: readonly string[]): string[] {
  if (!saved) throw new RuntsError('--cgroup: the container has no cgroups of its own to hold a sub-cgroup');
  const dirs = new Map(Object.entries(saved.paths));
  for (const value of values) {
    const colon = value.indexOf(':');
    const controllers = colon >= 0 ? value.slice(0, colon).split(',').filter((c) => c !== '') : [];
    const sub = subPath(colon >= 0 ? value.slice(colon + 1) : value, value);
    if (controllers.length > 0 && saved.version === 2) {
      throw new RuntsError(`--cgroup ${value}: controller names select cgroup v1 hierarchies; on cgroup v2 give the path alone`);
    }
    for (const c of controllers) if (!dirs.has(c)) throw new RuntsError(`--cgroup ${value}: the container has no "${c}" cgroup`);
    for (const key of controllers.length > 0 ? controllers : [...dirs.keys()]) {
      dirs.set(key, posix.join(saved.paths[key]!, sub));
    }
  }
  for (const [key, dir] of dirs) {
    let ok = false;
    try {
      ok = statSync(dir).isDirectory();
    } catch {
      ok = false;
    }
    if (!ok) throw new RuntsError(`--cgroup: ${dir}${key ? ` (${key})` : ''}: no such cgroup`);
  }
  return [...new Set(dirs.values())].map((dir) => `${dir}/cgroup.procs`);
}
