// A logging binary (stdout "binary:///path?k=v"), started as containerd's
// runc shim starts one: the process's stdout and stderr reach it as the read
// ends of two pipes on fds 3 and 4, fd 5 is a pipe it writes to or closes
// once it is ready (create waits for that), its environment is
// CONTAINER_ID and CONTAINER_NAMESPACE (plus env.NAME query parameters),
// its arguments the query's keys and values, its stdio /dev/null.
//
// It runs in a session (and process group) of its own, so stop() can end
// whatever it started too: the shim is a child subreaper, so the logger's
// orphans become the shim's children, and stop() reaps those as well.
// stop() (at the process's Delete, as the runc shim does) first lets the
// logger read what is still in the pipes, then sends the group SIGTERM, and
// SIGKILL when it lingers. A shim that exits (process.exit) kills the
// loggers still running.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, readdirSync, readFileSync } from 'node:fs';
import { bridge } from '../native/bridge.js';
import { Code, ShimError } from './errors.js';
import type { LogTarget } from './log-uri.js';

const POLLIN = 1;
const POLLHUP = 16;
/** How long create waits for the logger to say it is ready. */
const READY_TIMEOUT_MS = 10_000;
/** How long stop() waits for the logger to read what the pipes still hold. */
const DRAIN_TIMEOUT_MS = 2000;
/** How long stop() waits after SIGTERM before SIGKILL (the runc shim gives 12 s). */
const TERM_TIMEOUT_MS = 10_000;
const KILL_TIMEOUT_MS = 2000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Loggers not yet stopped: killed (process group, SIGKILL) if the shim exits first. */
const running = new Set<BinaryLogger>();
let exitHook = false;

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // closed
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  // Only ever a logger's own group: kill(0) or kill(-1) would reach far more.
  if (!Number.isSafeInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: nothing left in the group
  }
}

/**
 * Reaps the zombies in process group `pgid` that are this process's
 * children (the logger's orphans, reparented to the subreaper shim), the
 * logger itself excepted: Node reaps its own child.
 */
function reapGroupOrphans(pgid: number, leader: number): void {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === leader) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (f[0] === 'Z' && Number(f[1]) === process.pid && Number(f[2]) === pgid) {
      try {
        bridge().waitPid(Number(name));
      } catch {
        // reaped meanwhile
      }
    }
  }
}

export interface LoggerOwner {
  /** CONTAINER_ID: the container's id (for an exec too, as in the runc shim). */
  id: string;
  /** CONTAINER_NAMESPACE: containerd's namespace. */
  namespace: string;
}

export class BinaryLogger {
  /** Write ends of the stdout and stderr pipes: for the process, or the shim's pty copy. The caller closes them. */
  readonly stdoutW: number;
  readonly stderrW: number;
  private readonly pid: number;
  private exited = false;
  /** The shim's own read ends: poll(2) on them tells when the logger has read everything. */
  private readonly readEnds: number[];
  private stopping: Promise<void> | null = null;

  private constructor(child: ChildProcess, fds: { stdoutW: number; stderrW: number; readEnds: number[] }) {
    this.pid = child.pid!;
    this.stdoutW = fds.stdoutW;
    this.stderrW = fds.stderrW;
    this.readEnds = fds.readEnds;
    child.once('exit', () => (this.exited = true));
    running.add(this);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', () => {
        for (const l of running) signalGroup(l.pid, 'SIGKILL');
      });
    }
  }

  /** Starts the logger and waits until it is ready; throws (leaving nothing behind) if it cannot start or never gets ready. */
  static async start(target: Extract<LogTarget, { kind: 'binary' }>, owner: LoggerOwner): Promise<BinaryLogger> {
    const b = bridge();
    /** fds still ours to close if this fails. */
    const fds: number[] = [];
    const take = (fd: number): number => (fds.splice(fds.indexOf(fd), 1), fd);
    let logger: BinaryLogger | null = null;
    try {
      const [outR, outW] = b.pipe();
      fds.push(outR, outW);
      const [errR, errW] = b.pipe();
      fds.push(errR, errW);
      const [readyR, readyW] = b.pipe();
      fds.push(readyR, readyW);
      const child = spawn(target.path, target.args, {
        stdio: ['ignore', 'ignore', 'ignore', outR, errR, readyW],
        env: { ...target.env, CONTAINER_ID: owner.id, CONTAINER_NAMESPACE: owner.namespace },
        detached: true,
      });
      const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
      // The logger has its copies: ours of the ready pipe's write end would hide its close.
      closeSync(take(readyW));
      if (child.pid === undefined) {
        const e = await spawnError;
        throw new ShimError(Code.Internal, `start logging binary ${target.path}: ${e.message}`);
      }
      child.on('error', () => {}); // a later kill() failure: stop() copes
      logger = new BinaryLogger(child, { stdoutW: outW, stderrW: errW, readEnds: [take(outR), take(errR)] });
      // Ready once it wrote a byte or closed fd 5 (or exited: the runc shim takes EOF as ready too).
      const [revents = 0] = await b.pollIn([readyR], READY_TIMEOUT_MS);
      closeSync(take(readyR));
      if ((revents & (POLLIN | POLLHUP)) === 0) throw new ShimError(Code.Internal, `logging binary ${target.path} did not get ready (write to or close fd 5) within ${READY_TIMEOUT_MS} ms`);
      return logger;
    } catch (e) {
      await logger?.stop();
      for (const fd of fds) closeQuietly(fd);
      throw e;
    }
  }

  /** Lets the logger drain the pipes, then ends its process group; resolves once nothing of it is left. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    await this.drain();
    for (const fd of this.readEnds.splice(0)) closeQuietly(fd);
    // The whole group: what the logger started goes too, even when the logger itself already exited.
    signalGroup(this.pid, 'SIGTERM');
    if (!(await this.groupGone(TERM_TIMEOUT_MS))) {
      signalGroup(this.pid, 'SIGKILL');
      await this.groupGone(KILL_TIMEOUT_MS);
    }
    running.delete(this);
  }

  /**
   * Until both pipes are empty and no writer is left (POLLHUP without
   * POLLIN), the logger gone, or DRAIN_TIMEOUT_MS: a process that still
   * holds a write end (a leaked pipe) must not stall the stop.
   */
  private async drain(): Promise<void> {
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    while (!this.exited && this.readEnds.length > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      const revents = await bridge().pollIn(this.readEnds, Math.min(left, 250));
      if (revents.every((r) => (r & POLLHUP) !== 0 && (r & POLLIN) === 0)) return;
      // Data still waits for the logger: poll would answer at once, so look again shortly.
      if (revents.some((r) => (r & POLLIN) !== 0)) await sleep(10);
    }
  }

  /** Waits until the logger and everything in its process group is gone (reaping the orphans), at most `timeoutMs`. */
  private async groupGone(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      reapGroupOrphans(this.pid, this.pid);
      if (this.exited && !signalGroup(this.pid, 0)) return true;
      if (Date.now() >= deadline) return false;
      await sleep(20);
    }
  }
}
