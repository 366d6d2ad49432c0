// Checks on linux.resources that need no filesystem, all reported at once
// before anything is written (the style of plan/: every problem addressed by
// its JSON pointer). What only the kernel can judge (a CPU list, a device
// number the host lacks) is left to the write, whose error names the file.
import type { LinuxResources } from '../spec/types.js';
import { swapToV2, validPageSize } from './convert.js';
import { normalizeDeviceRules } from './devices.js';
import { CgroupError } from './fs.js';
import { unifiedKeyProblem } from './unified.js';

export class CgroupConfigError extends CgroupError {
  readonly errors: string[];

  constructor(errors: string[]) {
    super(errors.length === 1 ? errors[0]! : `${errors.length} problems:\n  ${errors.join('\n  ')}`);
    this.name = 'CgroupConfigError';
    this.errors = errors;
  }
}

const BASE = '/linux/resources';

export function resourceProblems(r: LinuxResources, version: 1 | 2): string[] {
  const problems: string[] = [];
  const at = (path: string, msg: string) => problems.push(`config.json: ${BASE}/${path}: ${msg}`);
  const isInt = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v);

  const m = r.memory;
  if (m) {
    for (const k of ['limit', 'reservation', 'swap', 'kernel', 'kernelTCP'] as const) {
      const v = m[k];
      if (v !== undefined && (!isInt(v) || v < -1)) at(`memory/${k}`, `${v} is not a byte count or -1`);
    }
    if (m.swappiness !== undefined && m.swappiness !== -1 && (!isInt(m.swappiness) || m.swappiness < 0 || m.swappiness > 100)) {
      at('memory/swappiness', `${m.swappiness} is outside 0..100`);
    }
    if (version === 1) {
      if (m.swap !== undefined && m.limit !== undefined && m.swap > 0 && m.limit > 0 && m.swap < m.limit) {
        at('memory/swap', `memory+swap limit ${m.swap} is lower than the memory limit ${m.limit}`);
      }
    } else {
      try {
        swapToV2(m.swap, m.limit === 0 ? undefined : m.limit);
      } catch (e) {
        at('memory/swap', (e as Error).message);
      }
    }
  }

  const c = r.cpu;
  if (c) {
    if (c.quota !== undefined && (!isInt(c.quota) || c.quota < -1)) at('cpu/quota', `${c.quota} is not a number of microseconds or -1`);
    if (c.burst !== undefined && c.quota !== undefined && c.quota > 0 && c.burst > c.quota) {
      at('cpu/burst', `burst ${c.burst} is larger than quota ${c.quota}`);
    }
    if (c.idle !== undefined && c.idle !== 0 && c.idle !== 1) at('cpu/idle', `${c.idle} is neither 0 nor 1`);
    if (version === 2 && (c.realtimeRuntime || c.realtimePeriod)) {
      at(c.realtimeRuntime ? 'cpu/realtimeRuntime' : 'cpu/realtimePeriod', 'cgroup v2 has no real-time group scheduling');
    }
  }

  if (r.pids && !isInt(r.pids.limit)) at('pids/limit', `${r.pids.limit} is not an integer`);

  const b = r.blockIO;
  if (b && version === 2) {
    if (b.weight && (b.weight < 1 || b.weight > 1000)) at('blockIO/weight', `${b.weight} is outside 1..1000`);
    (b.weightDevice ?? []).forEach((d, i) => {
      if (d.weight && (d.weight < 1 || d.weight > 1000)) at(`blockIO/weightDevice/${i}/weight`, `${d.weight} is outside 1..1000`);
    });
  }

  (r.hugepageLimits ?? []).forEach((h, i) => {
    if (!validPageSize(h.pageSize)) at(`hugepageLimits/${i}/pageSize`, `"${h.pageSize}" is not a page size like 2MB or 1GB`);
    if (!isInt(h.limit) || h.limit < 0) at(`hugepageLimits/${i}/limit`, `${h.limit} is not a byte count`);
  });

  for (const [dev, v] of Object.entries(r.rdma ?? {})) {
    if (v.hcaHandles === undefined && v.hcaObjects === undefined) at(`rdma/${dev}`, 'needs hcaHandles or hcaObjects');
  }

  if (r.devices) normalizeDeviceRules(r.devices, problems, `${BASE}/devices`);

  if (r.unified && Object.keys(r.unified).length > 0) {
    if (version === 1) {
      at('unified', 'cgroup v2 settings cannot be applied: this host uses cgroup v1');
    } else {
      for (const key of Object.keys(r.unified)) {
        const p = unifiedKeyProblem(key);
        if (p) at(`unified/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, p);
      }
    }
  }
  return problems;
}

export function validateResources(r: LinuxResources, version: 1 | 2): void {
  const problems = resourceProblems(r, version);
  if (problems.length > 0) throw new CgroupConfigError(problems);
}
