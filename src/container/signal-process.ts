// Signalling container processes without ever hitting a recycled pid: the
// pidfd pins the process, and the start time proves it is the one we made.
import { closeSync, readdirSync, readlinkSync } from 'node:fs';
import { bridge } from '../native/bridge.js';
import { loadCgroupManager, type CgroupManager, type SavedCgroups } from '../cgroups/manager.js';
import { ContainerNotRunning, RuntsError } from './errors.js';
import { isAlive, readProcStat } from './proc.js';
import { sleep } from './files.js';

function signalOne(pid: number, startTime: string | null, signal: number): void {
  const b = bridge();
  let pidfd: number;
  try {
    pidfd = b.pidfdOpen(pid);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') throw new ContainerNotRunning();
    throw e;
  }
  try {
    if (startTime !== null && !isAlive(pid, startTime)) throw new ContainerNotRunning();
    b.pidfdSendSignal(pidfd, signal);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') throw new ContainerNotRunning();
    if (code === 'EINVAL') throw new RuntsError('unable to signal init: invalid argument');
    throw e;
  } finally {
    closeSync(pidfd);
  }
}

function pidNamespace(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return null;
  }
}

/** Every process in the pid namespace `pid` lives in, `pid` first. */
export function pidsInNamespaceOf(pid: number): number[] {
  const ns = pidNamespace(pid);
  if (ns === null) return [];
  const out = [pid];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = Number(name);
    if (p !== pid && pidNamespace(p) === ns) out.push(p);
  }
  return out;
}

export interface InitRef {
  pid: number;
  pidStartTime: string;
  ownPidNamespace: boolean;
  /** The container's cgroups: "every process of the container" is what they hold. */
  cgroups?: SavedCgroups;
}

const SIGKILL = 9;

function cgroupOf(init: InitRef): CgroupManager | null {
  return init.cgroups ? loadCgroupManager(init.cgroups) : null;
}

/** Signals each pid, skipping those that exited meanwhile. */
function signalEach(pids: readonly number[], signal: number): void {
  for (const p of pids) {
    const st = readProcStat(p);
    if (!st) continue;
    try {
      signalOne(p, st.startTime, signal);
    } catch (e) {
      if (!(e instanceof ContainerNotRunning)) throw e;
    }
  }
}

/**
 * A paused container's processes cannot act on SIGKILL until thawed (v1
 * freezer): after one, thaw it so they die, as runc does.
 */
function thawAfterKill(cg: CgroupManager | null, signal: number): void {
  if (signal === SIGKILL && cg && cg.freezerState() !== 'thawed') cg.thaw();
}

/**
 * Sends `signal` to the container init, or with `all` to every process of the
 * container: those in its cgroup (SIGKILL through cgroup.kill where the
 * kernel has it); without a cgroup, those of its pid namespace when it has
 * one of its own, else only the init.
 */
export function signalContainer(init: InitRef, signal: number, all: boolean): void {
  signalOne(init.pid, init.pidStartTime, signal);
  const cg = cgroupOf(init);
  if (all && cg) {
    if (signal !== SIGKILL || !cg.kill()) signalEach(cg.pids().filter((p) => p !== init.pid), signal);
  } else if (all && init.ownPidNamespace) {
    signalEach(pidsInNamespaceOf(init.pid).slice(1), signal);
  }
  thawAfterKill(cg, signal);
}

/**
 * `kill --all`: as signalContainer, but with the cgroup frozen while its
 * processes are listed and signalled, so none forks past the signal (runc
 * does the same). A container that was paused stays paused (except after
 * SIGKILL, which needs it thawed to take effect).
 */
export async function signalAllProcesses(init: InitRef, signal: number): Promise<void> {
  const cg = cgroupOf(init);
  if (!cg) return signalContainer(init, signal, true);
  if (!isAlive(init.pid, init.pidStartTime)) throw new ContainerNotRunning();
  if (signal === SIGKILL && cg.kill()) return thawAfterKill(cg, signal);
  const wasThawed = cg.freezerState() === 'thawed';
  let froze = false;
  try {
    if (wasThawed) {
      await cg.freeze();
      froze = true;
    }
  } catch {
    // no freezer, or it would not freeze: signal them live
  }
  try {
    signalOne(init.pid, init.pidStartTime, signal);
    signalEach(cg.pids().filter((p) => p !== init.pid), signal);
  } finally {
    if (froze || signal === SIGKILL) cg.thaw();
  }
}

/**
 * Waits until the init has exited (a zombie counts as exited): in poll(2) on
 * its pidfd, which turns readable at the exit, or (no pidfd) in steps.
 */
export async function waitGone(init: InitRef, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const b = bridge();
  let pidfd = -1;
  try {
    pidfd = b.pidfdOpen(init.pid);
  } catch {
    // gone already, or no pidfd_open
  }
  try {
    let delay = 1;
    while (isAlive(init.pid, init.pidStartTime)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new RuntsError(`container init (pid ${init.pid}) did not exit within ${timeoutMs} ms`);
      if (pidfd >= 0) {
        await b.pollIn([pidfd], Math.min(left, 1000));
      } else {
        await sleep(delay);
        delay = Math.min(delay * 2, 50);
      }
    }
  } finally {
    if (pidfd >= 0) closeSync(pidfd);
  }
}
