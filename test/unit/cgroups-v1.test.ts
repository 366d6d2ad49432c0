// cgroup v1 manager on a fake tree: paths, create/destroy bookkeeping, the
// exact files and values each resource writes, freezer, processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCgroupManager, newCgroupManager, type CgroupManager } from '../../src/cgroups/manager.ts';
import { cgroup2ByControllersFile } from '../../src/cgroups/detect.ts';
import type { LinuxResources } from '../../src/spec/types.ts';
import { BIG, cleanup, makeV1, readRel, type V1Fake } from './cgroups-fake.ts';

function setup(opts: Parameters<typeof makeV1>[0] & { cgroupsPath?: string; id?: string } = {}) {
  const fake = makeV1(opts);
  const warnings: string[] = [];
  const sleeps: number[] = [];
  const cg = newCgroupManager({
    id: opts.id ?? 'c1',
    cgroupsPath: opts.cgroupsPath,
    root: fake.root,
    fs: fake.fs,
    mountinfo: fake.mountinfo,
    procSelfCgroup: fake.procSelfCgroup,
    isCgroup2: cgroup2ByControllersFile,
    warn: (m) => warnings.push(m),
    sleep: async (ms) => void sleeps.push(ms),
  });
  return { fake, cg, warnings, sleeps, done: () => cleanup(fake.root) };
}

/** Writes below one hierarchy's container dir, as "file=value", in order. */
function writesIn(fake: V1Fake, rel: string): string[] {
  return fake.fs.writes(rel + '/').map((w) => w.slice(rel.length + 1));
}

test('v1: default path is <own cgroup>/<id> in every hierarchy; combined mounts share a dir; hybrid adds ""', () => {
  const { fake, cg, done } = setup({ own: '/process_api/abc' });
  try {
    const p = cg.paths();
    const at = (h: string) => join(fake.root, h, 'process_api/abc/c1');
    assert.equal(cg.version, 1);
    assert.equal(p.cpu, at('cpu,cpuacct'));
    assert.equal(p.cpuacct, at('cpu,cpuacct'));
    assert.equal(p.memory, at('memory'));
    assert.equal(p.net_cls, at('net_cls,net_prio'));
    assert.equal(p['name=systemd'], at('name=systemd'));
    assert.equal(p[''], at('unified'));
    assert.equal(Object.keys(p).length, 14);
  } finally {
    done();
  }
});

test('v1: absolute cgroupsPath hangs from the mount points; relative from the caller', () => {
  const a = setup({ own: '/process_api/abc', cgroupsPath: '/machine/c1' });
  const r = setup({ own: '/process_api/abc', cgroupsPath: 'pods/c1' });
  try {
    assert.equal(a.cg.paths().memory, join(a.fake.root, 'memory/machine/c1'));
    assert.equal(r.cg.paths().memory, join(r.fake.root, 'memory/process_api/abc/pods/c1'));
  } finally {
    a.done();
    r.done();
  }
});

test('v1: create makes the missing dirs only, fills cpuset, and destroy removes exactly those', () => {
  const { fake, cg, done } = setup({ own: '/process_api/abc', cgroupsPath: 'pods/c1' });
  try {
    cg.create();
    const saved = cg.save();
    // "pods" and "c1" in each of the 11 hierarchies plus unified; process_api/abc existed.
    assert.equal(saved.created.length, 24);
    assert.ok(saved.created.includes(join(fake.root, 'memory/process_api/abc/pods')));
    assert.ok(!saved.created.some((d) => d.endsWith('/abc')));
    assert.equal(readRel(fake, 'cpuset/process_api/abc/pods/c1/cpuset.cpus'), '0-3');
    assert.equal(readRel(fake, 'cpuset/process_api/abc/pods/c1/cpuset.mems'), '0');
    assert.deepEqual(fake.fs.writes('cpuset/'), [
      'cpuset/process_api/abc/pods/cpuset.cpus=0-3',
      'cpuset/process_api/abc/pods/cpuset.mems=0',
      'cpuset/process_api/abc/pods/c1/cpuset.cpus=0-3',
      'cpuset/process_api/abc/pods/c1/cpuset.mems=0',
    ]);
    // A sub-cgroup the container made inside its own is removed too.
    mkdirSync(join(fake.root, 'memory/process_api/abc/pods/c1/nested'));
    cg.destroy();
    for (const d of saved.created) assert.ok(!existsSync(d), d);
    assert.ok(existsSync(join(fake.root, 'memory/process_api/abc')));
    assert.deepEqual(cg.save().created, []);
  } finally {
    done();
  }
});

test('v1: an existing cgroup is joined, not removed; a busy sibling keeps the shared parent', () => {
  const { fake, done } = setup({ own: '/' });
  try {
    const mk = (id: string, cgroupsPath?: string) =>
      newCgroupManager({ id, cgroupsPath, root: fake.root, fs: fake.fs, mountinfo: fake.mountinfo, procSelfCgroup: fake.procSelfCgroup, isCgroup2: cgroup2ByControllersFile });
    const first = mk('a', 'shared/a');
    first.create();
    const second = mk('b', 'shared/b');
    second.create();
    assert.ok(second.save().created.every((d) => d.endsWith('/b')), 'the second did not create "shared"');
    second.destroy();
    assert.ok(existsSync(join(fake.root, 'pids/shared/a')));
    // Pre-existing leaf: created nothing, removes nothing.
    const again = mk('a', 'shared/a');
    again.create();
    assert.deepEqual(again.save().created, []);
    again.destroy();
    assert.ok(existsSync(join(fake.root, 'pids/shared/a')));
    // The creator removes its leaf and the parent it made.
    first.destroy();
    assert.ok(!existsSync(join(fake.root, 'pids/shared')));
  } finally {
    done();
  }
});

test('v1: create refuses an existing cgroup with processes or frozen', () => {
  const { fake, cg, done } = setup({ own: '/' });
  try {
    mkdirSync(join(fake.root, 'pids/c1'));
    writeFileSync(join(fake.root, 'pids/c1/cgroup.procs'), '77\n');
    assert.throws(() => cg.create(), /already exists and has processes/);
    writeFileSync(join(fake.root, 'pids/c1/cgroup.procs'), '');
    mkdirSync(join(fake.root, 'freezer/c1'));
    writeFileSync(join(fake.root, 'freezer/c1/freezer.state'), 'FROZEN\n');
    assert.throws(() => cg.create(), /is frozen/);
  } finally {
    done();
  }
});

const FULL: LinuxResources = {
  memory: { limit: 67108864, reservation: 33554432, swap: 134217728, kernel: 16777216, kernelTCP: 8388608, swappiness: 10, disableOOMKiller: true, useHierarchy: true },
  cpu: { shares: 512, quota: 50000, period: 100000, burst: 10000, realtimeRuntime: 95000, realtimePeriod: 1000000, cpus: '0-1', mems: '0', idle: 1 },
  pids: { limit: 32 },
  blockIO: {
    weight: 500,
    leafWeight: 300,
    weightDevice: [{ major: 8, minor: 0, weight: 600, leafWeight: 200 }],
    throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }],
    throttleWriteBpsDevice: [{ major: 8, minor: 16, rate: 2097152 }],
    throttleReadIOPSDevice: [{ major: 8, minor: 0, rate: 100 }],
    throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 0 }],
  },
  hugepageLimits: [{ pageSize: '2MB', limit: 209715200 }, { pageSize: '1GB', limit: 1073741824 }],
  network: { classID: 1048577, priorities: [{ name: 'eth0', priority: 500 }, { name: 'eth1', priority: 1000 }] },
  rdma: { mlx5_1: { hcaHandles: 3, hcaObjects: 10000 }, mlx4_0: { hcaObjects: 1000 } },
  devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' }],
};

test('v1: apply writes every resource to its file, exactly', () => {
  const { fake, cg, warnings, done } = setup({ own: '/' });
  try {
    cg.create();
    fake.fs.log.length = 0;
    cg.apply(FULL);
    // memsw (BIG) is above the new limit: limit first, then memsw.
    assert.deepEqual(writesIn(fake, 'memory/c1'), [
      'memory.limit_in_bytes=67108864',
      'memory.memsw.limit_in_bytes=134217728',
      'memory.soft_limit_in_bytes=33554432',
      'memory.kmem.limit_in_bytes=16777216',
      'memory.kmem.tcp.limit_in_bytes=8388608',
      'memory.swappiness=10',
      'memory.oom_control=1',
      'memory.use_hierarchy=1',
    ]);
    assert.deepEqual(writesIn(fake, 'cpu,cpuacct/c1'), [
      'cpu.shares=512',
      'cpu.cfs_period_us=100000',
      'cpu.cfs_quota_us=50000',
      'cpu.cfs_burst_us=10000',
      'cpu.rt_period_us=1000000',
      'cpu.rt_runtime_us=95000',
      'cpu.idle=1',
    ]);
    assert.deepEqual(writesIn(fake, 'cpuset/c1'), ['cpuset.cpus=0-1', 'cpuset.mems=0']);
    assert.deepEqual(writesIn(fake, 'pids/c1'), ['pids.max=32']);
    // This host's kernel has only BFQ's weight files (no CFQ leaf weights).
    assert.deepEqual(writesIn(fake, 'blkio/c1'), [
      'blkio.bfq.weight=500',
      'blkio.bfq.weight_device=8:0 600',
      'blkio.throttle.read_bps_device=8:0 1048576',
      'blkio.throttle.write_bps_device=8:16 2097152',
      'blkio.throttle.read_iops_device=8:0 100',
      'blkio.throttle.write_iops_device=8:0 0',
    ]);
    assert.deepEqual(writesIn(fake, 'hugetlb/c1'), [
      'hugetlb.2MB.limit_in_bytes=209715200',
      'hugetlb.2MB.rsvd.limit_in_bytes=209715200',
      'hugetlb.1GB.limit_in_bytes=1073741824',
    ]);
    assert.deepEqual(writesIn(fake, 'net_cls,net_prio/c1'), ['net_cls.classid=1048577', 'net_prio.ifpriomap=eth0 500', 'net_prio.ifpriomap=eth1 1000']);
    assert.deepEqual(writesIn(fake, 'rdma/c1'), ['rdma.max=mlx5_1 hca_handle=3 hca_object=10000', 'rdma.max=mlx4_0 hca_object=1000']);
    const dev = writesIn(fake, 'devices/c1');
    assert.deepEqual(dev.slice(0, 3), ['devices.deny=a', 'devices.allow=c 10:229 rw', 'devices.allow=c *:* m']);
    assert.equal(dev.length, 13);
    assert.match(readRel(fake, 'devices/c1/devices.list'), /^c 10:229 rw\nc \*:\* m\nb \*:\* m\nc 1:3 rwm\n/);
    assert.deepEqual(warnings, [
      'blockIO.leafWeight not applied: this kernel has no blkio.leaf_weight (CFQ only)',
      'blockIO.weightDevice[].leafWeight not applied: this kernel has no blkio.leaf_weight_device (CFQ only)',
    ]);
    // Nothing touched the caller's cgroups or the unified tree.
    assert.ok(fake.fs.log.every((w) => w.path.split('/')[1] === 'c1' && !w.path.startsWith('unified')));
  } finally {
    done();
  }
});

test('v1: memory limit/swap ordering keeps limit <= memsw at every step', () => {
  const { fake, cg, done } = setup();
  try {
    cg.create();
    const memsw = join(fake.root, 'memory/c1/memory.memsw.limit_in_bytes');
    writeFileSync(memsw, '100000000\n');
    fake.fs.log.length = 0;
    cg.update({ memory: { limit: 200000000, swap: 300000000 } });
    assert.deepEqual(writesIn(fake, 'memory/c1'), ['memory.memsw.limit_in_bytes=300000000', 'memory.limit_in_bytes=200000000']);
    fake.fs.log.length = 0;
    cg.update({ memory: { limit: 50000000, swap: 60000000 } });
    assert.deepEqual(writesIn(fake, 'memory/c1'), ['memory.limit_in_bytes=50000000', 'memory.memsw.limit_in_bytes=60000000']);
    // Unlimited memory with swap unset: unlimited memsw too, first.
    fake.fs.log.length = 0;
    cg.update({ memory: { limit: -1 } });
    assert.deepEqual(writesIn(fake, 'memory/c1'), ['memory.memsw.limit_in_bytes=-1', 'memory.limit_in_bytes=-1']);
    // 0 means unset (runc): nothing written.
    fake.fs.log.length = 0;
    cg.update({ memory: { limit: 0, swap: 0, reservation: 0 } });
    assert.deepEqual(fake.fs.log, []);
  } finally {
    done();
  }
});

test('v1: kernel memory limits the kernel dropped are warnings; no swap accounting is a warning', () => {
  const { fake, cg, warnings, done } = setup();
  try {
    cg.create();
    fake.fs.hooks.push((rel) => (rel.endsWith('memory.kmem.limit_in_bytes') ? { fail: 'EOPNOTSUPP' } : undefined));
    const dir = join(fake.root, 'memory/c1');
    // Removing a control file simulates a kernel without it.
    for (const f of ['memory.kmem.tcp.limit_in_bytes', 'memory.memsw.limit_in_bytes']) rmSync(join(dir, f));
    cg.update({ memory: { limit: 1000000, swap: 2000000, kernel: 5000, kernelTCP: 6000 } });
    assert.deepEqual(writesIn(fake, 'memory/c1'), ['memory.limit_in_bytes=1000000', 'memory.kmem.limit_in_bytes=5000']);
    assert.equal(warnings.length, 3);
    assert.match(warnings[0]!, /memory.swap not applied: swap accounting is off/);
    assert.match(warnings[1]!, /memory.kernel not applied: .*Operation not supported|memory.kernel not applied: .*EOPNOTSUPP/);
    assert.match(warnings[2]!, /memory.kernelTCP not applied: kernel memory limits are gone/);
  } finally {
    done();
  }
});

test('v1: a kernel that accepts and ignores kmem limits (5.16+) is a warning', () => {
  const { fake, cg, warnings, done } = setup();
  try {
    cg.create();
    fake.fs.hooks.push((rel) => (rel.endsWith('memory.kmem.limit_in_bytes') ? { content: BIG } : undefined));
    fake.fs.hooks.push((rel, data) => (rel.endsWith('memory.kmem.tcp.limit_in_bytes') ? { content: String(Number(data) - (Number(data) % 4096)) } : undefined));
    cg.update({ memory: { kernel: 64 << 20, kernelTCP: 4097 } });
    // kernelTCP 4097 reads back as 4096 (page rounding): no warning for it.
    assert.deepEqual(warnings, [`memory.kernel not applied: the kernel ignores kernel memory limits (memory.kmem.limit_in_bytes still reads ${BIG})`]);
  } finally {
    done();
  }
});


test('v1: update writes only the fields present; devices untouched unless given', () => {
  const { fake, cg, done } = setup();
  try {
    cg.create();
    cg.apply({});
    const list = readRel(fake, 'devices/c1/devices.list');
    assert.match(list, /c 1:3 rwm/);
    fake.fs.log.length = 0;
    cg.update({ cpu: { quota: 20000 } });
    assert.deepEqual(fake.fs.writes(), ['cpu,cpuacct/c1/cpu.cfs_quota_us=20000']);
    fake.fs.log.length = 0;
    cg.update({ pids: { limit: -1 } });
    cg.update({ pids: { limit: 0 } });
    assert.deepEqual(fake.fs.writes(), ['pids/c1/pids.max=max', 'pids/c1/pids.max=0']);
    fake.fs.log.length = 0;
    // Adding one device on update: only the difference is written.
    cg.update({ devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 10, minor: 229, access: 'rwm' }] });
    assert.deepEqual(fake.fs.writes(), ['devices/c1/devices.allow=c 10:229 rwm']);
  } finally {
    done();
  }
});

test('v1: quota below the current burst is retried with the burst first', () => {
  const { fake, cg, done } = setup();
  try {
    cg.create();
    let first = true;
    fake.fs.hooks.push((rel) => {
      if (rel.endsWith('cpu.cfs_quota_us') && first) {
        first = false;
        return { fail: 'EINVAL' };
      }
      return undefined;
    });
    fake.fs.log.length = 0;
    cg.update({ cpu: { quota: 20000, burst: 5000 } });
    assert.deepEqual(writesIn(fake, 'cpu,cpuacct/c1'), ['cpu.cfs_quota_us=20000', 'cpu.cfs_burst_us=5000', 'cpu.cfs_quota_us=20000']);
  } finally {
    done();
  }
});

test('v1: configuration problems are all reported before anything is written', () => {
  const { fake, cg, done } = setup();
  try {
    cg.create();
    fake.fs.log.length = 0;
    assert.throws(
      () =>
        cg.apply({
          memory: { limit: 100, swap: 50, swappiness: 101 },
          cpu: { quota: 1000, burst: 2000, idle: 3 },
          hugepageLimits: [{ pageSize: '2M', limit: 1 }],
          unified: { 'memory.high': '1' },
          rdma: { mlx: {} },
        }),
      (e: Error & { errors?: string[] }) => {
        assert.deepEqual(e.errors, [
          'config.json: /linux/resources/memory/swappiness: 101 is outside 0..100',
          'config.json: /linux/resources/memory/swap: memory+swap limit 50 is lower than the memory limit 100',
          'config.json: /linux/resources/cpu/burst: burst 2000 is larger than quota 1000',
          'config.json: /linux/resources/cpu/idle: 3 is neither 0 nor 1',
          'config.json: /linux/resources/hugepageLimits/0/pageSize: "2M" is not a page size like 2MB or 1GB',
          'config.json: /linux/resources/rdma/mlx: needs hcaHandles or hcaObjects',
          'config.json: /linux/resources/unified: cgroup v2 settings cannot be applied: this host uses cgroup v1',
        ]);
        return true;
      },
    );
    assert.deepEqual(fake.fs.log, []);
  } finally {
    done();
  }
});

test('v1: controllers the host does not mount are warnings (runc ignores them)', () => {
  const { fake, cg, warnings, done } = setup({ hierarchies: [['cpu', 'cpuacct'], ['memory'], ['devices'], ['freezer'], ['pids']], unified: false });
  try {
    cg.create();
    cg.apply({ hugepageLimits: [{ pageSize: '2MB', limit: 1 }], network: { classID: 1 }, rdma: { m: { hcaHandles: 1 } }, blockIO: { weight: 100 }, cpu: { cpus: '0' } });
    assert.deepEqual(warnings, [
      'cpu.cpus/mems not applied: the cpuset controller is not mounted',
      'blockIO not applied: the blkio controller is not mounted',
      'hugepageLimits not applied: the hugetlb controller is not mounted',
      'network.classID not applied: the net_cls controller is not mounted',
      'rdma not applied: the rdma controller is not mounted',
    ]);
    assert.equal(cg.paths()[''], undefined);
    assert.equal(cg.kill(), false);
    assert.ok(fake.fs.log.every((w) => !w.path.startsWith('memory')));
  } finally {
    done();
  }
});

test('v1: addProcess joins every hierarchy once (combined mounts once) and the unified tree', () => {
  const { fake, cg, done } = setup();
  try {
    cg.create();
    fake.fs.log.length = 0;
    cg.addProcess(1234);
    const procs = fake.fs.writes().filter((w) => w.includes('cgroup.procs'));
    assert.equal(procs.length, 12);
    assert.ok(procs.includes('cpu,cpuacct/c1/cgroup.procs=1234'));
    assert.ok(procs.includes('unified/c1/cgroup.procs=1234'));
    assert.ok(procs.includes('name=systemd/c1/cgroup.procs=1234'));
    assert.deepEqual(cg.pids(), [1234]);
    assert.equal(cg.hasProcesses(), true);
  } finally {
    done();
  }
});

test('v1: destroy refuses while processes remain (also in sub-cgroups), then works', () => {
  const { fake, cg, done } = setup();
  try {
    cg.create();
    cg.addProcess(1234);
    assert.throws(() => cg.destroy(), /still has processes \(1234\); kill them before deleting/);
    for (const d of new Set(Object.values(cg.paths()))) writeFileSync(join(d, 'cgroup.procs'), '');
    const sub = join(fake.root, 'pids/c1/inner');
    fake.fs.mkdir(sub);
    writeFileSync(join(sub, 'cgroup.procs'), '99\n');
    assert.deepEqual(cg.pids(), [99]);
    assert.throws(() => cg.destroy(), /still has processes \(99\)/);
    writeFileSync(join(sub, 'cgroup.procs'), '');
    // A transient EBUSY (task still exiting) is retried.
    fake.fs.rmdirFail.set(join(fake.root, 'memory/c1'), 'EBUSY');
    cg.destroy();
    assert.ok(!existsSync(join(fake.root, 'memory/c1')));
    assert.ok(!existsSync(sub));
  } finally {
    done();
  }
});

test('v1: freezer FREEZING -> FROZEN, thaw, state; timeout thaws and fails', async () => {
  const { fake, cg, sleeps, done } = setup();
  try {
    cg.create();
    const state = join(fake.root, 'freezer/c1/freezer.state');
    assert.equal(cg.freezerState(), 'thawed');
    fake.fs.readScript.set(state, ['FREEZING\n', 'FREEZING\n', 'FREEZING\n', 'FROZEN\n']);
    fake.fs.log.length = 0;
    await cg.freeze();
    assert.deepEqual(fake.fs.writes(), ['freezer/c1/freezer.state=FROZEN']);
    assert.deepEqual(sleeps, [1, 2, 3]);
    assert.equal(cg.frozen(), true);
    fake.fs.readScript.clear();
    cg.thaw();
    assert.equal(readRel(fake, 'freezer/c1/freezer.state'), 'THAWED');
    assert.equal(cg.frozen(), false);
    writeFileSync(state, 'FREEZING\n');
    assert.equal(cg.freezerState(), 'freezing');
    // Stuck in FREEZING: FROZEN rewritten every 10 polls, then THAWED and an error.
    fake.fs.log.length = 0;
    sleeps.length = 0;
    fake.fs.hooks.push((rel, data) => (rel.endsWith('freezer.state') ? { content: data === 'THAWED' ? 'THAWED' : 'FREEZING' } : undefined));
    await assert.rejects(cg.freeze(), /freezing .*freezer\/c1 timed out after 50\d\d ms \(state FREEZING\); thawed it again/);
    const w = fake.fs.writes();
    assert.equal(w.at(-1), 'freezer/c1/freezer.state=THAWED');
    assert.ok(w.filter((x) => x.endsWith('=FROZEN')).length > 50);
  } finally {
    done();
  }
});

test('v1: kill goes through the hybrid unified tree\'s cgroup.kill', () => {
  const { fake, cg, done } = setup();
  try {
    cg.create();
    writeFileSync(join(fake.root, 'unified/c1/cgroup.kill'), '');
    assert.equal(cg.kill(), true);
    assert.deepEqual(fake.fs.writes().at(-1), 'unified/c1/cgroup.kill=1');
  } finally {
    done();
  }
});

test('v1: save/load round trip: a later command pauses, reads stats and deletes', async () => {
  const { fake, cg, done } = setup({ own: '/x' });
  try {
    cg.create();
    const saved = JSON.parse(JSON.stringify(cg.save()));
    const again: CgroupManager = loadCgroupManager(saved, { root: fake.root, fs: fake.fs, sleep: async () => {} });
    assert.deepEqual(again.paths(), cg.paths());
    await again.freeze();
    assert.equal(again.frozen(), true);
    again.thaw();
    assert.equal(again.stats().memory.usage.limit, BigInt(BIG));
    assert.throws(() => again.create(), /reloaded/);
    again.destroy();
    assert.ok(!existsSync(join(fake.root, 'memory/x/c1')));
    assert.ok(existsSync(join(fake.root, 'memory/x')));
  } finally {
    done();
  }
});
