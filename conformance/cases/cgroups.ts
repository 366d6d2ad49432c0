// linux.resources on this host's cgroups (v1 controllers here), read from the
// host side: each setting's file in the container's cgroup (its cgroupsPath)
// right after `create`; plus placement, freezing and removal at delete.
import { existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { eq, fail, ok, skip, type Ctx } from '../context.ts';
import type { Case } from '../case.ts';
import { cgroupMounts, isCgroupV2Only } from '../cgroupfs.ts';
import type { Json } from '../bundle.ts';

const probed = new Map<string, boolean>();

/** Whether a (non-root) cgroup of this controller has the file: some exist only below the root. */
function kernelHas(mount: string, name: string): boolean {
  const key = join(mount, name);
  if (!probed.has(key)) {
    const probe = join(mount, `runts-conformance-probe-${process.pid}`);
    mkdirSync(probe, { recursive: true });
    try {
      probed.set(key, existsSync(join(probe, name)));
    } finally {
      rmdirSync(probe);
    }
  }
  return probed.get(key)!;
}

/** The path of a cgroup file, or a skip when this host has no such controller or file. */
function file(controller: string, cgroupsPath: string, name: string): string {
  const mount = cgroupMounts().get(controller) ?? skip(`no cgroup v1 ${controller} hierarchy on this host`);
  if (!kernelHas(mount, name)) skip(`this kernel has no ${controller} ${name}`);
  return join(mount, cgroupsPath, name);
}

function hostBlockDevice(): { major: number; minor: number } {
  const d = ['vda', 'sda', 'nvme0n1', 'xvda'].find((x) => existsSync(`/sys/block/${x}/dev`));
  if (!d) skip('no block device to throttle');
  const [major, minor] = readFileSync(`/sys/block/${d}/dev`, 'utf8').trim().split(':').map(Number);
  return { major: major!, minor: minor! };
}

/**
 * A case that creates a container with `resources` and expects each
 * `[controller, file, value]`; value may be a function of the file's text.
 */
function resourceCase(name: string, resources: () => Json, expect: () => [string, string, string | ((text: string) => boolean)][]): Case {
  return {
    name,
    run: (t: Ctx) => {
      if (isCgroupV2Only()) skip('cgroup v2 host: the v1 files do not exist');
      const exp = expect();
      // Skip before creating anything when the host lacks a file.
      for (const [ctrl, f] of exp) file(ctrl, '/', f);
      const c = t.create('true', (s) => (s.linux.resources = resources()));
      const cg = t.cgroupsPath(c.id);
      for (const [ctrl, f, want] of exp) {
        const text = readFileSync(file(ctrl, cg, f), 'utf8').trim();
        if (typeof want === 'function') ok(want(text), `${ctrl}/${f}: ${JSON.stringify(text)}`);
        else eq(text, want, `${ctrl}/${f}`);
      }
    },
  };
}

const MiB = 1 << 20;

export const cgroupCases: Case[] = [
  {
    name: 'cgroups/placement',
    run: (t) => {
      if (isCgroupV2Only()) skip('cgroup v2 host');
      const c = t.create('true');
      const pid = t.state(c.id).pid as number;
      const want = t.cgroupsPath(c.id);
      const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
      for (const ctrl of ['memory', 'pids', 'cpu', 'cpuset', 'blkio', 'devices', 'freezer']) {
        if (!cgroupMounts().has(ctrl)) continue;
        const line = lines.find((l) => l.split(':')[1]!.split(',').includes(ctrl));
        eq(line?.split(':')[2], want, `the init's ${ctrl} cgroup`);
      }
    },
  },
  resourceCase('cgroups/memory-limit', () => ({ memory: { limit: 64 * MiB } }), () => [['memory', 'memory.limit_in_bytes', String(64 * MiB)]]),
  resourceCase('cgroups/memory-reservation', () => ({ memory: { limit: 64 * MiB, reservation: 32 * MiB } }), () => [['memory', 'memory.soft_limit_in_bytes', String(32 * MiB)]]),
  resourceCase('cgroups/memory-swap', () => ({ memory: { limit: 64 * MiB, swap: 128 * MiB } }), () => [['memory', 'memory.memsw.limit_in_bytes', String(128 * MiB)]]),
  resourceCase('cgroups/memory-swappiness', () => ({ memory: { swappiness: 20 } }), () => [['memory', 'memory.swappiness', '20']]),
  resourceCase('cgroups/memory-disable-oom-killer', () => ({ memory: { disableOOMKiller: true } }), () => [['memory', 'memory.oom_control', (x) => x.includes('oom_kill_disable 1')]]),
  resourceCase('cgroups/memory-kernel-tcp', () => ({ memory: { kernelTCP: 16 * MiB } }), () => [['memory', 'memory.kmem.tcp.limit_in_bytes', String(16 * MiB)]]),
  resourceCase('cgroups/cpu-shares', () => ({ cpu: { shares: 512 } }), () => [['cpu', 'cpu.shares', '512']]),
  resourceCase('cgroups/cpu-quota-period', () => ({ cpu: { quota: 50000, period: 200000 } }), () => [
    ['cpu', 'cpu.cfs_quota_us', '50000'],
    ['cpu', 'cpu.cfs_period_us', '200000'],
  ]),
  resourceCase('cgroups/cpu-burst', () => ({ cpu: { quota: 50000, period: 100000, burst: 20000 } }), () => [['cpu', 'cpu.cfs_burst_us', '20000']]),
  resourceCase('cgroups/cpu-realtime', () => ({ cpu: { realtimePeriod: 1000000, realtimeRuntime: 0 } }), () => [
    ['cpu', 'cpu.rt_period_us', '1000000'],
    ['cpu', 'cpu.rt_runtime_us', '0'],
  ]),
  resourceCase('cgroups/cpu-idle', () => ({ cpu: { idle: 1 } }), () => [['cpu', 'cpu.idle', '1']]),
  resourceCase('cgroups/cpuset-cpus', () => ({ cpu: { cpus: '0' } }), () => [['cpuset', 'cpuset.cpus', '0']]),
  resourceCase('cgroups/cpuset-mems', () => ({ cpu: { mems: '0' } }), () => [['cpuset', 'cpuset.mems', '0']]),
  resourceCase('cgroups/pids-limit', () => ({ pids: { limit: 42 } }), () => [['pids', 'pids.max', '42']]),
  resourceCase('cgroups/blkio-weight', () => ({ blockIO: { weight: 300 } }), () => [['blkio', 'blkio.weight', '300']]),
  resourceCase('cgroups/blkio-weight-device', () => {
    const d = hostBlockDevice();
    return { blockIO: { weightDevice: [{ ...d, weight: 200 }] } };
  }, () => {
    const d = hostBlockDevice();
    return [['blkio', 'blkio.weight_device', (x) => x.includes(`${d.major}:${d.minor} 200`)]];
  }),
  ...(['Read', 'Write'] as const).flatMap((dir) =>
    (['Bps', 'IOPS'] as const).map((unit) => {
      const field = `throttle${dir}${unit}Device`;
      const f = `blkio.throttle.${dir.toLowerCase()}_${unit.toLowerCase()}_device`;
      return resourceCase(
        `cgroups/blkio-${field}`,
        () => ({ blockIO: { [field]: [{ ...hostBlockDevice(), rate: 1048576 }] } }),
        () => {
          const d = hostBlockDevice();
          return [['blkio', f, `${d.major}:${d.minor} 1048576`]];
        },
      );
    }),
  ),
  resourceCase('cgroups/hugetlb', () => ({ hugepageLimits: [{ pageSize: '2MB', limit: 4 * MiB }] }), () => [['hugetlb', 'hugetlb.2MB.limit_in_bytes', String(4 * MiB)]]),
  resourceCase('cgroups/net-cls', () => ({ network: { classID: 0x100001 } }), () => [['net_cls', 'net_cls.classid', String(0x100001)]]),
  resourceCase('cgroups/net-prio', () => ({ network: { priorities: [{ name: 'lo', priority: 7 }] } }), () => [['net_prio', 'net_prio.ifpriomap', (x) => x.includes('lo 7')]]),
  resourceCase('cgroups/rdma', () => ({ rdma: { mlx5_0: { hcaHandles: 3, hcaObjects: 100 } } }), () => [['rdma', 'rdma.max', (x) => x.includes('mlx5_0')]]),
  resourceCase('cgroups/devices-list', () => ({ devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' }] }), () => [
    // The deny-all took effect (no "a *:* rwm"), 1:3 is allowed (the default devices may add "m").
    ['devices', 'devices.list', (x) => !x.includes('a *:*') && /^c 1:3 rwm?$/m.test(x)],
  ]),
  {
    name: 'cgroups/freezer-pause-resume',
    run: (t) => {
      if (isCgroupV2Only()) skip('cgroup v2 host');
      const c = t.create('sleep 1000');
      t.must(['start', c.id]);
      const state = file('freezer', t.cgroupsPath(c.id), 'freezer.state');
      t.must(['pause', c.id]);
      eq([readFileSync(state, 'utf8').trim(), t.state(c.id).status], ['FROZEN', 'paused'], 'freezer.state and status after pause');
      t.must(['resume', c.id]);
      eq([readFileSync(state, 'utf8').trim(), t.state(c.id).status], ['THAWED', 'running'], 'freezer.state and status after resume');
    },
  },
  {
    name: 'cgroups/removed-at-delete',
    run: (t) => {
      if (isCgroupV2Only()) skip('cgroup v2 host');
      const c = t.create('true', (s) => (s.linux.resources = { memory: { limit: 64 * MiB }, pids: { limit: 100 } }));
      const dirs = ['memory', 'pids', 'cpu', 'freezer'].filter((x) => cgroupMounts().has(x)).map((x) => join(cgroupMounts().get(x)!, t.cgroupsPath(c.id)));
      ok(dirs.every((d) => existsSync(d)), 'the cgroups were not made at create');
      t.must(['delete', '--force', c.id]);
      const left = dirs.filter((d) => existsSync(d));
      if (left.length > 0) fail(`left after delete: ${left.join(' ')}`);
    },
  },
];
