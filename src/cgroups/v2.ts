// cgroup v2: one directory, controllers enabled from above.
//
// Delegation rule (which cgroup.subtree_control files runts writes): a
// controller is usable in the container's cgroup only if its parent lists
// it in cgroup.subtree_control, and so on up. create() enables, in each
// directory from the hierarchy root down to the container's parent, every
// controller that directory's cgroup.controllers offers, EXCEPT in
// directories strictly above runts' own cgroup (from /proc/self/cgroup).
// Those belong to whoever delegated runts its cgroup (systemd, a container
// manager); what they enabled is what was delegated, and runts does not
// widen it. runts' own cgroup and anything beside or below it are fair game.
// A write that fails (EBUSY: the "no internal processes" rule when that
// directory itself holds processes; EPERM; ENOENT) is retried one controller
// at a time and otherwise tolerated: apply() then reports precisely which
// controller the configuration needs and does not have. The container's own
// cgroup never gets controllers enabled in its subtree_control (it holds the
// container's processes).
//
// Device rules have no files in v2: they are compiled to an eBPF program
// (devices-bpf.ts) that CgroupManagerOptions.loadDeviceProgram attaches.
import { join } from 'node:path';
import type { LinuxResources } from '../spec/types.js';
import { setIoV2 } from './blkio.js';
import { setCpuV2 } from './cpu.js';
import { has, setNonZero, type ResourceCtx } from './ctx.js';
import { deviceFilterProgram, encodeBpf } from './devices-bpf.js';
import { deviceTargetState, normalizeDeviceRules } from './devices.js';
import { CgroupError } from './fs.js';
import { setHugetlb } from './hugetlb.js';
import type { CgroupManager, FreezerState, ResolvedOptions, SavedCgroups } from './manager.js';
import { setMemoryV2 } from './memory.js';
import { warnNetV2 } from './net.js';
import { setPids } from './pids.js';
import { setRdma } from './rdma.js';
import { collectStatsV2, parseKeyValues, type CgroupStats } from './stats.js';
import { destroyCreated, isStrictAncestor, mkdirChain, parentDir, procsRecursive, readProcs } from './tree.js';
import { setUnified } from './unified.js';
import { validateResources } from './validate.js';

/** Controllers a resources object needs in the container's cgroup.controllers. */
export function controllersNeeded(r: LinuxResources): string[] {
  const need = new Set<string>();
  const m = r.memory;
  if (m && (setNonZero(m.limit) || setNonZero(m.reservation) || setNonZero(m.swap))) need.add('memory');
  const c = r.cpu;
  if (c && (setNonZero(c.shares) || setNonZero(c.quota) || setNonZero(c.period) || c.burst !== undefined || c.idle !== undefined)) need.add('cpu');
  if (c && (c.cpus || c.mems)) need.add('cpuset');
  if (r.pids) need.add('pids');
  const b = r.blockIO;
  if (b && (setNonZero(b.weight) || (b.weightDevice ?? []).some((d) => setNonZero(d.weight)) ||
    [b.throttleReadBpsDevice, b.throttleWriteBpsDevice, b.throttleReadIOPSDevice, b.throttleWriteIOPSDevice].some((l) => (l ?? []).length > 0))) {
    need.add('io');
  }
  if ((r.hugepageLimits ?? []).length > 0) need.add('hugetlb');
  if (Object.keys(r.rdma ?? {}).length > 0) need.add('rdma');
  return [...need];
}

function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== '');
}

export class V2Manager implements CgroupManager {
  readonly version = 2 as const;
  private created: string[];

  constructor(
    private readonly dir: string,
    created: readonly string[],
    private readonly o: ResolvedOptions,
    /** Known when made by newCgroupManager (create() needs them). */
    private readonly where?: { mountpoint: string; ownDir?: string },
  ) {
    this.created = [...created];
  }

  paths(): Record<string, string> {
    return { '': this.dir };
  }

  private ctx(): ResourceCtx {
    return { fs: this.o.fs, warn: this.o.warn };
  }

  private file(name: string): string {
    return join(this.dir, name);
  }

  create(): void {
    const { fs } = this.o;
    if (!this.where) throw new CgroupError('create() needs a manager from newCgroupManager, not a reloaded one');
    if (fs.exists(this.dir)) {
      if (readProcs(fs, this.dir).length > 0) {
        throw new CgroupError(`cgroup ${this.dir} already exists and has processes; a new container needs an empty cgroup`, 'EBUSY');
      }
      if (this.freezerState() !== 'thawed') throw new CgroupError(`cgroup ${this.dir} already exists and is frozen`, 'EBUSY');
    }
    const { mountpoint, ownDir } = this.where;
    // Enable top-down: a directory can only enable what its parent enabled.
    const chain: string[] = [];
    for (let d = parentDir(this.dir); d.length >= mountpoint.length; d = parentDir(d)) {
      chain.unshift(d);
      if (d === mountpoint || d === '/') break;
    }
    const made = new Set<string>();
    for (const d of chain) {
      if (!fs.exists(d)) {
        mkdirChain(fs, mountpoint, d, this.created).forEach((m) => made.add(m));
      }
      if (ownDir !== undefined && isStrictAncestor(d, ownDir) && !made.has(d)) continue;
      this.enableControllers(d);
    }
    mkdirChain(fs, mountpoint, this.dir, this.created);
  }

  /** Adds to d's cgroup.subtree_control what its cgroup.controllers offers; failures tolerated (see the top). */
  private enableControllers(d: string): void {
    const { fs } = this.o;
    const available = words(fs.read(join(d, 'cgroup.controllers')));
    const enabled = new Set(words(fs.read(join(d, 'cgroup.subtree_control'))));
    const missing = available.filter((c) => !enabled.has(c));
    if (missing.length === 0) return;
    const file = join(d, 'cgroup.subtree_control');
    try {
      fs.write(file, missing.map((c) => `+${c}`).join(' '));
    } catch (e) {
      if (!(e instanceof CgroupError)) throw e;
      for (const c of missing) {
        try {
          fs.write(file, `+${c}`);
        } catch (e2) {
          if (!(e2 instanceof CgroupError)) throw e2;
        }
      }
    }
  }

  private available(): Set<string> {
    return new Set(words(this.o.fs.read(this.file('cgroup.controllers'))));
  }

  apply(resources: LinuxResources): void {
    this.set(resources, true);
  }

  update(resources: LinuxResources): void {
    this.set(resources, false);
  }

  private set(r: LinuxResources, full: boolean): void {
    validateResources(r, 2);
    const ctx = this.ctx();
    const available = this.available();
    const lacking = controllersNeeded(r).filter((c) => !available.has(c));
    if (lacking.length > 0) {
      throw new CgroupError(
        `cgroup ${this.dir} lacks the ${lacking.join(', ')} controller${lacking.length > 1 ? 's' : ''} the configuration needs ` +
          `(not enabled in ${join(parentDir(this.dir), 'cgroup.subtree_control')}, or not delegated to runts)`,
      );
    }
    if (r.pids) setPids(ctx, this.dir, r.pids);
    if (r.memory) setMemoryV2(ctx, this.dir, r.memory);
    if (r.blockIO) setIoV2(ctx, this.dir, r.blockIO);
    if (r.cpu) setCpuV2(ctx, this.dir, r.cpu, this.o.cpuWeightFormula);
    if (r.hugepageLimits && r.hugepageLimits.length > 0) setHugetlb(ctx, this.dir, r.hugepageLimits, 2);
    if (r.rdma && Object.keys(r.rdma).length > 0) setRdma(ctx, this.dir, r.rdma);
    if (r.network) warnNetV2(ctx, r.network);
    if ((full || r.devices !== undefined) && !this.o.skipDevices) this.setDevices(r);
    if (r.unified) setUnified(ctx, this.dir, r.unified, available);
  }

  private setDevices(r: LinuxResources): void {
    const problems: string[] = [];
    const program = encodeBpf(deviceFilterProgram(deviceTargetState(normalizeDeviceRules(r.devices ?? [], problems))));
    if (this.o.loadDeviceProgram) {
      this.o.loadDeviceProgram(program, this.dir);
    } else if (this.o.devicesWithoutLoader === 'warn') {
      this.o.warn('devices not applied: no eBPF device program loader (cgroup v2 needs one to restrict devices)');
    } else {
      throw new CgroupError('cannot restrict devices on cgroup v2: no eBPF device program loader is available');
    }
  }

  addProcess(pid: number): void {
    this.o.fs.write(this.file('cgroup.procs'), String(pid));
  }

  async freeze(): Promise<void> {
    const { fs } = this.o;
    if (!has(this.ctx(), this.dir, 'cgroup.freeze')) throw new CgroupError(`cannot pause: ${this.file('cgroup.freeze')} does not exist (kernel older than 5.2)`);
    fs.write(this.file('cgroup.freeze'), '1');
    let waited = 0;
    for (let i = 1; ; i++) {
      if (this.eventsFrozen()) return;
      if (waited >= this.o.freezeTimeoutMs) {
        fs.write(this.file('cgroup.freeze'), '0');
        throw new CgroupError(`freezing ${this.dir} timed out after ${waited} ms; thawed it again`);
      }
      const ms = Math.min(i, 10);
      await this.o.sleep(ms);
      waited += ms;
    }
  }

  private eventsFrozen(): boolean {
    return parseKeyValues(this.o.fs.read(this.file('cgroup.events'))).get('frozen') === 1n;
  }

  thaw(): void {
    this.o.fs.write(this.file('cgroup.freeze'), '0');
  }

  freezerState(): FreezerState {
    const { fs } = this.o;
    if (!fs.exists(this.file('cgroup.freeze'))) return 'thawed';
    if (fs.read(this.file('cgroup.freeze')).trim() !== '1') return 'thawed';
    return this.eventsFrozen() ? 'frozen' : 'freezing';
  }

  frozen(): boolean {
    return this.freezerState() === 'frozen';
  }

  pids(): number[] {
    return procsRecursive(this.o.fs, this.dir);
  }

  hasProcesses(): boolean {
    return this.pids().length > 0;
  }

  stats(): CgroupStats {
    return collectStatsV2(this.o.fs, this.dir);
  }

  kill(): boolean {
    if (!this.o.fs.exists(this.file('cgroup.kill'))) return false;
    this.o.fs.write(this.file('cgroup.kill'), '1');
    return true;
  }

  destroy(): void {
    const pids = this.pids();
    if (pids.length > 0) throw new CgroupError(`cgroup ${this.dir} still has processes (${pids.join(' ')}); kill them before deleting`, 'EBUSY');
    this.created = destroyCreated(this.o.fs, [this.dir], this.created);
  }

  save(): SavedCgroups {
    return { version: 2, paths: this.paths(), created: [...this.created] };
  }
}
