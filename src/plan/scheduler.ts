// process.scheduler, process.ioPriority and process.execCPUAffinity: how
// the process is scheduled. Checked here against what sched_setattr(2) and
// ioprio_set(2) accept, so a bad value is a config error naming the field
// rather than an EINVAL from the container's init.
import type { ExecCPUAffinity, IOPriority, Scheduler } from '../spec/types.js';
import { pointer, type Problems } from './errors.js';
import { parseIdList } from './id-list.js';
import type { PlanCpuAffinity, PlanScheduler } from './types.js';

/** SCHED_* policy numbers (<linux/sched.h>). SCHED_ISO (4) is reserved, never implemented by Linux. */
export const SCHED_POLICIES: Readonly<Record<string, number>> = {
  SCHED_OTHER: 0,
  SCHED_FIFO: 1,
  SCHED_RR: 2,
  SCHED_BATCH: 3,
  SCHED_ISO: 4,
  SCHED_IDLE: 5,
  SCHED_DEADLINE: 6,
};

/** SCHED_FLAG_* (<linux/sched.h>). */
export const SCHED_FLAGS: Readonly<Record<string, number>> = {
  SCHED_FLAG_RESET_ON_FORK: 0x01,
  SCHED_FLAG_RECLAIM: 0x02,
  SCHED_FLAG_DL_OVERRUN: 0x04,
  SCHED_FLAG_KEEP_POLICY: 0x08,
  SCHED_FLAG_KEEP_PARAMS: 0x10,
  SCHED_FLAG_UTIL_CLAMP_MIN: 0x20,
  SCHED_FLAG_UTIL_CLAMP_MAX: 0x40,
};

/** IOPRIO_CLASS_* (<linux/ioprio.h>); the value is class << 13 | level. */
export const IOPRIO_CLASSES: Readonly<Record<string, number>> = { IOPRIO_CLASS_RT: 1, IOPRIO_CLASS_BE: 2, IOPRIO_CLASS_IDLE: 3 };
const IOPRIO_CLASS_SHIFT = 13;

/** The kernel's DL_SCALE: SCHED_DEADLINE runtimes below 2^10 ns are refused. */
const DL_MIN_RUNTIME = 1024;
/** Deadline parameters are u64 with the top bit reserved. */
const DL_MAX = 2 ** 63;
/** Largest CPU number accepted in an affinity list (CONFIG_NR_CPUS tops out at 8192). */
export const MAX_CPU = 8191;

const REALTIME = new Set(['SCHED_FIFO', 'SCHED_RR']);

export function planScheduler(s: Scheduler | undefined, problems: Problems): PlanScheduler | null {
  if (s === undefined) return null;
  const at = (...rest: (string | number)[]) => pointer('process', 'scheduler', ...rest);
  const before = problems.messages.length;
  const policy = SCHED_POLICIES[s.policy];
  if (policy === undefined) problems.config(at('policy'), `unknown policy "${s.policy}"`);
  else if (s.policy === 'SCHED_ISO') problems.config(at('policy'), 'SCHED_ISO is reserved and not implemented by Linux');

  const nice = s.nice ?? 0;
  if (!Number.isInteger(nice) || nice < -20 || nice > 19) problems.config(at('nice'), `${nice} is outside -20..19`);

  const priority = s.priority ?? 0;
  if (REALTIME.has(s.policy)) {
    if (!Number.isInteger(priority) || priority < 1 || priority > 99) {
      problems.config(at('priority'), `${s.policy} needs a priority in 1..99, not ${priority}`);
    }
  } else if (priority !== 0) {
    problems.config(at('priority'), `only SCHED_FIFO and SCHED_RR take a priority (${s.policy} must have 0)`);
  }

  let flags = 0;
  (s.flags ?? []).forEach((f, i) => {
    const bit = SCHED_FLAGS[f];
    if (bit === undefined) problems.config(at('flags', i), `unknown flag "${f}"`);
    else flags |= bit;
  });

  const runtime = s.runtime ?? 0;
  const deadline = s.deadline ?? 0;
  const period = s.period ?? 0;
  if (s.policy === 'SCHED_DEADLINE') {
    for (const [name, v] of [['runtime', runtime], ['deadline', deadline], ['period', period]] as const) {
      if (!Number.isInteger(v) || v < 0 || v >= DL_MAX) problems.config(at(name), `${v} is not a nanosecond count below 2^63`);
    }
    if (runtime < DL_MIN_RUNTIME) problems.config(at('runtime'), `SCHED_DEADLINE needs a runtime of at least ${DL_MIN_RUNTIME} ns, not ${runtime}`);
    if (deadline === 0) problems.config(at('deadline'), 'SCHED_DEADLINE needs a deadline (ns, > 0)');
    else if (runtime > deadline) problems.config(at('runtime'), `${runtime} is longer than the deadline (${deadline})`);
    if (period !== 0 && period < deadline) problems.config(at('period'), `${period} is shorter than the deadline (${deadline})`);
  } else {
    for (const [name, v] of [['runtime', runtime], ['deadline', deadline], ['period', period]] as const) {
      if (v !== 0) problems.config(at(name), `only SCHED_DEADLINE takes a ${name} (${s.policy} must have 0)`);
    }
  }
  if (problems.messages.length !== before || policy === undefined) return null;
  return { policy, flags, nice, priority, runtime: BigInt(runtime).toString(), deadline: BigInt(deadline).toString(), period: BigInt(period).toString() };
}

/** The ioprio value (class << 13 | level) for ioprio_set(IOPRIO_WHO_PROCESS, 0, value). */
export function planIoPriority(io: IOPriority | undefined, problems: Problems): number | null {
  if (io === undefined) return null;
  const cls = IOPRIO_CLASSES[io.class];
  if (cls === undefined) {
    problems.config(pointer('process', 'ioPriority', 'class'), `unknown class "${io.class}"`);
    return null;
  }
  const level = io.priority ?? 0;
  if (!Number.isInteger(level) || level < 0 || level > 7) {
    problems.config(pointer('process', 'ioPriority', 'priority'), `${level} is outside 0..7`);
    return null;
  }
  return (cls << IOPRIO_CLASS_SHIFT) | level;
}

/**
 * process.execCPUAffinity: `initial` is applied by runts-init before it
 * joins the container's cgroups, `final` by the process right before its
 * execve; an empty or missing list leaves the affinity to the kernel.
 */
export function planCpuAffinity(a: ExecCPUAffinity | undefined, problems: Problems): PlanCpuAffinity {
  const out: PlanCpuAffinity = { initial: [], final: [] };
  if (a === undefined) return out;
  for (const which of ['initial', 'final'] as const) {
    const text = a[which];
    if (text === undefined) continue;
    const r = parseIdList(text, MAX_CPU);
    if (r.error !== null) problems.config(pointer('process', 'execCPUAffinity', which), `${r.error}`);
    else out[which] = r.ids;
  }
  return out;
}
