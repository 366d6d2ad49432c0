// Starts a process in an existing container: runts-init gets an exec plan
// and answers "created" with the new process's host pid, or "error". As for
// create, this process never enters a namespace itself.
import type { ExecPlan } from '../plan/exec-types.js';
import { converse, type InitHandle } from './init-runner.js';

/** runts-init exits once the process runs (detached), or with its status (foreground). */
export type ExecHandle = InitHandle;

export function runExec(plan: ExecPlan, stdio?: readonly [number, number, number]): Promise<ExecHandle> {
  return converse({ type: 'exec', plan }, plan.preserveFds, stdio ? { stdio } : {});
}
