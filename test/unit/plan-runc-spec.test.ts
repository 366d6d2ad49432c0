// runc's default config (`runc spec`) planned end to end: the fields
// runts-init acts on, spelled out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MS_NODEV,
  MS_NOEXEC,
  MS_NOSUID,
  MS_RDONLY,
  MS_REC,
  MS_RELATIME,
  MS_SLAVE,
  MS_STRICTATIME,
} from '../../src/plan/linux-constants.ts';
import { PLAN_VERSION } from '../../src/plan/types.ts';
import { plan, warnings, messages } from './plan-fixtures.ts';

test('runc spec: top-level fields', () => {
  const p = plan();
  assert.equal(p.version, PLAN_VERSION);
  assert.equal(p.id, 'c1');
  assert.equal(p.rootfs, '/bundles/c1/rootfs');
  assert.equal(p.readonlyRootfs, true);
  assert.equal(p.rootfsPropagation, MS_SLAVE | MS_REC);
  assert.equal(p.noPivot, false);
  assert.equal(p.hostname, 'runc');
  assert.equal(p.domainname, null);
  assert.deepEqual(p.sysctl, []);
  assert.equal(p.execFifo, '/run/runts/c1/exec.fifo');
  assert.equal(p.consoleSocket, '/tmp/console.sock');
  assert.equal(p.foreground, false);
  assert.equal(p.preserveFds, 0);
  assert.equal(p.noNewKeyring, false);
});

test('runc spec: namespaces, no user namespace, no maps', () => {
  const p = plan();
  assert.deepEqual(p.namespaces, [
    { type: 'pid', path: null },
    { type: 'network', path: null },
    { type: 'ipc', path: null },
    { type: 'uts', path: null },
    { type: 'mount', path: null },
  ]);
  assert.deepEqual(p.uidMappings, []);
  assert.deepEqual(p.gidMappings, []);
  assert.deepEqual(p.timeOffsets, []);
  assert.equal(p.bindDevices, false);
});

test('runc spec: mounts in order with flags and data', () => {
  const p = plan();
  const base = { bind: false, propagation: [], createAs: 'dir', attrSet: 0, attrClr: 0, attrRecursive: false, idmap: null };
  assert.deepEqual(p.mounts, [
    { ...base, destination: '/proc', source: 'proc', fstype: 'proc', flags: 0, data: '' },
    { ...base, destination: '/dev', source: 'tmpfs', fstype: 'tmpfs', flags: MS_NOSUID | MS_STRICTATIME, data: 'mode=755,size=65536k' },
    {
      ...base,
      destination: '/dev/pts',
      source: 'devpts',
      fstype: 'devpts',
      flags: MS_NOSUID | MS_NOEXEC,
      data: 'newinstance,ptmxmode=0666,mode=0620,gid=5',
    },
    { ...base, destination: '/dev/shm', source: 'shm', fstype: 'tmpfs', flags: MS_NOSUID | MS_NOEXEC | MS_NODEV, data: 'mode=1777,size=65536k' },
    { ...base, destination: '/dev/mqueue', source: 'mqueue', fstype: 'mqueue', flags: MS_NOSUID | MS_NOEXEC | MS_NODEV, data: '' },
    { ...base, destination: '/sys', source: 'sysfs', fstype: 'sysfs', flags: MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, data: '' },
    {
      ...base,
      destination: '/sys/fs/cgroup',
      source: 'cgroup',
      fstype: 'cgroup',
      flags: MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY,
      data: '',
    },
  ]);
  // The numbers runts-init receives, independent of the constants module.
  assert.deepEqual(
    p.mounts.map((m) => m.flags),
    [0, 0x1000002, 0xa, 0xe, 0xe, 0xf, 0x20000f],
  );
});

test('runc spec: the six default devices, /dev links', () => {
  const p = plan();
  const dev = (path: string, major: number, minor: number) => ({ path, type: 'c', major, minor, fileMode: 0o666, uid: 0, gid: 0 });
  assert.deepEqual(p.devices, [
    dev('/dev/null', 1, 3),
    dev('/dev/zero', 1, 5),
    dev('/dev/full', 1, 7),
    dev('/dev/random', 1, 8),
    dev('/dev/urandom', 1, 9),
    dev('/dev/tty', 5, 0),
  ]);
  assert.equal(p.setupDevLinks, true);
});

test('runc spec: masked and readonly paths as given', () => {
  const p = plan();
  assert.deepEqual(p.maskedPaths, [
    '/proc/acpi',
    '/proc/asound',
    '/proc/kcore',
    '/proc/keys',
    '/proc/latency_stats',
    '/proc/timer_list',
    '/proc/timer_stats',
    '/proc/sched_debug',
    '/sys/firmware',
    '/proc/scsi',
  ]);
  assert.deepEqual(p.readonlyPaths, ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
});

test('runc spec: the process', () => {
  const p = plan();
  // CAP_KILL=5, CAP_NET_BIND_SERVICE=10, CAP_AUDIT_WRITE=29
  const caps = [5, 10, 29];
  assert.deepEqual(p.process, {
    args: ['sh'],
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
    // no HOME in env: runts-init sets it from the container's /etc/passwd
    setHome: true,
    cwd: '/',
    uid: 0,
    gid: 0,
    additionalGids: [],
    umask: null,
    rlimits: [{ resource: 7, soft: '1024', hard: '1024' }],
    oomScoreAdj: null,
    noNewPrivileges: true,
    // runc's default lists ambient capabilities but no inheritable ones, so
    // the kernel refuses to raise them (runc 1.1.5 ends with CapAmb 0 too).
    capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
    terminal: true,
    consoleSize: null,
    scheduler: null,
    ioPriority: null,
    apparmorProfile: null,
    selinuxLabel: null,
  });
});

test('runc spec: no warning (its device rule is enforced by the cgroup), the dropped ambient caps only a debug note', () => {
  const m = messages(() => {});
  assert.deepEqual(m.warn, []);
  assert.deepEqual(m.debug, [
    'ignoring ambient capabilities not both permitted and inheritable: CAP_KILL, CAP_NET_BIND_SERVICE, CAP_AUDIT_WRITE',
  ]);
});

test('the plan survives a JSON round trip unchanged (it crosses to runts-init as JSON)', () => {
  const p = plan();
  assert.deepEqual(JSON.parse(JSON.stringify(p)), p);
});
