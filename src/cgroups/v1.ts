// cgroup v1: one directory per hierarchy (combined mounts share one), and,
// on hybrid hosts, the container's directory in the unified tree (created,
// joined and removed like the others, never given resources; runc 1.1.5
// does the same: `0::/<id>` in /proc/<pid>/cgroup of its containers here).
//
// A controller the host does not mount is a warning when the config uses
// it, not an error: runc ignores such settings silently, and a config must
// keep working on a host with fewer controllers.
import { join } from 'node:path';
import type { LinuxResources } from '../spec/types.js';
import { setBlkioV1 } from './blkio.js';
import { setCpuV1 } from './cpu.js';
import type { ResourceCtx } from './ctx.js';
import { deviceTargetState, normalizeDeviceRules, parseDevicesList, v1DeviceWrites } from './devices.js';
import { CgroupError } from './fs.js';
import { setHugetlb } from './hugetlb.js';
import type { CgroupManager, FreezerState, ResolvedOptions, SavedCgroups } from './manager.js';
import { setMemoryV1 } from './memory.js';
import { setNetV1 } from './net.js';
import { setPids } from './pids.js';
import { setRdma } from './rdma.js';
import { collectStatsV1, type CgroupStats } from './stats.js';
import { destroyCreated, mkdirChain, parentDir, procsRecursive, readProcs } from './tree.js';
import { validateResources } from './validate.js';

export interface V1Dir {
  /** Names from /proc/self/cgroup: "cpu", "cpuacct", "name=systemd"; [""] for the hybrid unified tree. */
  controllers: string[];
  dir: string;
  /** Known when created by newCgroupManager (create() needs it), not after loading. */
  mountpoint?: string;
}

/** Which hierarchy pids() reads (all of them hold the same processes). */
const PIDS_PREFERENCE = ['pids', 'freezer', 'devices', 'memory', 'cpu', 'cpuacct'];

export class V1Manager implements CgroupManager {
  readonly version = 1 as const;
  private created: string[];

  constructor(
    private readonly dirs: readonly V1Dir[],
    private readonly unified: V1Dir | undefined,
    created: readonly string[],
    private readonly o: ResolvedOptions,
  ) {
    this.created = [...created];
  }

  paths(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const d of this.dirs) for (const c of d.controllers) out[c] = d.dir;
    if (this.unified) out[''] = this.unified.dir;
    return out;
  }

  private dir(controller: string): string | undefined {
    return this.dirs.find((d) => d.controllers.includes(controller))?.dir;
  }

  /** Each directory once (a combined mount appears once), then the unified one. */
  private uniqueDirs(): string[] {
    return [...new Set([...this.dirs.map((d) => d.dir), ...(this.unified ? [this.unified.dir] : [])])];
  }

  private ctx(): ResourceCtx {
    return { fs: this.o.fs, warn: this.o.warn };
  }

  create(): void {
    const { fs } = this.o;
    for (const d of [...this.dirs, ...(this.unified ? [this.unified] : [])]) {
      if (fs.exists(d.dir) && readProcs(fs, d.dir).length > 0) {
        throw new CgroupError(`cgroup ${d.dir} already exists and has processes; a new container needs an empty cgroup`, 'EBUSY');
      }
    }
    if (this.freezerState() !== 'thawed') throw new CgroupError(`cgroup ${this.dir('freezer')} already exists and is frozen`, 'EBUSY');
    for (const d of [...this.dirs, ...(this.unified ? [this.unified] : [])]) {
      if (d.mountpoint === undefined) throw new CgroupError('create() needs a manager from newCgroupManager, not a reloaded one');
      const made = mkdirChain(fs, d.mountpoint, d.dir, this.created);
      // A new cpuset cgroup starts with empty cpus and mems and accepts no
      // process until they are set: give each new level its parent's.
      if (d.controllers.includes('cpuset')) {
        for (const dir of made) {
          for (const file of ['cpuset.cpus', 'cpuset.mems']) {
            const path = join(dir, file);
            if (fs.exists(path) && fs.read(path).trim() === '') fs.write(path, fs.read(join(parentDir(dir), file)).trim());
          }
        }
      }
    }
  }

  apply(resources: LinuxResources): void {
    this.set(resources, true);
  }

  update(resources: LinuxResources): void {
    this.set(resources, false);
  }

  private set(r: LinuxResources, full: boolean): void {
    validateResources(r, 1);
    const ctx = this.ctx();
    const need = (controller: string, what: string): string | undefined => {
      const dir = this.dir(controller);
      if (dir === undefined) ctx.warn(`${what} not applied: the ${controller} controller is not mounted`);
      return dir;
    };
    if ((full || r.devices !== undefined) && !this.o.skipDevices) {
      const dir = need('devices', 'devices');
      if (dir !== undefined) this.setDevices(dir, r);
    }
    if (r.memory) {
      const dir = need('memory', 'memory');
      if (dir !== undefined) setMemoryV1(ctx, dir, r.memory);
    }
    if (r.cpu) setCpuV1(ctx, this.dir('cpu'), this.dir('cpuset'), r.cpu);
    if (r.pids) {
      const dir = need('pids', 'pids');
      if (dir !== undefined) setPids(ctx, dir, r.pids);
    }
    if (r.blockIO) {
      const dir = need('blkio', 'blockIO');
      if (dir !== undefined) setBlkioV1(ctx, dir, r.blockIO);
    }
    if (r.hugepageLimits && r.hugepageLimits.length > 0) {
      const dir = need('hugetlb', 'hugepageLimits');
      if (dir !== undefined) setHugetlb(ctx, dir, r.hugepageLimits, 1);
    }
    if (r.network) setNetV1(ctx, this.dir('net_cls'), this.dir('net_prio'), r.network);
    if (r.rdma && Object.keys(r.rdma).length > 0) {
      const dir = need('rdma', 'rdma');
      if (dir !== undefined) setRdma(ctx, dir, r.rdma);
    }
  }

  private setDevices(dir: string, r: LinuxResources): void {
    const problems: string[] = [];
    const rules = normalizeDeviceRules(r.devices ?? [], problems);
    const target = deviceTargetState(rules);
    const current = parseDevicesList(this.o.fs.read(join(dir, 'devices.list')));
    for (const w of v1DeviceWrites(current, target)) this.o.fs.write(join(dir, w.file), w.value);
  }

  addProcess(pid: number): void {
    for (const dir of this.uniqueDirs()) this.o.fs.write(join(dir, 'cgroup.procs'), String(pid));
  }

  private freezerDir(): string {
    const dir = this.dir('freezer');
    if (dir === undefined) throw new CgroupError('cannot pause: the freezer controller is not mounted');
    return dir;
  }

  async freeze(): Promise<void> {
    const state = join(this.freezerDir(), 'freezer.state');
    const { fs } = this.o;
    fs.write(state, 'FROZEN');
    // FREEZING means some task has not stopped yet (in a syscall, say). The
    // kernel keeps trying; writing FROZEN again every few polls nudges it.
    let waited = 0;
    for (let i = 1; ; i++) {
      const s = fs.read(state).trim();
      if (s === 'FROZEN') return;
      if (waited >= this.o.freezeTimeoutMs) {
        fs.write(state, 'THAWED');
        throw new CgroupError(`freezing ${parentDir(state)} timed out after ${waited} ms (state ${s}); thawed it again`);
      }
      if (i % 10 === 0) fs.write(state, 'FROZEN');
      const ms = Math.min(i, 10);
      await this.o.sleep(ms);
      waited += ms;
    }
  }

  thaw(): void {
    this.o.fs.write(join(this.freezerDir(), 'freezer.state'), 'THAWED');
  }

  freezerState(): FreezerState {
    const dir = this.dir('freezer');
    if (dir === undefined || !this.o.fs.exists(join(dir, 'freezer.state'))) return 'thawed';
    const s = this.o.fs.read(join(dir, 'freezer.state')).trim();
    return s === 'FROZEN' ? 'frozen' : s === 'FREEZING' ? 'freezing' : 'thawed';
  }

  frozen(): boolean {
    return this.freezerState() === 'frozen';
  }

  pids(): number[] {
    const name = PIDS_PREFERENCE.find((c) => this.dir(c) !== undefined);
    const dir = name !== undefined ? this.dir(name)! : this.uniqueDirs()[0];
    return dir === undefined ? [] : procsRecursive(this.o.fs, dir);
  }

  hasProcesses(): boolean {
    return this.uniqueDirs().some((d) => procsRecursive(this.o.fs, d).length > 0);
  }

  stats(): CgroupStats {
    return collectStatsV1(this.o.fs, {
      cpu: this.dir('cpu'),
      cpuacct: this.dir('cpuacct'),
      cpuset: this.dir('cpuset'),
      memory: this.dir('memory'),
      pids: this.dir('pids'),
      blkio: this.dir('blkio'),
      hugetlb: this.dir('hugetlb'),
    });
  }

  kill(): boolean {
    if (!this.unified) return false;
    const file = join(this.unified.dir, 'cgroup.kill');
    if (!this.o.fs.exists(file)) return false;
    this.o.fs.write(file, '1');
    return true;
  }

  destroy(): void {
    const busy = this.uniqueDirs().find((d) => procsRecursive(this.o.fs, d).length > 0);
    if (busy !== undefined) {
      throw new CgroupError(`cgroup ${busy} still has processes (${procsRecursive(this.o.fs, busy).join(' ')}); kill them before deleting`, 'EBUSY');
    }
    this.created = destroyCreated(this.o.fs, this.uniqueDirs(), this.created);
  }

  save(): SavedCgroups {
    return { version: 1, paths: this.paths(), created: [...this.created] };
  }
}
