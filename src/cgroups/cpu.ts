// linux.resources.cpu.
//
// v1 (cpu and cpuset controllers)       v2
//   shares   cpu.shares                  cpu.weight (convert.ts sharesToWeight)
//   quota    cpu.cfs_quota_us            cpu.max "QUOTA PERIOD" ("max" for -1)
//   period   cpu.cfs_period_us           cpu.max
//   burst    cpu.cfs_burst_us            cpu.max.burst
//   realtimeRuntime cpu.rt_runtime_us    - (error: no RT group scheduling on v2)
//   realtimePeriod  cpu.rt_period_us     - (error)
//   cpus     cpuset.cpus                 cpuset.cpus
//   mems     cpuset.mems                 cpuset.mems
//   idle     cpu.idle                    cpu.idle
// 0 means "not set" for shares, quota, period, realtime*, "" for cpus/mems
// (runc's reading); burst and idle are written whenever present.
import type { LinuxCPU } from '../spec/types.js';
import { sharesToWeight } from './convert.js';
import { has, missing, read, setNonZero, write, writeRequired, type ResourceCtx } from './ctx.js';
import { CgroupError } from './fs.js';

function isEinval(e: unknown): boolean {
  return e instanceof CgroupError && e.code === 'EINVAL';
}

/**
 * Two values the kernel checks against each other (quota and burst, RT
 * period and runtime): written in the natural order, and on EINVAL in the
 * other one (the new first value may conflict with the old second one).
 */
function writePair(first: () => void, second: (() => void) | undefined): void {
  if (!second) return first();
  try {
    first();
    second();
  } catch (e) {
    if (!isEinval(e)) throw e;
    second();
    first();
  }
}

/** cpuDir/cpusetDir undefined: that controller is not mounted (its settings are warned about and skipped). */
export function setCpuV1(ctx: ResourceCtx, cpuDir: string | undefined, cpusetDir: string | undefined, c: LinuxCPU): void {
  const needCpu =
    setNonZero(c.shares) || setNonZero(c.quota) || setNonZero(c.period) || c.burst !== undefined ||
    setNonZero(c.realtimeRuntime) || setNonZero(c.realtimePeriod) || c.idle !== undefined;
  if (needCpu && cpuDir === undefined) ctx.warn('cpu settings not applied: the cpu controller is not mounted');
  if (needCpu && cpuDir !== undefined) {
    const dir = cpuDir;
    if (setNonZero(c.shares)) write(ctx, dir, 'cpu.shares', c.shares);
    if (setNonZero(c.period)) write(ctx, dir, 'cpu.cfs_period_us', c.period);
    const quota = setNonZero(c.quota) ? c.quota : undefined;
    const burst = c.burst !== undefined ? () => writeRequired(ctx, dir, 'cpu.cfs_burst_us', c.burst!, 'cpu.burst') : undefined;
    if (quota !== undefined) writePair(() => write(ctx, dir, 'cpu.cfs_quota_us', quota), burst);
    else burst?.();
    // The RT runtime must fit in the period.
    const rtPeriod = setNonZero(c.realtimePeriod) ? c.realtimePeriod : undefined;
    const rtRuntime = setNonZero(c.realtimeRuntime) ? c.realtimeRuntime : undefined;
    if (rtPeriod !== undefined || rtRuntime !== undefined) {
      if (!has(ctx, dir, 'cpu.rt_runtime_us')) throw missing(dir, 'cpu.rt_runtime_us', 'cpu.realtimeRuntime/realtimePeriod (kernel without CONFIG_RT_GROUP_SCHED)');
      const p = rtPeriod !== undefined ? () => write(ctx, dir, 'cpu.rt_period_us', rtPeriod) : undefined;
      const r = rtRuntime !== undefined ? () => write(ctx, dir, 'cpu.rt_runtime_us', rtRuntime) : undefined;
      if (p) writePair(p, r);
      else r!();
    }
    if (c.idle !== undefined) writeRequired(ctx, dir, 'cpu.idle', c.idle, 'cpu.idle');
  }
  setCpuset(ctx, cpusetDir, c);
}

function setCpuset(ctx: ResourceCtx, dir: string | undefined, c: LinuxCPU): void {
  if (!c.cpus && !c.mems) return;
  if (dir === undefined) return ctx.warn('cpu.cpus/mems not applied: the cpuset controller is not mounted');
  if (c.cpus) write(ctx, dir, 'cpuset.cpus', c.cpus);
  if (c.mems) write(ctx, dir, 'cpuset.mems', c.mems);
}

export function setCpuV2(ctx: ResourceCtx, dir: string, c: LinuxCPU, weightFormula: 'linear' | 'log'): void {
  if (setNonZero(c.realtimeRuntime) || setNonZero(c.realtimePeriod)) {
    throw new CgroupError('cpu.realtimeRuntime/realtimePeriod: cgroup v2 has no real-time group scheduling');
  }
  if (setNonZero(c.shares)) write(ctx, dir, 'cpu.weight', sharesToWeight(c.shares, weightFormula));
  const quota = setNonZero(c.quota) ? c.quota : undefined;
  const period = setNonZero(c.period) ? c.period : undefined;
  const burst = c.burst !== undefined ? () => writeRequired(ctx, dir, 'cpu.max.burst', c.burst!, 'cpu.burst') : undefined;
  if (quota !== undefined || period !== undefined) {
    // cpu.max takes "QUOTA" (period kept) or "QUOTA PERIOD"; a period alone
    // keeps the current quota rather than resetting it to "max".
    const q = quota !== undefined ? (quota > 0 ? String(quota) : 'max') : read(ctx, dir, 'cpu.max').trim().split(/\s+/)[0]!;
    const value = period !== undefined ? `${q} ${period}` : q;
    writePair(() => write(ctx, dir, 'cpu.max', value), burst);
  } else {
    burst?.();
  }
  if (c.idle !== undefined) writeRequired(ctx, dir, 'cpu.idle', c.idle, 'cpu.idle');
  setCpuset(ctx, dir, c);
}
