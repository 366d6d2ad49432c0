// cgroup v2 manager on a fake tree: the delegation rule for
// subtree_control, the exact files and values each resource writes,
// unified, the device program hook, freezer, processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newCgroupManager, loadCgroupManager, type NewCgroupManagerOptions } from '../../src/cgroups/manager.ts';
import { cgroup2ByControllersFile } from '../../src/cgroups/detect.ts';
import { deviceFilterProgram, encodeBpf } from '../../src/cgroups/devices-bpf.ts';
import { deviceTargetState, normalizeDeviceRules } from '../../src/cgroups/devices.ts';
import type { LinuxResources } from '../../src/spec/types.ts';
import { cleanup, makeV2, readRel } from './cgroups-fake.ts';

type Extra = Partial<NewCgroupManagerOptions> & Parameters<typeof makeV2>[0];

function setup(extra: Extra = {}) {
  const fake = makeV2(extra);
  const warnings: string[] = [];
  const loaded: { insns: Buffer; dir: string }[] = [];
  const sleeps: number[] = [];
  const cg = newCgroupManager({
    id: 'c1',
    root: fake.root,
    fs: fake.fs,
    mountinfo: '',
    procSelfCgroup: fake.procSelfCgroup,
    isCgroup2: cgroup2ByControllersFile,
    warn: (m) => warnings.push(m),
    loadDeviceProgram: (insns, dir) => loaded.push({ insns, dir }),
    sleep: async (ms) => void sleeps.push(ms),
    ...extra,
  });
  return { fake, cg, warnings, loaded, sleeps, done: () => cleanup(fake.root) };
}

const ALL = '+cpuset +cpu +io +memory +hugetlb +pids +rdma';

test('v2: paths; create from the root cgroup enables controllers top-down', () => {
  const { fake, cg, done } = setup({ cgroupsPath: 'pods/c1' });
  try {
    assert.equal(cg.version, 2);
    assert.deepEqual(cg.paths(), { '': join(fake.root, 'pods/c1') });
    cg.create();
    assert.deepEqual(fake.fs.writes(), [`cgroup.subtree_control=${ALL}`, `pods/cgroup.subtree_control=${ALL}`]);
    assert.equal(readRel(fake, 'pods/c1/cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma');
    // The container's own subtree_control stays empty.
    assert.equal(readRel(fake, 'pods/c1/cgroup.subtree_control'), '');
    assert.deepEqual(cg.save().created, [join(fake.root, 'pods'), join(fake.root, 'pods/c1')]);
  } finally {
    done();
  }
});

test('v2: never writes subtree_control above runts\' own cgroup', () => {
  const { fake, cg, done } = setup({ own: '/user.slice/runts.scope', cgroupsPath: '/machine/c1' });
  try {
    // The delegator did not enable rdma at the root.
    fake.fs.write(join(fake.root, 'cgroup.subtree_control'), '-rdma');
    fake.fs.log.length = 0;
    cg.create();
    assert.deepEqual(fake.fs.writes(), ['machine/cgroup.subtree_control=+cpuset +cpu +io +memory +hugetlb +pids']);
    assert.throws(() => cg.apply({ rdma: { mlx5_0: { hcaHandles: 1 } } }), /lacks the rdma controller the configuration needs/);
  } finally {
    done();
  }
});

test('v2: default path under a busy own cgroup: EBUSY tolerated, apply names what is missing', () => {
  const { fake, cg, done } = setup({ own: '/user.slice/runts.scope' });
  try {
    fake.fs.hooks.push((rel) => (rel === 'user.slice/runts.scope/cgroup.subtree_control' ? { fail: 'EBUSY' } : undefined));
    cg.create();
    assert.equal(cg.paths()[''], join(fake.root, 'user.slice/runts.scope/c1'));
    // One combined write, then one per controller, all refused; nothing above written.
    assert.equal(fake.fs.writes().length, 8);
    assert.ok(fake.fs.writes().every((w) => w.startsWith('user.slice/runts.scope/cgroup.subtree_control=')));
    assert.throws(() => cg.apply({ memory: { limit: 1 << 20 }, pids: { limit: 5 } }), /lacks the memory, pids controllers/);
    cg.apply({}); // nothing needed but the device program
  } finally {
    done();
  }
});

const FULL: LinuxResources = {
  memory: { limit: 67108864, reservation: 33554432, swap: 134217728, kernel: 1, kernelTCP: 2, swappiness: 10, disableOOMKiller: true },
  cpu: { shares: 1024, quota: 50000, period: 100000, burst: 10000, cpus: '0-1', mems: '0', idle: 1 },
  pids: { limit: 32 },
  blockIO: {
    weight: 500,
    leafWeight: 300,
    weightDevice: [{ major: 8, minor: 0, weight: 1000 }],
    throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }],
    throttleWriteBpsDevice: [{ major: 8, minor: 16, rate: 2097152 }],
    throttleReadIOPSDevice: [{ major: 8, minor: 0, rate: 100 }],
    throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 0 }],
  },
  hugepageLimits: [{ pageSize: '2MB', limit: 209715200 }, { pageSize: '1GB', limit: 1073741824 }],
  network: { classID: 1, priorities: [{ name: 'eth0', priority: 1 }] },
  rdma: { mlx5_1: { hcaHandles: 3, hcaObjects: 10000 } },
};

test('v2: apply writes every resource to its v2 file, converted exactly', () => {
  const { fake, cg, warnings, loaded, done } = setup();
  try {
    cg.create();
    fake.fs.log.length = 0;
    cg.apply(FULL);
    assert.deepEqual(fake.fs.writes('c1/'), [
      'c1/pids.max=32',
      'c1/memory.swap.max=67108864', // 128M memory+swap - 64M memory
      'c1/memory.max=67108864',
      'c1/memory.low=33554432',
      'c1/io.weight=4950', // blkio 500
      'c1/io.weight=8:0 10000', // blkio 1000
      'c1/io.max=8:0 rbps=1048576 riops=100 wiops=max',
      'c1/io.max=8:16 wbps=2097152',
      'c1/cpu.weight=39', // shares 1024, runc 1.1.5's linear formula
      'c1/cpu.max=50000 100000',
      'c1/cpu.max.burst=10000',
      'c1/cpu.idle=1',
      'c1/cpuset.cpus=0-1',
      'c1/cpuset.mems=0',
      'c1/hugetlb.2MB.max=209715200',
      'c1/hugetlb.2MB.rsvd.max=209715200',
      'c1/hugetlb.1GB.max=1073741824',
      'c1/rdma.max=mlx5_1 hca_handle=3 hca_object=10000',
    ]);
    assert.deepEqual(warnings, [
      'memory.kernel not applied: cgroup v2 has no kernel memory limit',
      'memory.kernelTCP not applied: cgroup v2 has no kernel TCP memory limit',
      'memory.swappiness not applied: cgroup v2 has no per-cgroup swappiness',
      'memory.disableOOMKiller not applied: cgroup v2 cannot disable the OOM killer for a cgroup',
      'blockIO.leafWeight not applied: cgroup v2 has no leaf weight',
      'network.classID not applied: cgroup v2 has no net_cls',
      'network.priorities not applied: cgroup v2 has no net_prio',
    ]);
    // apply() installs the device program even without rules: runc's defaults.
    assert.equal(loaded.length, 1);
    assert.equal(loaded[0]!.dir, join(fake.root, 'c1'));
    assert.deepEqual(loaded[0]!.insns, encodeBpf(deviceFilterProgram(deviceTargetState([]))));
  } finally {
    done();
  }
});

test('v2: log weight formula, BFQ weights as is, unlimited values', () => {
  const { fake, cg, done } = setup({ cpuWeightFormula: 'log', bfq: true });
  try {
    cg.create();
    fake.fs.log.length = 0;
    cg.update({
      cpu: { shares: 1024, quota: -1 },
      blockIO: { weight: 500, weightDevice: [{ major: 8, minor: 0, weight: 700 }] },
      memory: { limit: -1, reservation: -1 },
      pids: { limit: -1 },
    });
    assert.deepEqual(fake.fs.writes('c1/'), [
      'c1/pids.max=max',
      'c1/memory.swap.max=max', // unlimited memory, swap unset: both unlimited
      'c1/memory.max=max',
      'c1/memory.low=max',
      'c1/io.bfq.weight=500',
      'c1/io.bfq.weight=8:0 700',
      'c1/cpu.weight=100',
      'c1/cpu.max=max',
    ]);
  } finally {
    done();
  }
});

test('v2: update: only the fields present; a period alone keeps the quota; devices only when given', () => {
  const { fake, cg, loaded, done } = setup();
  try {
    cg.create();
    cg.apply({ cpu: { quota: 50000, period: 100000 } });
    writeFileSync(join(fake.root, 'c1/cpu.max'), '50000 100000\n');
    fake.fs.log.length = 0;
    cg.update({ cpu: { period: 200000 } });
    cg.update({ cpu: { quota: 30000 } });
    cg.update({ pids: { limit: 0 } });
    assert.deepEqual(fake.fs.writes(), ['c1/cpu.max=50000 200000', 'c1/cpu.max=30000', 'c1/pids.max=0']);
    assert.equal(loaded.length, 1);
    cg.update({ devices: [{ allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' }] });
    assert.equal(loaded.length, 2);
  } finally {
    done();
  }
});

test('v2: unified keys written verbatim, last; bad keys and missing controllers refused', () => {
  const { fake, cg, done } = setup();
  try {
    cg.create();
    writeFileSync(join(fake.root, 'c1/memory.high'), 'max');
    fake.fs.log.length = 0;
    cg.apply({ memory: { limit: 1000000 }, unified: { 'memory.max': '2000000', 'memory.high': '1500000', 'cgroup.kill': '0' } });
    assert.deepEqual(fake.fs.writes(), ['c1/memory.max=1000000', 'c1/memory.max=2000000', 'c1/memory.high=1500000', 'c1/cgroup.kill=0']);
    assert.throws(() => cg.update({ unified: { '../cgroup.procs': '1' } }), /unified\/\.\.~1cgroup\.procs: "\.\.\/cgroup\.procs" is not a file name/);
    assert.throws(() => cg.update({ unified: { nodot: '1' } }), /is not a cgroup v2 file name/);
    assert.throws(() => cg.update({ unified: { 'misc.max': 'x 1' } }), /the misc controller is not available/);
    assert.throws(() => cg.update({ unified: { 'memory.nonexistent': '1' } }), /no such file/);
  } finally {
    done();
  }
});

test('v2: configuration problems (v2-specific) before any write', () => {
  const { fake, cg, done } = setup();
  try {
    cg.create();
    fake.fs.log.length = 0;
    assert.throws(
      () => cg.apply({ memory: { swap: 100 }, cpu: { realtimeRuntime: 1000 }, blockIO: { weight: 5000 } }),
      (e: Error & { errors?: string[] }) => {
        assert.deepEqual(e.errors, [
          'config.json: /linux/resources/memory/swap: a swap limit needs a memory limit on cgroup v2 (memory.swap.max = swap - limit)',
          'config.json: /linux/resources/cpu/realtimeRuntime: cgroup v2 has no real-time group scheduling',
          'config.json: /linux/resources/blockIO/weight: 5000 is outside 1..1000',
        ]);
        return true;
      },
    );
    assert.deepEqual(fake.fs.log, []);
  } finally {
    done();
  }
});

test('v2: checkBeforeUpdate refuses a limit below the current usage', () => {
  const { fake, cg, done } = setup();
  try {
    cg.create();
    writeFileSync(join(fake.root, 'c1/memory.current'), '5000000\n');
    assert.throws(() => cg.update({ memory: { limit: 4000000, checkBeforeUpdate: true } }), /lower than the current usage 5000000/);
    cg.update({ memory: { limit: 6000000, checkBeforeUpdate: true } });
    assert.equal(readRel(fake, 'c1/memory.max'), '6000000');
  } finally {
    done();
  }
});

test('v2: device rules without a loader fail closed, or warn when asked', () => {
  const a = setup({ loadDeviceProgram: undefined });
  const b = setup({ loadDeviceProgram: undefined, devicesWithoutLoader: 'warn' });
  const c = setup({ loadDeviceProgram: undefined, skipDevices: true });
  try {
    a.cg.create();
    assert.throws(() => a.cg.apply({}), /no eBPF device program loader/);
    b.cg.create();
    b.cg.apply({});
    assert.deepEqual(b.warnings, ['devices not applied: no eBPF device program loader (cgroup v2 needs one to restrict devices)']);
    c.cg.create();
    c.cg.apply({ devices: [{ allow: false }] });
    assert.deepEqual(c.warnings, []);
  } finally {
    a.done();
    b.done();
    c.done();
  }
});

test('v2: the program handed to the loader is the compiled rule set', () => {
  const { cg, loaded, done } = setup();
  try {
    cg.create();
    const rules = [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' }];
    cg.apply({ devices: rules });
    const problems: string[] = [];
    assert.deepEqual(loaded[0]!.insns, encodeBpf(deviceFilterProgram(deviceTargetState(normalizeDeviceRules(rules, problems)))));
    assert.equal(loaded[0]!.insns.length % 8, 0);
  } finally {
    done();
  }
});

test('v2: freeze waits for "frozen 1" in cgroup.events; thaw; states; timeout', async () => {
  const { fake, cg, sleeps, done } = setup({ freezeTimeoutMs: 30 });
  try {
    cg.create();
    const events = join(fake.root, 'c1/cgroup.events');
    fake.fs.readScript.set(events, ['populated 1\nfrozen 0\n', 'populated 1\nfrozen 0\n', 'populated 1\nfrozen 1\n']);
    fake.fs.log.length = 0;
    await cg.freeze();
    assert.deepEqual(fake.fs.writes(), ['c1/cgroup.freeze=1']);
    assert.deepEqual(sleeps, [1, 2]);
    assert.equal(cg.freezerState(), 'frozen');
    assert.equal(cg.frozen(), true);
    fake.fs.readScript.clear();
    cg.thaw();
    writeFileSync(events, 'populated 1\nfrozen 0\n');
    assert.equal(cg.freezerState(), 'thawed');
    writeFileSync(join(fake.root, 'c1/cgroup.freeze'), '1');
    assert.equal(cg.freezerState(), 'freezing');
    fake.fs.log.length = 0;
    await assert.rejects(cg.freeze(), /freezing .*c1 timed out after \d+ ms; thawed it again/);
    assert.deepEqual(fake.fs.writes(), ['c1/cgroup.freeze=1', 'c1/cgroup.freeze=0']);
  } finally {
    done();
  }
});

test('v2: processes, kill, destroy (only what it created, refusing while busy)', () => {
  const { fake, cg, done } = setup({ own: '/user.slice/runts.scope', cgroupsPath: 'pods/c1' });
  try {
    cg.create();
    cg.addProcess(555);
    mkdirSync(join(fake.root, 'user.slice/runts.scope/pods/c1/inner'));
    writeFileSync(join(fake.root, 'user.slice/runts.scope/pods/c1/inner/cgroup.procs'), '556\n');
    assert.deepEqual(cg.pids(), [555, 556]);
    assert.equal(cg.kill(), true);
    assert.equal(fake.fs.writes().at(-1), 'user.slice/runts.scope/pods/c1/cgroup.kill=1');
    assert.throws(() => cg.destroy(), /still has processes \(555 556\)/);
    writeFileSync(join(fake.root, 'user.slice/runts.scope/pods/c1/cgroup.procs'), '');
    writeFileSync(join(fake.root, 'user.slice/runts.scope/pods/c1/inner/cgroup.procs'), '');
    assert.equal(cg.hasProcesses(), false);
    const reopened = loadCgroupManager(cg.save(), { root: fake.root, fs: fake.fs });
    reopened.destroy();
    assert.ok(!existsSync(join(fake.root, 'user.slice/runts.scope/pods')));
    assert.ok(existsSync(join(fake.root, 'user.slice/runts.scope')));
  } finally {
    done();
  }
});

test('v2: create refuses an existing cgroup with processes or frozen', () => {
  const { fake, cg, done } = setup();
  try {
    fake.fs.write(join(fake.root, 'cgroup.subtree_control'), '+memory');
    fake.fs.mkdir(join(fake.root, 'c1'));
    writeFileSync(join(fake.root, 'c1/cgroup.procs'), '9\n');
    assert.throws(() => cg.create(), /already exists and has processes/);
    writeFileSync(join(fake.root, 'c1/cgroup.procs'), '');
    writeFileSync(join(fake.root, 'c1/cgroup.freeze'), '1');
    assert.throws(() => cg.create(), /is frozen/);
    writeFileSync(join(fake.root, 'c1/cgroup.freeze'), '0');
    cg.create();
    assert.deepEqual(cg.save().created, []);
  } finally {
    done();
  }
});
