// Shared pieces of the exec plan tests: an ExecPlanInput with defaults, and
// the PlanError messages buildExecPlan throws for one.
import assert from 'node:assert/strict';
import { buildExecPlan, NO_OVERRIDES, PlanError, type ExecPlanInput } from '../../src/plan/exec-plan.ts';
import type { Spec } from '../../src/spec/types.ts';

/** `runts exec c1 <args>` into init 42 of `spec`, detached: false, nothing else set; `rest` overrides. */
export function execInputFor(spec: Spec, args: string[], rest: Partial<ExecPlanInput> = {}): ExecPlanInput {
  return {
    id: 'c1',
    init: { pid: 42, startTime: '1' },
    spec,
    processFile: null,
    overrides: { ...NO_OVERRIDES, args },
    consoleSocket: null,
    detach: false,
    preserveFds: 0,
    cgroupProcs: [],
    lsm: { apparmor: false, selinux: false },
    bundle: '/bundles/c1',
    status: 'running',
    ...rest,
  };
}

export function execErrors(i: ExecPlanInput): string[] {
  try {
    buildExecPlan(i);
  } catch (e) {
    assert.ok(e instanceof PlanError, String(e));
    return e.errors;
  }
  assert.fail('expected a PlanError');
}
