// What launcher.sh needs to hand out a server's address without a Node
// start (a container joining a running group): next to the socket,
// <socket>.runts-server holds "<pid> <start time>" (field 22 of
// /proc/<pid>/stat, so a pid reused after a crash does not pass) while the
// server listens, and a start that handed the address out leaves
// <socket>.runts-handed. Both are read and written under an flock of the
// socket directory (it stays, so the lock is always on the same inode),
// which orders a hand-out before or after the server's decision to exit
// (serve.ts) and a dead server's cleanup (delete-action.ts). Not in the
// namespace's runts root: that holds containers' state only.
import { closeSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { bridge } from '../native/bridge.js';
import { isAlive, readProcStat } from '../container/proc.js';

export class GroupFiles {
  readonly pidFile: string;
  readonly handed: string;

  private readonly dir: string;

  constructor(socket: string) {
    this.dir = dirname(socket);
    this.pidFile = `${socket}.runts-server`;
    this.handed = `${socket}.runts-handed`;
  }

  /** Records this process as the server listening on the socket. */
  publish(): void {
    const tmp = `${this.pidFile}.${process.pid}`;
    writeFileSync(tmp, `${process.pid} ${readProcStat(process.pid)?.startTime ?? ''}\n`);
    renameSync(tmp, this.pidFile);
  }

  /** Whether the server the pid file names still runs (throws when there is no pid file). */
  serverAlive(): boolean {
    const [pid, start] = readFileSync(this.pidFile, 'utf8').trim().split(' ');
    return isAlive(Number(pid), start ?? '');
  }

  /**
   * Runs `fn` holding the directory's lock. Without `wait`, null (and `fn`
   * not run) while someone else holds it.
   */
  locked<T>(fn: () => T, wait = false): T | null {
    const fd = openSync(this.dir, 'r');
    try {
      try {
        bridge().flock(fd, 'ex', !wait);
      } catch (e) {
        if (wait) throw e;
        return null;
      }
      return fn();
    } finally {
      closeSync(fd);
    }
  }
}
