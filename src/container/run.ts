// `run`: create + start, then (unless detached) wait for the container and
// return its exit status, forwarding the signals runts receives.
import { createContainer, type CreateOptions } from './create.js';
import { deleteContainer } from './delete.js';
import { startContainer } from './start.js';
import { signalContainer } from './signal-process.js';
import type { StateStore } from './state-store.js';
import { constants } from 'node:os';

const SIGNUM = constants.signals as Record<string, number>;

export interface RunOptions extends Omit<CreateOptions, 'foreground'> {
  detach: boolean;
  /** Keep the container's state after it exits (runc's --keep). */
  keep: boolean;
}

/** Signals a foreground `run` passes on to the container instead of dying from them. */
const FORWARDED: NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGCONT', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGALRM', 'SIGVTALRM', 'SIGPROF', 'SIGXCPU', 'SIGXFSZ', 'SIGPWR', 'SIGSYS', 'SIGURG'];

export async function runContainer(store: StateStore, opts: RunOptions): Promise<number> {
  const { init, state } = await createContainer(store, { ...opts, foreground: !opts.detach });
  const handlers = new Map<NodeJS.Signals, () => void>();
  if (!opts.detach) {
    for (const sig of FORWARDED) {
      const h = (): void => {
        try {
          signalContainer(state, SIGNUM[sig]!, false);
        } catch {
          // already exited; its status arrives through `exited`
        }
      };
      handlers.set(sig, h);
      process.on(sig, h);
    }
  }
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
    for (const [sig, h] of handlers) process.off(sig, h);
  }
}
