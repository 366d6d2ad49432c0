// `pause` and `resume`: the freezer of the container's cgroup (v1
// freezer.state, v2 cgroup.freeze). runc's rules and words: a running or
// created container can be paused, anything else is "container not
// running"; only a paused one can be resumed ("container not paused").
import type { Logger } from '../log.js';
import { requireCgroups } from './cgroups.js';
import { ContainerNotRunning, RuntsError } from './errors.js';
import type { StateStore } from './state-store.js';

export async function pauseContainer(store: StateStore, id: string, log: Logger): Promise<void> {
  const release = store.lock(id);
  try {
    const state = store.read(id);
    const status = store.status(state);
    if (state === null || (status !== 'running' && status !== 'created')) throw new ContainerNotRunning();
    await (await requireCgroups(state, log)).freeze();
  } finally {
    release();
  }
}

export async function resumeContainer(store: StateStore, id: string, log: Logger): Promise<void> {
  const release = store.lock(id);
  try {
    const state = store.read(id);
    if (state === null || store.status(state) !== 'paused') throw new RuntsError('container not paused');
    (await requireCgroups(state, log)).thaw();
  } finally {
    release();
  }
}
