// A fake cgroupfs under a temp dir for the cgroups unit tests: directories
// and files as the kernel lays them out, plus just enough kernel behaviour
// (control files appearing on mkdir, rmdir of a directory holding files,
// devices.list following devices.allow/deny, cgroup.procs appending,
// subtree_control enabling, scripted freezer states, injected errors).
// Every write is logged so tests can check exactly what was written, in order.
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, dirname, basename } from 'node:path';
import { CgroupError, NodeCgroupFs } from '../../src/cgroups/fs.ts';
import { applyDeviceRule, accessFromString, formatDevicesList, parseDevicesList, WILDCARD } from '../../src/cgroups/devices.ts';

export const BIG = '9223372036854771712';

/** v1 control files per hierarchy (what a new cgroup gets). */
export const V1_FILES: Record<string, Record<string, string>> = {
  memory: {
    'memory.limit_in_bytes': BIG,
    'memory.soft_limit_in_bytes': BIG,
    'memory.memsw.limit_in_bytes': BIG,
    'memory.kmem.limit_in_bytes': BIG,
    'memory.kmem.tcp.limit_in_bytes': BIG,
    'memory.swappiness': '60',
    'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n',
    'memory.use_hierarchy': '1',
    'memory.usage_in_bytes': '0',
    'memory.stat': 'cache 0\nrss 0\n',
  },
  cpu: {
    'cpu.shares': '1024',
    'cpu.cfs_quota_us': '-1',
    'cpu.cfs_period_us': '100000',
    'cpu.cfs_burst_us': '0',
    'cpu.rt_runtime_us': '0',
    'cpu.rt_period_us': '1000000',
    'cpu.idle': '0',
    'cpu.stat': 'nr_periods 0\nnr_throttled 0\nthrottled_time 0\n',
  },
  cpuacct: { 'cpuacct.usage': '0', 'cpuacct.stat': 'user 0\nsystem 0\n' },
  cpuset: { 'cpuset.cpus': '', 'cpuset.mems': '' },
  devices: { 'devices.allow': '', 'devices.deny': '', 'devices.list': '' },
  freezer: { 'freezer.state': 'THAWED' },
  pids: { 'pids.max': 'max', 'pids.current': '0' },
  blkio: {
    'blkio.bfq.weight': '100',
    'blkio.bfq.weight_device': '',
    'blkio.throttle.read_bps_device': '',
    'blkio.throttle.write_bps_device': '',
    'blkio.throttle.read_iops_device': '',
    'blkio.throttle.write_iops_device': '',
  },
  hugetlb: {
    'hugetlb.2MB.limit_in_bytes': BIG,
    'hugetlb.2MB.rsvd.limit_in_bytes': BIG,
    'hugetlb.1GB.limit_in_bytes': BIG,
  },
  net_cls: { 'net_cls.classid': '0' },
  net_prio: { 'net_prio.ifpriomap': '' },
  rdma: { 'rdma.max': '' },
  'name=systemd': {},
};

/** v2 files per controller (present when the parent enabled it). */
export const V2_FILES: Record<string, Record<string, string>> = {
  memory: {
    'memory.max': 'max',
    'memory.low': '0',
    'memory.swap.max': 'max',
    'memory.current': '0',
    'memory.stat': '',
  },
  cpu: { 'cpu.weight': '100', 'cpu.max': 'max 100000', 'cpu.max.burst': '0', 'cpu.idle': '0', 'cpu.stat': '' },
  cpuset: { 'cpuset.cpus': '', 'cpuset.mems': '' },
  io: { 'io.weight': 'default 100', 'io.max': '', 'io.stat': '' },
  pids: { 'pids.max': 'max', 'pids.current': '0' },
  hugetlb: { 'hugetlb.2MB.max': 'max', 'hugetlb.2MB.rsvd.max': 'max', 'hugetlb.1GB.max': 'max' },
  rdma: { 'rdma.max': '' },
};
const V2_CORE = { 'cgroup.procs': '', 'cgroup.subtree_control': '', 'cgroup.freeze': '0', 'cgroup.events': 'populated 0\nfrozen 0\n', 'cgroup.kill': '', 'cgroup.type': 'domain' };

export interface Write {
  path: string;
  data: string;
}

/** Hook result: undefined = default behaviour, a string = the file's new content, an Error code = fail with it. */
export type WriteHook = (rel: string, data: string) => { content?: string; fail?: string } | undefined;

export class FakeCgroupFs extends NodeCgroupFs {
  readonly log: Write[] = [];
  hooks: WriteHook[] = [];
  /** Scripted reads: path -> contents to return on successive reads (the last one sticks). */
  readScript = new Map<string, string[]>();
  /** rmdir failures to inject: path -> errno (once each). */
  rmdirFail = new Map<string, string>();
  /** v2 control files per controller for directories made by mkdir (a copy: tests may tweak it). */
  v2Files: Record<string, Record<string, string>> = structuredClone(V2_FILES);

  constructor(
    root: string,
    readonly kind: 'v1' | 'v2',
    /** v1: mount point -> controllers of that hierarchy. */
    readonly mounts: Map<string, string[]> = new Map(),
  ) {
    super(root);
  }

  rel(path: string): string {
    return relative(this.root, path);
  }

  /** Writes logged below `prefix` (relative paths), as "path=data". */
  writes(prefix = ''): string[] {
    return this.log.filter((w) => w.path.startsWith(prefix)).map((w) => `${w.path}=${w.data}`);
  }

  override read(path: string): string {
    const script = this.readScript.get(path);
    if (script && script.length > 0) {
      const v = script.length > 1 ? script.shift()! : script[0]!;
      return v;
    }
    return super.read(path);
  }

  override write(path: string, data: string): void {
    this.check(path);
    const rel = this.rel(path);
    this.log.push({ path: rel, data });
    for (const h of this.hooks) {
      const r = h(rel, data);
      if (r?.fail) throw new CgroupError(`write ${path}: injected ${r.fail}`, r.fail);
      if (r?.content !== undefined) {
        if (!existsSync(path)) throw new CgroupError(`open ${path}: No such file or directory`, 'ENOENT');
        writeFileSync(path, r.content);
        return;
      }
    }
    const name = basename(path);
    if (!existsSync(path)) return super.write(path, data); // the ENOENT
    if (name === 'cgroup.procs' || name === 'tasks' || name === 'net_prio.ifpriomap' || name === 'rdma.max' || name === 'io.max' || name.endsWith('_device')) {
      // Line-oriented kernel files: each write adds/updates one line.
      const old = readFileSync(path, 'utf8');
      writeFileSync(path, old + data + '\n');
      return;
    }
    if (name === 'devices.allow' || name === 'devices.deny') {
      const list = join(dirname(path), 'devices.list');
      const cur = parseDevicesList(readFileSync(list, 'utf8'));
      const allow = name === 'devices.allow';
      let state = cur === 'allow-all-unknown' ? { defaultAllow: true, exceptions: new Map() } : cur;
      if (data === 'a') state = { defaultAllow: allow, exceptions: new Map() };
      else {
        const m = /^([cb]) (\*|\d+):(\*|\d+) ([rwm]+)$/.exec(data);
        if (!m) throw new CgroupError(`write ${path}: Invalid argument`, 'EINVAL');
        const num = (s: string) => (s === '*' ? WILDCARD : Number(s));
        applyDeviceRule(state, { allow, type: m[1] as 'c' | 'b', major: num(m[2]!), minor: num(m[3]!), access: accessFromString(m[4]!)! });
      }
      writeFileSync(list, formatDevicesList(state));
      return;
    }
    if (name === 'cgroup.subtree_control') {
      const enabled = new Set(readFileSync(path, 'utf8').split(/\s+/).filter(Boolean));
      const available = readFileSync(join(dirname(path), 'cgroup.controllers'), 'utf8').split(/\s+/).filter(Boolean);
      for (const w of data.split(/\s+/).filter(Boolean)) {
        const c = w.slice(1);
        if (!available.includes(c)) throw new CgroupError(`write ${path}: No such file or directory`, 'ENOENT');
        if (w.startsWith('+')) enabled.add(c);
        else enabled.delete(c);
      }
      writeFileSync(path, [...enabled].join(' '));
      return;
    }
    super.write(path, data);
  }

  override mkdir(path: string): boolean {
    this.check(path);
    if (existsSync(path)) return false;
    mkdirSync(path);
    const parent = dirname(path);
    if (this.kind === 'v2') {
      const enabled = readFileSync(join(parent, 'cgroup.subtree_control'), 'utf8').split(/\s+/).filter(Boolean);
      writeFileSync(join(path, 'cgroup.controllers'), enabled.join(' '));
      for (const [f, v] of Object.entries(V2_CORE)) writeFileSync(join(path, f), v);
      for (const c of enabled) for (const [f, v] of Object.entries(this.v2Files[c] ?? {})) writeFileSync(join(path, f), v);
      return true;
    }
    const mount = [...this.mounts.keys()].find((m) => path.startsWith(m + '/'));
    const controllers = mount ? this.mounts.get(mount)! : [];
    writeFileSync(join(path, 'cgroup.procs'), '');
    writeFileSync(join(path, 'tasks'), '');
    for (const c of controllers) for (const [f, v] of Object.entries(V1_FILES[c] ?? {})) writeFileSync(join(path, f), v);
    // The kernel copies the parent's device list into a new cgroup.
    if (controllers.includes('devices')) writeFileSync(join(path, 'devices.list'), readFileSync(join(parent, 'devices.list')));
    return true;
  }

  override rmdir(path: string): void {
    this.check(path);
    const fail = this.rmdirFail.get(path);
    if (fail) {
      this.rmdirFail.delete(path);
      throw new CgroupError(`rmdir ${path}: injected ${fail}`, fail);
    }
    if (!existsSync(path)) throw new CgroupError(`rmdir ${path}: No such file or directory`, 'ENOENT');
    const entries = readdirSync(path, { withFileTypes: true });
    if (entries.some((e) => e.isDirectory())) throw new CgroupError(`rmdir ${path}: Device or resource busy`, 'EBUSY');
    const procs = join(path, 'cgroup.procs');
    if (existsSync(procs) && readFileSync(procs, 'utf8').trim() !== '') throw new CgroupError(`rmdir ${path}: Device or resource busy`, 'EBUSY');
    rmSync(path, { recursive: true });
  }
}

export function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), 'runts-cgroups-'));
}

/** v1 tree like this host's: one mount per controller, cpu and cpuacct combined (to exercise that), name=systemd. */
export const V1_HIERARCHIES: string[][] = [
  ['cpu', 'cpuacct'],
  ['cpuset'],
  ['memory'],
  ['devices'],
  ['freezer'],
  ['blkio'],
  ['pids'],
  ['hugetlb'],
  ['net_cls', 'net_prio'],
  ['rdma'],
  ['name=systemd'],
];

export interface V1Fake {
  root: string;
  fs: FakeCgroupFs;
  mountinfo: string;
  procSelfCgroup: string;
}

/** A v1 (hybrid unless unified=false) tree; the caller sits in `own` in every hierarchy. */
export function makeV1(opts: { own?: string; unified?: boolean; hierarchies?: string[][] } = {}): V1Fake {
  const root = tempRoot();
  const own = opts.own ?? '/';
  const hierarchies = opts.hierarchies ?? V1_HIERARCHIES;
  const mounts = new Map<string, string[]>();
  const lines: string[] = [`31 23 0:28 / ${root} rw,relatime - tmpfs tmpfs rw,mode=755`];
  const cg: string[] = [];
  hierarchies.forEach((h, i) => {
    const name = h.join(',');
    const mp = join(root, name);
    mounts.set(mp, h);
    mkdirSync(mp);
    lines.push(`${32 + i} 31 0:${29 + i} / ${mp} rw,nosuid,nodev,noexec,relatime shared:${9 + i} - cgroup cgroup rw,${name}`);
    cg.push(`${i + 1}:${name}:${own}`);
  });
  const fs = new FakeCgroupFs(root, 'v1', mounts);
  for (const [mp, h] of mounts) {
    writeFileSync(join(mp, 'cgroup.procs'), '1\n');
    for (const c of h) for (const [f, v] of Object.entries(V1_FILES[c] ?? {})) writeFileSync(join(mp, f), v);
    if (h.includes('devices')) writeFileSync(join(mp, 'devices.list'), 'a *:* rwm\n');
    if (h.includes('cpuset')) {
      writeFileSync(join(mp, 'cpuset.cpus'), '0-3\n');
      writeFileSync(join(mp, 'cpuset.mems'), '0\n');
    }
    // The caller's own cgroup exists (with the caller in it).
    let cur = mp;
    for (const part of own.split('/').filter(Boolean)) {
      cur = join(cur, part);
      fs.mkdir(cur);
      if (h.includes('cpuset')) {
        writeFileSync(join(cur, 'cpuset.cpus'), '0-3\n');
        writeFileSync(join(cur, 'cpuset.mems'), '0\n');
      }
    }
    if (own !== '/') writeFileSync(join(cur, 'cgroup.procs'), '4242\n');
  }
  if (opts.unified !== false) {
    const mp = join(root, 'unified');
    mkdirSync(mp);
    writeFileSync(join(mp, 'cgroup.procs'), '1\n');
    writeFileSync(join(mp, 'cgroup.kill'), '');
    writeFileSync(join(mp, 'cgroup.controllers'), '');
    lines.push(`99 31 0:99 / ${mp} rw,nosuid,nodev,noexec,relatime shared:99 - cgroup2 cgroup2 rw,nsdelegate`);
    mounts.set(mp, []);
    cg.push(`0::${own}`);
    let cur = mp;
    for (const part of own.split('/').filter(Boolean)) {
      cur = join(cur, part);
      fs.mkdir(cur);
      writeFileSync(join(cur, 'cgroup.kill'), '');
    }
  }
  fs.log.length = 0;
  return { root, fs, mountinfo: lines.join('\n') + '\n', procSelfCgroup: cg.reverse().join('\n') + '\n' };
}

export interface V2Fake {
  root: string;
  fs: FakeCgroupFs;
  procSelfCgroup: string;
}

/** A pure v2 tree; root controllers all enabled at the root; the caller sits in `own` (created, holding pid 4242). */
export function makeV2(opts: { own?: string; controllers?: string[]; enabledAtRoot?: string[]; bfq?: boolean } = {}): V2Fake {
  const root = tempRoot();
  const controllers = opts.controllers ?? ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma'];
  writeFileSync(join(root, 'cgroup.controllers'), controllers.join(' '));
  writeFileSync(join(root, 'cgroup.subtree_control'), (opts.enabledAtRoot ?? []).join(' '));
  writeFileSync(join(root, 'cgroup.procs'), '1\n');
  const fs = new FakeCgroupFs(root, 'v2');
  if (opts.bfq) fs.v2Files.io!['io.bfq.weight'] = 'default 100';
  const own = opts.own ?? '/';
  if (own !== '/') {
    // The caller's cgroup was set up by its delegator with everything enabled above it.
    let cur = root;
    for (const part of own.split('/').filter(Boolean)) {
      fs.write(join(cur, 'cgroup.subtree_control'), controllers.map((c) => `+${c}`).join(' '));
      cur = join(cur, part);
      fs.mkdir(cur);
    }
    writeFileSync(join(cur, 'cgroup.procs'), '4242\n');
  }
  fs.log.length = 0;
  return { root, fs, procSelfCgroup: `0::${own}\n` };
}

export function cleanup(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

export function readRel(fake: { root: string }, rel: string): string {
  return readFileSync(join(fake.root, rel), 'utf8');
}
