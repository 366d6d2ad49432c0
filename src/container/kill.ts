import { ContainerNotRunning } from './errors.js';
import { signalContainer } from './signal-process.js';
import type { StateStore } from './state-store.js';

export function killContainer(store: StateStore, id: string, signal: number, all: boolean): void {
  const release = store.lock(id);
  try {
    const state = store.read(id);
    const status = store.status(state);
    if (state === null || status === 'stopped' || status === 'creating') throw new ContainerNotRunning();
    signalContainer(state, signal, all);
  } finally {
    release();
  }
}
