// The shim is the child subreaper: container inits and exec'd processes
// are reparented to it when runts-init exits. It reaps exactly the pids it
// was told to watch (waitpid(pid, WNOHANG) on SIGCHLD, and on a slow timer
// as a safety net), never waitpid(-1): that would steal the exits of
// the children Node itself spawned (runts-init).
import { constants } from 'node:os';
import { bridge } from '../native/bridge.js';

export interface ExitStatus {
  /** The process's exit status, or 128 + the signal that killed it. */
  status: number;
  at: Date;
}

export class Reaper {
  private readonly watched = new Map<number, (e: ExitStatus) => void>();
  private readonly timer: NodeJS.Timeout;
  private readonly onChld = (): void => this.poll();

  constructor() {
    bridge().setChildSubreaper(true);
    process.on('SIGCHLD', this.onChld);
    this.timer = setInterval(() => this.poll(), 500);
    this.timer.unref();
  }

  /** Calls `onExit` once `pid` (a child of this process, now or once reparented) has exited. */
  watch(pid: number, onExit: (e: ExitStatus) => void): void {
    this.watched.set(pid, onExit);
    this.poll();
  }

  private poll(): void {
    for (const [pid, onExit] of this.watched) {
      let r: { code?: number; signal?: number } | null;
      try {
        r = bridge().waitPid(pid);
      } catch {
        continue;
      }
      if (r === null) continue;
      this.watched.delete(pid);
      onExit({ status: r.code ?? 128 + (r.signal ?? 0), at: new Date() });
    }
  }

  close(): void {
    clearInterval(this.timer);
    process.off('SIGCHLD', this.onChld);
  }
}

export const SIGNALS = constants.signals as Record<string, number>;
