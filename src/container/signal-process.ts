// Signalling container processes without ever hitting a recycled pid: the
// pidfd pins the process, and the start time proves it is the one we made.
import { closeSync, readdirSync, readlinkSync } from 'node:fs';
import { bridge } from '../native/bridge.js';
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
}

/**
 * Sends `signal` to the container init, or with `all` to every process of the
 * container. Without cgroups (a later stage) "every process" is known only
 * when the container has its own pid namespace; otherwise only init is signalled.
 */
export function signalContainer(init: InitRef, signal: number, all: boolean): void {
  signalOne(init.pid, init.pidStartTime, signal);
  if (!all || !init.ownPidNamespace) return;
  for (const p of pidsInNamespaceOf(init.pid).slice(1)) {
    const st = readProcStat(p);
    if (!st) continue;
    try {
      signalOne(p, st.startTime, signal);
    } catch (e) {
      if (!(e instanceof ContainerNotRunning)) throw e;
    }
  }
}

/** Waits until the init has exited (a zombie counts as exited). */
export async function waitGone(init: InitRef, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  while (isAlive(init.pid, init.pidStartTime)) {
    if (Date.now() > deadline) throw new RuntsError(`container init (pid ${init.pid}) did not exit within ${timeoutMs} ms`);
    await sleep(delay);
    delay = Math.min(delay * 2, 50);
  }
}
