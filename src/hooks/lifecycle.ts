// The hooks runts runs itself, at their moments of the lifecycle (runtime.md
// "Lifecycle"): prestart + createRuntime while the container init waits
// before pivot_root (create), poststart once the process runs (start),
// poststop once the container is gone (delete, or a failed create).
import type { StoredState } from '../container/state-store.js';
import type { Logger } from '../log.js';
import type { HookSet } from '../plan/hooks.js';
import type { PlanHook } from '../plan/types.js';
import { runHook, runHooks } from './run-hook.js';
import { hookState, type HookStateBase } from './state.js';

/** The runtime-namespace hooks a container keeps in its state for `start` and `delete`. */
export interface StoredHooks {
  poststart: PlanHook[];
  poststop: PlanHook[];
}

/** What every hook's state document shares, from a created container's state. */
export function hookBaseOf(state: StoredState): HookStateBase {
  return { ociVersion: state.ociVersion, id: state.id, bundle: state.bundle, annotations: state.annotations };
}

/** Steps 3 and 4: "creating", the init's host pid; the first failure rejects. */
export async function runCreateHooks(base: HookStateBase, hooks: HookSet, pid: number, log: Logger): Promise<void> {
  const state = hookState(base, 'creating', pid);
  log.debug('running prestart and createRuntime hooks', { prestart: hooks.prestart.length, createRuntime: hooks.createRuntime.length });
  await runHooks('prestart', hooks.prestart, state, { cwd: base.bundle });
  await runHooks('createRuntime', hooks.createRuntime, state, { cwd: base.bundle });
}

/** Step 9: "running", the init's host pid; the first failure rejects. */
export async function runPoststart(base: HookStateBase, hooks: PlanHook[], pid: number): Promise<void> {
  await runHooks('poststart', hooks, hookState(base, 'running', pid), { cwd: base.bundle });
}

/**
 * Step 13: "stopped", no pid. A failure is a warning, and the remaining
 * hooks still run ("as if the hook had succeeded").
 */
export async function runPoststop(base: HookStateBase, hooks: PlanHook[], log: Logger): Promise<void> {
  const state = hookState(base, 'stopped', null);
  for (let i = 0; i < hooks.length; i++) {
    try {
      await runHook('poststop', i, hooks[i]!, state, { cwd: base.bundle });
    } catch (e) {
      log.warn((e as Error).message);
    }
  }
}
