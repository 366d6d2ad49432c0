// `run`: create + start, then (unless detached) wait for the container and
// return its exit status, forwarding the signals runts receives.
import { createContainer, type CreateOptions } from './create.js';
import { deleteContainer } from './delete.js';
import { startContainer } from './start.js';
import { signalContainer } from './signal-process.js';
import { forwardSignals } from './forward-signals.js';
import type { StateStore } from './state-store.js';
import { constants } from 'node:os';

const SIGNUM = constants.signals as Record<string, number>;

export interface RunOptions extends Omit<CreateOptions, 'foreground'> {
  detach: boolean;
  /** Keep the container's state after it exits (runc's --keep). */
  keep: boolean;
}


export async function runContainer(store: StateStore, opts: RunOptions): Promise<number> {
  const { init, state } = await createContainer(store, { ...opts, foreground: !opts.detach });
  const stopForwarding = opts.detach
    ? () => {}
    : forwardSignals((signum) => {
        try {
          signalContainer(state, signum, false);
        } catch {
          // already exited; its status arrives through `exited`
        }
      });
  try {
    try {
      await startContainer(store, opts.id);
    } catch (e) {
      await deleteContainer(store, opts.id, true, opts.log);
      throw e;
    }
    if (opts.detach) return 0;
    const { code, signal } = await init.exited;
    if (!opts.keep) await deleteContainer(store, opts.id, true, opts.log);
    if (code !== null) return code;
    // runts-init itself died by a signal: report it the shell way.
    return 128 + (signal ? SIGNUM[signal]! : 0);
  } finally {
    stopForwarding();
  }
}
