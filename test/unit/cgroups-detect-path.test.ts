// Hierarchy detection from mountinfo (this host's hybrid layout, a legacy
// layout with combined mounts, pure v2) and the cgroupsPath policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CGROUP2_SUPER_MAGIC, cgroup2ByControllersFile, detectCgroups, parseMountinfo, v1Controllers } from '../../src/cgroups/detect.ts';
import { cgroupDir, ownDir, parseCgroupsPath, parseProcCgroup } from '../../src/cgroups/path.ts';
import { cleanup, makeV1, makeV2 } from './cgroups-fake.ts';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/cgroups', name), 'utf8');
const notV2 = () => false;

test('detect: this host (hybrid: one v1 mount per controller, name=systemd, cgroup2 at unified)', () => {
  const layout = detectCgroups({ mountinfo: fixture('mountinfo-hybrid-host.txt'), isCgroup2: notV2 });
  assert.equal(layout.version, 1);
  if (layout.version !== 1) return;
  const byName = Object.fromEntries(layout.hierarchies.map((h) => [h.controllers.join(','), h.mountpoint]));
  assert.deepEqual(byName, {
    cpu: '/sys/fs/cgroup/cpu',
    cpuacct: '/sys/fs/cgroup/cpuacct',
    cpuset: '/sys/fs/cgroup/cpuset',
    memory: '/sys/fs/cgroup/memory',
    devices: '/sys/fs/cgroup/devices',
    freezer: '/sys/fs/cgroup/freezer',
    blkio: '/sys/fs/cgroup/blkio',
    pids: '/sys/fs/cgroup/pids',
    'name=systemd': '/sys/fs/cgroup/systemd',
  });
  assert.deepEqual(layout.unified, { mountpoint: '/sys/fs/cgroup/unified', root: '/' });
});

test('detect: legacy layout with combined mounts; mount options are not controllers', () => {
  const layout = detectCgroups({ mountinfo: fixture('mountinfo-legacy.txt'), isCgroup2: notV2 });
  assert.equal(layout.version, 1);
  if (layout.version !== 1) return;
  const cpu = layout.hierarchies.find((h) => h.controllers.includes('cpuacct'))!;
  assert.deepEqual(cpu.controllers, ['cpu', 'cpuacct']);
  assert.equal(cpu.mountpoint, '/sys/fs/cgroup/cpu,cpuacct');
  assert.deepEqual(layout.hierarchies.find((h) => h.controllers.includes('net_prio'))!.controllers, ['net_cls', 'net_prio']);
  assert.deepEqual(layout.hierarchies.find((h) => h.controllers.includes('cpuset'))!.controllers, ['cpuset']);
  assert.deepEqual(layout.hierarchies.find((h) => h.mountpoint.endsWith('systemd'))!.controllers, ['name=systemd']);
  assert.equal(layout.unified, undefined);
  assert.equal(layout.hierarchies.length, 11);
});

test('detect: pure cgroup2 when the root is a cgroup2 mount (statfs magic injected)', () => {
  const seen: string[] = [];
  const layout = detectCgroups({
    mountinfo: fixture('mountinfo-unified.txt'),
    isCgroup2: (p) => (seen.push(p), p === '/sys/fs/cgroup'),
  });
  assert.deepEqual(layout, { version: 2, mountpoint: '/sys/fs/cgroup' });
  assert.deepEqual(seen, ['/sys/fs/cgroup']);
  assert.equal(CGROUP2_SUPER_MAGIC, 0x63677270);
});

test('detect: fake trees by cgroup.controllers at the root', () => {
  const v2 = makeV2();
  const v1 = makeV1();
  try {
    assert.deepEqual(detectCgroups({ root: v2.root, mountinfo: '', isCgroup2: cgroup2ByControllersFile }), { version: 2, mountpoint: v2.root });
    const layout = detectCgroups({ root: v1.root, mountinfo: v1.mountinfo, isCgroup2: cgroup2ByControllersFile });
    assert.equal(layout.version, 1);
    if (layout.version === 1) {
      assert.equal(layout.hierarchies.find((h) => h.controllers.includes('cpuacct'))!.mountpoint, join(v1.root, 'cpu,cpuacct'));
      assert.equal(layout.unified?.mountpoint, join(v1.root, 'unified'));
    }
  } finally {
    cleanup(v1.root);
    cleanup(v2.root);
  }
});

test('detect: no cgroup mounts at all is an error; duplicates keep the mount under the root', () => {
  assert.throws(() => detectCgroups({ mountinfo: fixture('mountinfo-unified.txt').split('\n')[0]!, isCgroup2: notV2 }), /no cgroup hierarchy found/);
  const mi = [
    '40 1 0:30 / /elsewhere/mem rw - cgroup cgroup rw,memory',
    '41 1 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory',
    '42 1 0:31 /docker/abc /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids',
  ].join('\n');
  const layout = detectCgroups({ mountinfo: mi, isCgroup2: notV2 });
  assert.equal(layout.version, 1);
  if (layout.version === 1) {
    assert.deepEqual(layout.hierarchies.map((h) => h.mountpoint), ['/sys/fs/cgroup/memory', '/sys/fs/cgroup/pids']);
    assert.equal(layout.hierarchies[1]!.root, '/docker/abc');
  }
});

test('parseMountinfo: optional fields, octal escapes', () => {
  const [m] = parseMountinfo('36 35 98:0 /my\\040root /mnt/with\\040space rw,noatime master:1 shared:2 - cgroup cgroup rw,cpu,cpuacct\n');
  assert.deepEqual(m, { root: '/my root', mountpoint: '/mnt/with space', fstype: 'cgroup', superOptions: ['rw', 'cpu', 'cpuacct'] });
  assert.deepEqual(v1Controllers(['rw', 'nosuid', 'xattr', 'release_agent=/x', 'name=systemd', 'cpuset', 'clone_children', 'name=']), ['name=systemd', 'cpuset']);
  assert.deepEqual(parseMountinfo('garbage\n\n'), []);
});

test('parseProcCgroup: this host, combined controllers, named hierarchies, deleted', () => {
  const host = parseProcCgroup(fixture('proc-self-cgroup-hybrid-host.txt'));
  assert.equal(host.unified, '/');
  assert.equal(host.v1.get('name=systemd'), '/');
  assert.match(host.v1.get('memory')!, /^\/process_api\//);
  const p = parseProcCgroup('4:cpu,cpuacct:/user.slice\n1:name=systemd:/user.slice/x.scope\n0::/a/b (deleted)\n');
  assert.equal(p.v1.get('cpu'), '/user.slice');
  assert.equal(p.v1.get('cpuacct'), '/user.slice');
  assert.equal(p.v1.get('name=systemd'), '/user.slice/x.scope');
  assert.equal(p.unified, '/a/b');
  assert.equal(parseProcCgroup('0::/\n').v1.size, 0);
});

test('parseCgroupsPath: absolute, relative, default, cleaning', () => {
  assert.deepEqual(parseCgroupsPath(undefined, 'c1'), { kind: 'relative', path: 'c1' });
  assert.deepEqual(parseCgroupsPath('', 'c1'), { kind: 'relative', path: 'c1' });
  assert.deepEqual(parseCgroupsPath('/machine/c1', 'c1'), { kind: 'absolute', path: '/machine/c1' });
  assert.deepEqual(parseCgroupsPath('//machine/./x/../c1/', 'c1'), { kind: 'absolute', path: '/machine/c1' });
  assert.deepEqual(parseCgroupsPath('pods/c1', 'c1'), { kind: 'relative', path: 'pods/c1' });
  assert.deepEqual(parseCgroupsPath('./pods/x/../c1', 'c1'), { kind: 'relative', path: 'pods/c1' });
  assert.deepEqual(parseCgroupsPath('kubepods:burstable/c1', 'c1'), { kind: 'relative', path: 'kubepods:burstable/c1' });
});

test('parseCgroupsPath: refuses escapes, the start itself, the systemd form', () => {
  assert.throws(() => parseCgroupsPath('/../etc', 'c1'), /climbs above the cgroup mount point/);
  assert.throws(() => parseCgroupsPath('/a/../../b', 'c1'), /climbs above/);
  assert.throws(() => parseCgroupsPath('../sibling', 'c1'), /climbs above runts' own cgroup/);
  assert.throws(() => parseCgroupsPath('a/../../b', 'c1'), /climbs above/);
  assert.throws(() => parseCgroupsPath('/', 'c1'), /names the root cgroup/);
  assert.throws(() => parseCgroupsPath('/a/..', 'c1'), /names the root cgroup/);
  assert.throws(() => parseCgroupsPath('.', 'c1'), /names runts' own cgroup/);
  assert.throws(() => parseCgroupsPath('system.slice:docker:abc', 'c1'), /systemd driver's "slice:prefix:name" form.*not available/);
  assert.throws(() => parseCgroupsPath(':runts:c1', 'c1'), /systemd cgroup driver is not available/);
  assert.throws(() => parseCgroupsPath(undefined, '../x'), /cannot name a cgroup/);
});

test('cgroupDir: absolute from the mount point, relative from the caller (through the mount root)', () => {
  const abs = parseCgroupsPath('/m/c1', 'c1');
  const rel = parseCgroupsPath(undefined, 'c1');
  assert.equal(cgroupDir(abs, '/sys/fs/cgroup/memory', '/', '/process_api/x'), '/sys/fs/cgroup/memory/m/c1');
  assert.equal(cgroupDir(rel, '/sys/fs/cgroup/memory', '/', '/process_api/x'), '/sys/fs/cgroup/memory/process_api/x/c1');
  assert.equal(cgroupDir(rel, '/sys/fs/cgroup/pids', '/', '/'), '/sys/fs/cgroup/pids/c1');
  // A bind mount showing /docker/abc at the mount point.
  assert.equal(cgroupDir(rel, '/sys/fs/cgroup/pids', '/docker/abc', '/docker/abc/sub'), '/sys/fs/cgroup/pids/sub/c1');
  assert.throws(() => cgroupDir(rel, '/sys/fs/cgroup/pids', '/docker/abc', '/other'), /not visible/);
  assert.throws(() => cgroupDir(rel, '/sys/fs/cgroup/pids', '/', undefined), /does not list this hierarchy/);
  assert.equal(ownDir('/sys/fs/cgroup', '/', '/user.slice'), '/sys/fs/cgroup/user.slice');
  assert.equal(ownDir('/sys/fs/cgroup', '/', '/'), '/sys/fs/cgroup');
});
