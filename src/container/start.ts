// `start`: read one byte from the exec fifo, which releases the container
// init blocked opening it, then read on to EOF: the init keeps its end open
// while it runs the startContainer hooks and until the exec, and writes a
// hook's failure there instead of running the process (src/container/
// protocol.ts, "The exec fifo"). Then the fifo is removed (status becomes
// running) and the poststart hooks run (runtime.md "Lifecycle", step 9).
import { closeSync, constants, openSync, readSync, statSync, unlinkSync } from 'node:fs';
import { RuntsError } from './errors.js';
import { sleep } from './files.js';
import { isAlive } from './proc.js';
import type { StateStore, StoredState } from './state-store.js';
import { START_ERROR_MAX } from './protocol.js';
import { bridge } from '../native/bridge.js';

/** Non-blocking read: bytes read, 0 at EOF (or no writer yet), null when nothing is there now. */
function readSome(fd: number, buf: Buffer): number | null {
  try {
    return readSync(fd, buf, 0, buf.length, null);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    return null;
  }
}

/** (dev, ino) of the program a process runs, or null when it cannot be seen. */
function exeId(pid: number): string | null {
  try {
    const st = statSync(`/proc/${pid}/exe`);
    return `${st.dev}:${st.ino}`;
  } catch {
    return null;
  }
}

const POLLIN = 1;
const POLLHUP = 16;
/** Longest single wait before liveness is checked again (the pidfd normally says it first). */
const WAIT_SLICE_MS = 1000;

/** A pidfd for the init, or -1 where none can be had (it is then polled for). */
function initPidfd(state: StoredState): number {
  try {
    const fd = bridge().pidfdOpen(state.pid);
    // The pid may have been reused since: the start time says whose it is.
    if (isAlive(state.pid, state.pidStartTime)) return fd;
    closeSync(fd);
  } catch {
    // gone, or no pidfd_open (before 5.3)
  }
  return -1;
}

/**
 * Releases the init; resolves to the startContainer failure it reported, or
 * "" once it has closed the fifo to exec. Waits are poll(2) (on a worker thread) on the fifo
 * and the init's pidfd rather than sleeping in steps. With `seeExec` it also
 * waits until the process image has changed (for the poststart hooks).
 */
async function releaseInit(fifo: string, state: StoredState, seeExec: boolean): Promise<string> {
  // What the init runs while it waits: runts-init. Taken before the fifo is
  // opened, since that lets it go (and exec) at once.
  const initExe = seeExec ? exeId(state.pid) : null;
  // Non-blocking open: a blocking one would hang forever if init had died.
  const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const pidfd = initPidfd(state);
  const b = bridge();
  try {
    const one = Buffer.alloc(1);
    for (;;) {
      if (readSome(fd, one) === 1) break;
      // Nothing yet: init has not finished opening its end (read gives 0) or
      // not written (EAGAIN). If it died, the byte may still have landed
      // just before: read once more before calling it stopped.
      if (!isAlive(state.pid, state.pidStartTime)) {
        if (readSome(fd, one) === 1) break;
        throw new RuntsError('cannot start a container that has stopped');
      }
      // Until a writer has come, poll(2) does not report the fifo hung up.
      const revents = await b.pollIn(pidfd >= 0 ? [fd, pidfd] : [fd], pidfd >= 0 ? WAIT_SLICE_MS : 10);
      if ((revents[0]! & POLLHUP) !== 0 && (revents[0]! & POLLIN) === 0) await sleep(1); // closed unwritten: the init is exiting
    }
    // Released. Read to EOF: a failure message, or nothing when the exec
    // (or the init's death) closed its end.
    const chunks: Buffer[] = [];
    const buf = Buffer.alloc(START_ERROR_MAX);
    for (;;) {
      const n = readSome(fd, buf);
      if (n === 0) break;
      if (n === null) {
        await b.pollIn([fd], WAIT_SLICE_MS);
        continue;
      }
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    const message = Buffer.concat(chunks).toString('utf8').trim();
    if (message !== '') return message;
    // The init closes every fd just before its execve: wait (briefly) until
    // the process image has changed, so poststart hooks see the process run.
    if (initExe !== null) {
      const deadline = Date.now() + 2000;
      let delay = 1;
      while (exeId(state.pid) === initExe && isAlive(state.pid, state.pidStartTime) && Date.now() < deadline) {
        await sleep(delay);
        delay = Math.min(delay * 2, 20);
      }
    }
    return '';
  } finally {
    closeSync(fd);
    if (pidfd >= 0) closeSync(pidfd);
  }
}

export async function startContainer(store: StateStore, id: string): Promise<StoredState> {
  const release = store.lock(id);
  try {
    const state = store.read(id);
    const status = store.status(state);
    if (status === 'stopped') throw new RuntsError('cannot start a container that has stopped');
    if (status === 'running') throw new RuntsError('cannot start an already running container');
    if (status !== 'created' || state === null) throw new RuntsError(`cannot start a container in the ${status} state`);
    const fifo = store.fifoPath(id);
    const poststart = state.hooks?.poststart ?? [];
    const failure = await releaseInit(fifo, state, poststart.length > 0);
    unlinkSync(fifo);
    if (failure !== '') {
      // A startContainer hook failed: the init exits without running the
      // process; the container is stopped and `delete` runs the poststop hooks.
      const { waitGone } = await import('./signal-process.js');
      await waitGone(state);
      throw new RuntsError(failure);
    }
    if (poststart.length > 0) {
      // Loaded only here (scripts/build.mjs makes each a bundle of its own):
      // a start without poststart hooks that succeeds needs neither the hook
      // runner nor the signalling code with the whole cgroup library behind it.
      const [{ hookBaseOf, runPoststart }, { signalContainer, waitGone }] = await Promise.all([
        import('../hooks/lifecycle.js'),
        import('./signal-process.js'),
      ]);
      try {
        await runPoststart(hookBaseOf(state), poststart, state.pid);
      } catch (e) {
        // Step 9: generate an error and stop the container; `delete` goes on
        // from there (it runs the poststop hooks).
        try {
          signalContainer(state, 9, true);
          await waitGone(state);
        } catch {
          // already gone
        }
        throw e;
      }
    }
    return state;
  } finally {
    release();
  }
}
