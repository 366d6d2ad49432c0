// Starts a process in an existing container: runts-init gets an exec plan
// and answers "created" with the new process's host pid, or "error". As for
// create, this process never enters a namespace itself.
import type { ExecPlan } from '../plan/exec-types.js';
import { spawnInit, type InitHandle, type SpawnedInit } from './init-runner.js';

/** runts-init exits once the process runs (detached), or with its status (foreground). */
export type ExecHandle = InitHandle;

/** `spawned`: a runts-init started ahead of the plan (spawnInit), or none yet. */
export function runExec(plan: ExecPlan, spawned: SpawnedInit = spawnInit(plan.preserveFds)): Promise<ExecHandle> {
  return spawned.talk({ type: 'exec', plan });
}
