// The lifecycle's side of src/cgroups: making a container's cgroups at
// create, reopening them from the stored state for the later commands, and
// emptying and removing them at delete (or after a failed create).
import type { CgroupManager, CgroupManagerOptions, SavedCgroups } from '../cgroups/manager.js';
import type { LinuxResources } from '../spec/types.js';
import type { Logger } from '../log.js';
import { bridge } from '../native/bridge.js';
import { RuntsError } from './errors.js';
import { sleep } from './files.js';

const SIGKILL = 9;

/** What every manager runts opens gets: warnings to the log, the bridge's eBPF loader for v2 device rules. */
export function managerOptions(log: Logger | null): CgroupManagerOptions {
  return {
    warn: (m) => log?.warn(m),
    loadDeviceProgram: (insns, dir) => bridge().loadDeviceProgram(insns, dir),
  };
}

/** A later command's view of the container's cgroups; null when it has none. */
export async function openCgroups(state: { cgroups?: SavedCgroups }, log: Logger | null = null): Promise<CgroupManager | null> {
  if (!state.cgroups) return null;
  const { loadCgroupManager } = await import('../cgroups/manager.js');
  return loadCgroupManager(state.cgroups, managerOptions(log));
}

/** The same, for commands that cannot work without one (pause, update, events, ps). */
export async function requireCgroups(state: { id: string; cgroups?: SavedCgroups }, log: Logger | null = null): Promise<CgroupManager> {
  const cg = await openCgroups(state, log);
  if (!cg) throw new RuntsError(`container ${state.id} has no cgroup of its own (runts could not create one for it)`);
  return cg;
}

/** exec: the cgroup.procs files runts-init writes itself into, one per directory, before it joins the namespaces. */
export function cgroupProcsFiles(saved: SavedCgroups): string[] {
  return [...new Set(Object.values(saved.paths))].map((dir) => `${dir}/cgroup.procs`);
}

/** Any resource set in linux.resources (rootless containers without one may go on without cgroups). */
export function hasResources(r: LinuxResources | undefined): boolean {
  return r !== undefined && Object.values(r).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0));
}

/**
 * create: the cgroups made and the resources applied, before runts-init
 * exists. On failure whatever was made is removed again.
 */
export async function setUpCgroups(opts: {
  id: string;
  cgroupsPath: string | undefined;
  resources: LinuxResources | undefined;
  log: Logger;
}): Promise<CgroupManager | null> {
  const { newCgroupManager } = await import('../cgroups/manager.js');
  const rootless = process.geteuid?.() !== 0;
  const cg = newCgroupManager({ id: opts.id, cgroupsPath: opts.cgroupsPath, skipDevices: rootless, ...managerOptions(opts.log) });
  try {
    cg.create();
  } catch (e) {
    // What create() made before failing (it records each directory) goes
    // again; when it refused an existing busy cgroup it made nothing.
    try {
      cg.destroy();
    } catch {
      // the busy cgroup is not ours to remove
    }
    // As runc does rootless: no cgroup of its own is fine when the config
    // asks for nothing that needs one.
    const code = (e as { code?: string }).code;
    if (rootless && (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') && opts.cgroupsPath === undefined && !hasResources(opts.resources)) {
      opts.log.debug(`running without a cgroup of its own: ${(e as Error).message}`);
      return null;
    }
    throw e;
  }
  try {
    cg.apply(opts.resources ?? {});
  } catch (e) {
    try {
      cg.destroy();
    } catch (e2) {
      opts.log.warn(`removing the cgroups after a failed create: ${(e2 as Error).message}`);
    }
    throw e;
  }
  return cg;
}

/** Waits until no process is left in the cgroup (and below). */
export async function waitEmpty(cg: CgroupManager, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  while (cg.hasProcesses()) {
    if (Date.now() > deadline) return false;
    await sleep(delay);
    delay = Math.min(delay * 2, 50);
  }
  return true;
}

/**
 * SIGKILL to everything in the cgroup: cgroup.kill where there is one (v2,
 * or the unified tree of a hybrid host), else each listed pid, repeated
 * until it stays empty (a process forked between listing and killing is
 * caught by the next round). A frozen cgroup is thawed so the signal lands.
 */
export async function killCgroup(cg: CgroupManager, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = cg.pids();
    if (pids.length === 0) return;
    if (!cg.kill()) {
      for (const pid of pids) {
        try {
          process.kill(pid, SIGKILL);
        } catch {
          // gone already
        }
      }
    }
    if (cg.freezerState() !== 'thawed') cg.thaw();
    if (await waitEmpty(cg, Math.min(500, Math.max(0, deadline - Date.now())))) return;
    if (Date.now() > deadline) {
      throw new RuntsError(`processes ${cg.pids().join(' ')} are still in the container's cgroup after SIGKILL`);
    }
  }
}

/** delete, failed create: nothing may be left running, then the directories go. */
export async function removeCgroups(cg: CgroupManager): Promise<void> {
  await killCgroup(cg);
  cg.destroy();
}
