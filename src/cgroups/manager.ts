// The cgroup library's front door: one CgroupManager interface, a v1
// (legacy and hybrid) and a v2 (unified) implementation.
//
//   const cg = newCgroupManager({ id, cgroupsPath: spec.linux?.cgroupsPath, warn });
//   cg.create();                    // mkdir -p (remembering what it made)
//   cg.apply(spec.linux?.resources ?? {});
//   cg.addProcess(pid);             // or clone3(CLONE_INTO_CGROUP) into paths()
//   state.cgroups = cg.save();      // JSON: the later commands reopen it
//   ...
//   const cg = loadCgroupManager(state.cgroups, { warn });
//   await cg.freeze(); cg.thaw(); cg.stats(); cg.pids(); cg.update(partial);
//   cg.destroy();                   // after the processes are gone
//
// Everything goes through a CgroupFs rooted at a directory (default
// /sys/fs/cgroup), so tests run against a fake tree; there is no module
// state, so two managers (two containers) in one process never interfere.
import type { LinuxResources } from '../spec/types.js';
import { DEFAULT_CGROUP_ROOT, detectCgroups, type CgroupLayout } from './detect.js';
import { CgroupError, NodeCgroupFs, type CgroupFs } from './fs.js';
import { cgroupDir, ownDir, parseCgroupsPath, parseProcCgroup, readProcSelfCgroup } from './path.js';
import type { CgroupStats } from './stats.js';
import { V1Manager, type V1Dir } from './v1.js';
import { V2Manager } from './v2.js';

export type FreezerState = 'thawed' | 'freezing' | 'frozen';

export interface CgroupManager {
  readonly version: 1 | 2;
  /** Controller -> absolute directory; v2: { "": dir }; v1 hybrid adds "" for the unified tree. */
  paths(): Record<string, string>;
  /**
   * mkdir -p of every directory, remembering the ones it made (destroy
   * removes only those). v2: enables controllers in the parents (v2.ts has
   * the rule). Refuses an existing cgroup that has processes or is frozen
   * (runtime-spec: a create must not share a cgroup unexpectedly).
   */
  create(): void;
  /**
   * Applies linux.resources at create time: every field present is written,
   * and the device rules are always installed (with runc's defaults) even
   * when the config lists none.
   */
  apply(resources: LinuxResources): void;
  /** `update`: only the fields present; device rules only if `devices` is given. */
  update(resources: LinuxResources): void;
  /** Moves a process (all its threads) into the cgroup(s). */
  addProcess(pid: number): void;
  /** Freezes and waits until the kernel reports frozen (times out with an error, thawing again). */
  freeze(): Promise<void>;
  thaw(): void;
  frozen(): boolean;
  freezerState(): FreezerState;
  /** Every process in the cgroup and its sub-cgroups. */
  pids(): number[];
  hasProcesses(): boolean;
  /** `runc events --stats` data (stats.ts; formatStatsEvent prints it). */
  stats(): CgroupStats;
  /** Kills everything through cgroup.kill (v2, or the hybrid unified tree); false where there is none. */
  kill(): boolean;
  /**
   * Removes the directories create() made, deepest first (the container's
   * own cgroup together with any sub-cgroups made inside it). Refuses while
   * processes remain: the caller kills and reaps first.
   */
  destroy(): void;
  /** What a later command needs to reopen this manager (JSON-safe). */
  save(): SavedCgroups;
}

export interface SavedCgroups {
  version: 1 | 2;
  paths: Record<string, string>;
  /** Directories create() made, top-down. */
  created: string[];
}

export interface CgroupManagerOptions {
  /** Filesystem layer (default: NodeCgroupFs on `root`). */
  fs?: CgroupFs;
  /** Where the hierarchies are mounted (default /sys/fs/cgroup). */
  root?: string;
  /** Settings accepted but not applied go here (default: dropped). */
  warn?: (message: string) => void;
  /**
   * cgroup v2 device rules: loads `insns` (struct bpf_insn array, host byte
   * order) as BPF_PROG_TYPE_CGROUP_DEVICE and attaches it to cgroupDir with
   * BPF_CGROUP_DEVICE, replacing the program a previous call attached.
   * Implemented by the N-API bridge.
   */
  loadDeviceProgram?: (insns: Buffer, cgroupDir: string) => void;
  /** v2 without loadDeviceProgram: 'error' (default: fail closed) or 'warn' (run without device rules). */
  devicesWithoutLoader?: 'error' | 'warn';
  /** Leave the device cgroup alone (rootless). */
  skipDevices?: boolean;
  /** cpu.shares -> cpu.weight (convert.ts): 'linear' (runc <= 1.3.1, default) or 'log'. */
  cpuWeightFormula?: 'linear' | 'log';
  /** Freeze polling: waits between reads (default: setTimeout). */
  sleep?: (ms: number) => Promise<void>;
  /** Give up freezing after this many milliseconds of waiting (default 5000). */
  freezeTimeoutMs?: number;
  /** Hybrid hosts: also create and join the cgroup in the unified (v2) tree, as runc 1.1 does (default true). */
  hybridUnified?: boolean;
}

export interface NewCgroupManagerOptions extends CgroupManagerOptions {
  /** Container id: the default cgroup is "<own cgroup>/<id>". */
  id: string;
  /** linux.cgroupsPath. */
  cgroupsPath?: string;
  /** /proc/self/mountinfo content (default: read it). */
  mountinfo?: string;
  /** /proc/self/cgroup content (default: read it). */
  procSelfCgroup?: string;
  /** Layout already detected (skips detection). */
  layout?: CgroupLayout;
  /** detect.ts DetectOptions.isCgroup2. */
  isCgroup2?: (path: string) => boolean;
}

export interface ResolvedOptions {
  fs: CgroupFs;
  warn: (message: string) => void;
  loadDeviceProgram?: (insns: Buffer, cgroupDir: string) => void;
  devicesWithoutLoader: 'error' | 'warn';
  skipDevices: boolean;
  cpuWeightFormula: 'linear' | 'log';
  sleep: (ms: number) => Promise<void>;
  freezeTimeoutMs: number;
}

function resolveOptions(o: CgroupManagerOptions, fsRoot: string): ResolvedOptions {
  return {
    fs: o.fs ?? new NodeCgroupFs(fsRoot),
    warn: o.warn ?? (() => {}),
    loadDeviceProgram: o.loadDeviceProgram,
    devicesWithoutLoader: o.devicesWithoutLoader ?? 'error',
    skipDevices: o.skipDevices ?? false,
    cpuWeightFormula: o.cpuWeightFormula ?? 'linear',
    sleep: o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    freezeTimeoutMs: o.freezeTimeoutMs ?? 5000,
  };
}

function commonRoot(root: string, mountpoints: string[]): string {
  return mountpoints.every((m) => m === root || m.startsWith(root + '/')) ? root : '/';
}

/** Detects the hierarchy, resolves the container's cgroup path in each, and returns its manager (nothing is created yet). */
export function newCgroupManager(o: NewCgroupManagerOptions): CgroupManager {
  const root = o.root ?? DEFAULT_CGROUP_ROOT;
  const layout = o.layout ?? detectCgroups({ root, mountinfo: o.mountinfo, isCgroup2: o.isCgroup2 });
  const path = parseCgroupsPath(o.cgroupsPath, o.id);
  const needOwn = path.kind === 'relative' || layout.version === 2;
  const own = needOwn ? parseProcCgroup(o.procSelfCgroup ?? readProcSelfCgroup()) : { v1: new Map<string, string>() };

  if (layout.version === 2) {
    if (own.unified === undefined && path.kind === 'relative') {
      throw new CgroupError('cannot place the container relative to runts\' cgroup: /proc/self/cgroup has no "0::" line');
    }
    const opts = resolveOptions(o, commonRoot(root, [layout.mountpoint]));
    const dir = cgroupDir(path, layout.mountpoint, '/', own.unified);
    const mine = own.unified === undefined ? undefined : ownDir(layout.mountpoint, '/', own.unified);
    return new V2Manager(dir, [], opts, { mountpoint: layout.mountpoint, ownDir: mine });
  }

  const dirs: V1Dir[] = layout.hierarchies.map((h) => {
    const ownPath = h.controllers.map((c) => own.v1.get(c)).find((p) => p !== undefined);
    return { controllers: h.controllers, dir: cgroupDir(path, h.mountpoint, h.root, ownPath), mountpoint: h.mountpoint };
  });
  let unified: V1Dir | undefined;
  if (layout.unified && (o.hybridUnified ?? true) && (path.kind === 'absolute' || own.unified !== undefined)) {
    unified = {
      controllers: [''],
      dir: cgroupDir(path, layout.unified.mountpoint, layout.unified.root, own.unified),
      mountpoint: layout.unified.mountpoint,
    };
  }
  const mountpoints = [...dirs, ...(unified ? [unified] : [])].map((d) => d.mountpoint!);
  return new V1Manager(dirs, unified, [], resolveOptions(o, commonRoot(root, mountpoints)));
}

/** Reopens a manager from save() (for start, kill, pause, update, events, delete). */
export function loadCgroupManager(saved: SavedCgroups, o: CgroupManagerOptions = {}): CgroupManager {
  const all = Object.values(saved.paths);
  const root = o.root ?? DEFAULT_CGROUP_ROOT;
  const opts = resolveOptions(o, commonRoot(root, all));
  if (saved.version === 2) {
    const dir = saved.paths[''];
    if (dir === undefined) throw new CgroupError('saved cgroup v2 state has no path');
    return new V2Manager(dir, saved.created, opts);
  }
  const byDir = new Map<string, string[]>();
  let unified: V1Dir | undefined;
  for (const [controller, dir] of Object.entries(saved.paths)) {
    if (controller === '') {
      unified = { controllers: [''], dir };
      continue;
    }
    byDir.set(dir, [...(byDir.get(dir) ?? []), controller]);
  }
  const dirs: V1Dir[] = [...byDir].map(([dir, controllers]) => ({ controllers, dir }));
  return new V1Manager(dirs, unified, saved.created, opts);
}
