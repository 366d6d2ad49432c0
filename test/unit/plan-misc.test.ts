// Paths, namespaces order, propagation, devices, sysctl, time offsets and
// what the plan deliberately leaves to others (cgroups; hooks: hooks.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MS_PRIVATE, MS_REC, MS_SHARED, MS_SLAVE, MS_UNBINDABLE } from '../../src/plan/linux-constants.ts';
import { bundlePath, cleanContainerPath } from '../../src/plan/paths.ts';
import { sysctlNamespace } from '../../src/plan/sysctl.ts';
import { errors, plan } from './plan-fixtures.ts';

test('cleanContainerPath', () => {
  const cases: [string, string][] = [
    ['/', '/'],
    ['', '/'],
    ['//a//b/', '/a/b'],
    ['/a/./b/.', '/a/b'],
    ['/a/../b', '/b'],
    ['/../../..', '/'],
    ['/a/b/../../../c', '/c'],
    ['a/b', '/a/b'],
    ['/a/.../b', '/a/.../b'],
  ];
  for (const [input, want] of cases) assert.equal(cleanContainerPath(input), want, input);
});

test('bundlePath: relative to the bundle, absolute kept (cleaned)', () => {
  assert.equal(bundlePath('/b', 'rootfs'), '/b/rootfs');
  assert.equal(bundlePath('/b', '../other/rootfs'), '/other/rootfs');
  assert.equal(bundlePath('/b', '/srv//rootfs/'), '/srv/rootfs');
});

test('root.path: relative to the bundle, absolute as is; readonly flag', () => {
  assert.equal(plan((s) => (s.root = { path: 'rootfs' })).rootfs, '/bundles/c1/rootfs');
  assert.equal(plan((s) => (s.root = { path: './images/../rfs' })).rootfs, '/bundles/c1/rfs');
  assert.equal(plan((s) => (s.root = { path: '/var/lib/x/rootfs' })).rootfs, '/var/lib/x/rootfs');
  assert.equal(plan((s) => (s.root = { path: 'rootfs' })).readonlyRootfs, false);
});

test('rootfsPropagation: default rslave; every name recursive', () => {
  assert.equal(plan().rootfsPropagation, MS_SLAVE | MS_REC);
  const want: Record<string, number> = {
    shared: MS_SHARED | MS_REC,
    rshared: MS_SHARED | MS_REC,
    slave: MS_SLAVE | MS_REC,
    rslave: MS_SLAVE | MS_REC,
    private: MS_PRIVATE | MS_REC,
    rprivate: MS_PRIVATE | MS_REC,
    unbindable: MS_UNBINDABLE | MS_REC,
    runbindable: MS_UNBINDABLE | MS_REC,
  };
  for (const [name, flags] of Object.entries(want)) {
    const p = plan((s) => (s.linux!.rootfsPropagation = name));
    // The container's own root gets the setting; the host's copies get it
    // too, except unbindable (the rootfs bind mount would fail).
    assert.equal(p.rootPropagation, flags & ~MS_REC, name);
    assert.equal(p.rootfsPropagation, name.endsWith('unbindable') ? MS_SLAVE | MS_REC : flags, name);
  }
  assert.equal(plan().rootPropagation, 0);
});

test('namespaces: joined first (user, then the rest, mount never), then new ones', () => {
  const p = plan((s) => {
    s.linux!.namespaces = [
      { type: 'mount' },
      { type: 'uts', path: '/proc/9/ns/uts' },
      { type: 'network', path: '/var/run/netns/n1' },
      { type: 'cgroup' },
      { type: 'user', path: '/proc/9/ns/user' },
      { type: 'pid' },
      { type: 'ipc', path: '/proc/9/ns/ipc' },
      { type: 'time' },
    ];
  });
  assert.deepEqual(p.namespaces, [
    { type: 'user', path: '/proc/9/ns/user' },
    { type: 'network', path: '/var/run/netns/n1' },
    { type: 'ipc', path: '/proc/9/ns/ipc' },
    { type: 'uts', path: '/proc/9/ns/uts' },
    { type: 'pid', path: null },
    { type: 'cgroup', path: null },
    { type: 'time', path: null },
    { type: 'mount', path: null },
  ]);
});

test('hostname in a joined UTS namespace is allowed (pods share one); "" means leave it', () => {
  const p = plan((s) => (s.linux!.namespaces![3] = { type: 'uts', path: '/proc/9/ns/uts' }));
  assert.equal(p.hostname, 'runc');
  assert.equal(plan((s) => (s.hostname = '')).hostname, null);
  const q = plan((s) => {
    s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'uts');
    s.hostname = '';
  });
  assert.equal(q.hostname, null);
  assert.equal(plan((s) => (s.domainname = 'example.org')).domainname, 'example.org');
});

test('devices: config overrides a default at the same path, others appended; defaults filled', () => {
  const p = plan((s) => {
    s.linux!.devices = [
      { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o600, uid: 5, gid: 6 },
      { path: '/dev/fuse', type: 'c', major: 10, minor: 229 },
      { path: '/dev/myfifo', type: 'p' },
      { path: '/opt/dev/../sda', type: 'b', major: 8, minor: 0, fileMode: 0o660 },
      { path: '/dev/ttyU', type: 'u', major: 4, minor: 64 },
    ];
  });
  assert.deepEqual(p.devices, [
    { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o600, uid: 5, gid: 6 },
    { path: '/dev/zero', type: 'c', major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0 },
    { path: '/dev/full', type: 'c', major: 1, minor: 7, fileMode: 0o666, uid: 0, gid: 0 },
    { path: '/dev/random', type: 'c', major: 1, minor: 8, fileMode: 0o666, uid: 0, gid: 0 },
    { path: '/dev/urandom', type: 'c', major: 1, minor: 9, fileMode: 0o666, uid: 0, gid: 0 },
    { path: '/dev/tty', type: 'c', major: 5, minor: 0, fileMode: 0o666, uid: 0, gid: 0 },
    { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 },
    { path: '/dev/myfifo', type: 'p', major: 0, minor: 0, fileMode: 0o666, uid: 0, gid: 0 },
    { path: '/opt/sda', type: 'b', major: 8, minor: 0, fileMode: 0o660, uid: 0, gid: 0 },
    { path: '/dev/ttyU', type: 'u', major: 4, minor: 64, fileMode: 0o666, uid: 0, gid: 0 },
  ]);
});

test('sysctl: namespaced keys pass, "/" separators normalised', () => {
  const p = plan((s) => {
    s.linux!.sysctl = {
      'net.ipv4.ip_forward': '1',
      'kernel/shmmax': '100000',
      'kernel.sem_next_id': '5',
      'fs.mqueue.queues_max': '10',
      'kernel.domainname': 'example.org',
    };
  });
  assert.deepEqual(p.sysctl, [
    { key: 'net.ipv4.ip_forward', value: '1' },
    { key: 'kernel.shmmax', value: '100000' },
    { key: 'kernel.sem_next_id', value: '5' },
    { key: 'fs.mqueue.queues_max', value: '10' },
    { key: 'kernel.domainname', value: 'example.org' },
  ]);
  // A joined network namespace is the container's own too.
  const q = plan((s) => {
    s.linux!.namespaces![1] = { type: 'network', path: '/var/run/netns/n1' };
    s.linux!.sysctl = { 'net.core.somaxconn': '1024' };
  });
  assert.deepEqual(q.sysctl, [{ key: 'net.core.somaxconn', value: '1024' }]);
});

test('sysctlNamespace', () => {
  assert.equal(sysctlNamespace('kernel.msgmax'), 'ipc');
  assert.equal(sysctlNamespace('kernel.shm_rmid_forced'), 'ipc');
  assert.equal(sysctlNamespace('kernel.hostname'), 'uts');
  assert.equal(sysctlNamespace('net.ipv6.conf.all.disable_ipv6'), 'network');
  assert.equal(sysctlNamespace('kernel.pid_max'), null);
  assert.equal(sysctlNamespace('kernel.shmmaxx'), null);
});

test('time offsets with a new time namespace', () => {
  const p = plan((s) => {
    s.linux!.namespaces!.push({ type: 'time' });
    s.linux!.timeOffsets = { boottime: { secs: 86400 * 365 }, monotonic: { secs: -3600, nanosecs: 5 } };
  });
  assert.deepEqual(p.timeOffsets, [
    { clock: 'boottime', secs: 31536000, nanosecs: 0 },
    { clock: 'monotonic', secs: -3600, nanosecs: 5 },
  ]);
  assert.deepEqual(
    errors((s) => {
      s.linux!.namespaces!.push({ type: 'time', path: '/proc/9/ns/time' });
      s.linux!.timeOffsets = { monotonic: { secs: 1 } };
    }),
    ['config.json: /linux/timeOffsets: time offsets need a new time namespace (add {"type": "time"} without a path)'],
  );
});

test('process: cwd cleaned, user fields, umask, oom, consoleSize only with a terminal', () => {
  const p = plan((s) => {
    s.process!.cwd = '/home//user/./work/';
    s.process!.user = { uid: 1000, gid: 100, umask: 0o027, additionalGids: [10, 20] };
    s.process!.oomScoreAdj = -500;
    s.process!.consoleSize = { height: 24, width: 80 };
  });
  assert.equal(p.process.cwd, '/home/user/work');
  assert.deepEqual([p.process.uid, p.process.gid, p.process.additionalGids, p.process.umask], [1000, 100, [10, 20], 0o027]);
  assert.equal(p.process.oomScoreAdj, -500);
  assert.deepEqual(p.process.consoleSize, { height: 24, width: 80 });
  const q = plan(
    (s) => {
      s.process!.terminal = false;
      s.process!.consoleSize = { height: 24, width: 80 };
      delete s.process!.user;
      delete s.process!.env;
      delete s.process!.noNewPrivileges;
    },
    { consoleSocket: null },
  );
  assert.equal(q.process.consoleSize, null);
  assert.deepEqual([q.process.uid, q.process.gid, q.process.env, q.process.noNewPrivileges], [0, 0, [], false]);
});

test('process.setHome: only when env has no HOME (runts-init then takes it from the container\'s /etc/passwd)', () => {
  assert.equal(plan().process.setHome, true);
  assert.equal(plan((s) => s.process!.env!.push('HOME=/h')).process.setHome, false);
  // an empty HOME is still a HOME
  assert.equal(plan((s) => s.process!.env!.push('HOME=')).process.setHome, false);
  // a name that merely starts with HOME is not
  assert.equal(plan((s) => s.process!.env!.push('HOMEDIR=/h')).process.setHome, true);
  assert.equal(plan((s) => delete s.process!.env).process.setHome, true);
});

test('a terminal in the foreground needs no console socket', () => {
  const p = plan(() => {}, { consoleSocket: null, foreground: true });
  assert.equal(p.process.terminal, true);
  assert.equal(p.foreground, true);
});

test('options flow through unchanged', () => {
  const p = plan(() => {}, { id: 'other', noPivot: true, noNewKeyring: true, preserveFds: 3, execFifo: '/x/fifo' });
  assert.deepEqual([p.id, p.noPivot, p.noNewKeyring, p.preserveFds, p.execFifo], ['other', true, true, 3, '/x/fifo']);
});

test('cgroupsPath and resources are left alone (not in the plan, not checked here)', () => {
  const p = plan((s) => {
    s.linux!.cgroupsPath = 'system.slice:runts:weird/../path';
    s.linux!.resources = { memory: { limit: 1 << 20 }, pids: { limit: 10 } };
  });
  assert.equal(JSON.stringify(p).includes('cgroup'), true, 'only the cgroup mount mentions cgroups');
  assert.ok(!('cgroupsPath' in p) && !('resources' in p));
});

test('masked and readonly paths are cleaned and de-duplicated', () => {
  const p = plan((s) => {
    s.linux!.maskedPaths = ['/proc/kcore', '/proc//kcore/', '/proc/./keys'];
    s.linux!.readonlyPaths = ['/proc/sys/../bus'];
  });
  assert.deepEqual(p.maskedPaths, ['/proc/kcore', '/proc/keys']);
  assert.deepEqual(p.readonlyPaths, ['/proc/bus']);
});

test('personality LINUX without flags is the default and accepted', () => {
  assert.doesNotThrow(() => plan((s) => (s.linux!.personality = { domain: 'LINUX' })));
});
