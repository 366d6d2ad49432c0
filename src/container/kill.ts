// `kill`: a signal to the container init, or with --all to every process in
// the container's cgroup. A paused container can be killed (SIGKILL thaws it
// so its processes can die, as runc does).
import { ContainerNotRunning } from './errors.js';
import { signalAllProcesses, signalContainer } from './signal-process.js';
import type { StateStore } from './state-store.js';

export async function killContainer(store: StateStore, id: string, signal: number, all: boolean): Promise<void> {
  const release = store.lock(id);
  try {
    const state = store.read(id);
    const status = store.status(state);
    if (state === null || status === 'stopped' || status === 'creating') throw new ContainerNotRunning();
    if (all) await signalAllProcesses(state, signal);
    else signalContainer(state, signal, false);
  } finally {
    release();
  }
}
