// `start`: read one byte from the exec fifo, which releases the container
// init blocked opening it, then remove the fifo (status becomes running).
import { closeSync, constants, openSync, readSync, unlinkSync } from 'node:fs';
import { RuntsError } from './errors.js';
import { sleep } from './files.js';
import { isAlive } from './proc.js';
import type { StateStore, StoredState } from './state-store.js';

async function releaseInit(fifo: string, state: StoredState): Promise<void> {
  // Non-blocking open: a blocking one would hang forever if init had died.
  const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const buf = Buffer.alloc(1);
    let delay = 1;
    const readByte = (): boolean => {
      try {
        return readSync(fd, buf, 0, 1, null) === 1;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        return false;
      }
    };
    for (;;) {
      if (readByte()) return;
      // Nothing yet: init has not finished opening its end (read gives 0) or
      // not written (EAGAIN). If it died, the byte may still have landed
      // just before: read once more before calling it stopped.
      if (!isAlive(state.pid, state.pidStartTime)) {
        if (readByte()) return;
        throw new RuntsError('cannot start a container that has stopped');
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 20);
    }
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
    await releaseInit(fifo, state);
    unlinkSync(fifo);
    return state;
  } finally {
    release();
  }
}
