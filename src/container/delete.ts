// `delete`: a stopped container is removed; a created one is killed first
// (as runc does); a running or paused one only with --force. Whatever is
// still in its cgroup (processes of a container without a pid namespace of
// its own) is killed, then the cgroup directories runts made are removed,
// then the state. Once it is gone, its poststop hooks run (runtime.md
// "Lifecycle", step 13): a failing one is a warning, and delete still succeeds.
import type { Logger } from '../log.js';
import { openCgroups, removeCgroups } from './cgroups.js';
import { RuntsError } from './errors.js';
import { signalContainer, waitGone } from './signal-process.js';
import type { StateStore } from './state-store.js';

export async function deleteContainer(store: StateStore, id: string, force: boolean, log: Logger): Promise<void> {
  if (!store.exists(id) && force) return;
  const release = store.lock(id);
  try {
    const state = store.read(id);
    const status = store.status(state);
    if (state !== null && (status === 'created' || ((status === 'running' || status === 'paused') && force))) {
      try {
        // SIGKILL to the whole cgroup; a paused one is thawed so it can die.
        signalContainer(state, 9, true);
      } catch {
        // it exited meanwhile
      }
      await waitGone(state);
    } else if (status === 'running' || status === 'paused') {
      throw new RuntsError(`cannot delete container ${id} that is not stopped: ${status}`);
    } else if (status === 'creating' && !force) {
      throw new RuntsError(`cannot delete container ${id} that is not stopped: creating`);
    }
    // A cgroup that cannot be emptied or removed keeps the state, so that
    // a later delete can try again.
    const cg = state === null ? null : await openCgroups(state, log);
    if (cg) await removeCgroups(cg);
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
