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
import { signalContainer, waitGone } from './signal-process.js';
import type { StateStore, StoredState } from './state-store.js';
import { START_ERROR_MAX } from './protocol.js';

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

/** Releases the init; resolves to the startContainer failure it reported, or "" once the process runs. */
async function releaseInit(fifo: string, state: StoredState): Promise<string> {
  // What the init runs while it waits: runts-init. Taken before the fifo is
  // opened, since that lets it go (and exec) at once.
  const initExe = exeId(state.pid);
  // Non-blocking open: a blocking one would hang forever if init had died.
  const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const one = Buffer.alloc(1);
    let delay = 1;
    for (;;) {
      if (readSome(fd, one) === 1) break;
      // Nothing yet: init has not finished opening its end (read gives 0) or
      // not written (EAGAIN). If it died, the byte may still have landed
      // just before: read once more before calling it stopped.
      if (!isAlive(state.pid, state.pidStartTime)) {
        if (readSome(fd, one) === 1) break;
        throw new RuntsError('cannot start a container that has stopped');
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 20);
    }
    // Released. Read to EOF: a failure message, or nothing when the exec
    // (or the init's death) closed its end.
    const chunks: Buffer[] = [];
    const buf = Buffer.alloc(START_ERROR_MAX);
    delay = 1;
    for (;;) {
      const n = readSome(fd, buf);
      if (n === 0) break;
      if (n === null) {
        await sleep(delay);
        delay = Math.min(delay * 2, 20);
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
      delay = 1;
      while (exeId(state.pid) === initExe && isAlive(state.pid, state.pidStartTime) && Date.now() < deadline) {
        await sleep(delay);
        delay = Math.min(delay * 2, 20);
      }
    }
    return '';
  } finally {
    closeSync(fd);
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
    const failure = await releaseInit(fifo, state);
    unlinkSync(fifo);
    if (failure !== '') {
      // A startContainer hook failed: the init exits without running the
      // process; the container is stopped and `delete` runs the poststop hooks.
      await waitGone(state);
      throw new RuntsError(failure);
    }
    const poststart = state.hooks?.poststart ?? [];
    if (poststart.length > 0) {
      const { hookBaseOf, runPoststart } = await import('../hooks/lifecycle.js');
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
