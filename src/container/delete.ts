// `delete`: a stopped container is removed; a created one is killed first
// (as runc does); a running one only with --force. Once it is gone, its
// poststop hooks run (runtime.md "Lifecycle", step 13): a failing one is a
// warning, and delete still succeeds.
import type { Logger } from '../log.js';
import { RuntsError } from './errors.js';
import { signalContainer, waitGone } from './signal-process.js';
import type { StateStore } from './state-store.js';

export async function deleteContainer(store: StateStore, id: string, force: boolean, log: Logger): Promise<void> {
  if (!store.exists(id) && force) return;
  const release = store.lock(id);
  try {
    const state = store.read(id);
    const status = store.status(state);
    if (state !== null && (status === 'created' || (status === 'running' && force))) {
      try {
        signalContainer(state, 9, true);
      } catch {
        // it exited meanwhile
      }
      await waitGone(state);
    } else if (status === 'running') {
      throw new RuntsError(`cannot delete container ${id} that is not stopped: ${status}`);
    } else if (status === 'creating' && !force) {
      throw new RuntsError(`cannot delete container ${id} that is not stopped: creating`);
    }
    store.remove(id);
    const poststop = state?.hooks?.poststop ?? [];
    if (state !== null && poststop.length > 0) {
      const { hookBaseOf, runPoststop } = await import('../hooks/lifecycle.js');
      await runPoststop(hookBaseOf(state), poststop, log);
    }
  } finally {
    release();
  }
}
