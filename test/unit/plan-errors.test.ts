// Each semantic check: one broken config, one exact message with its path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlanError } from '../../src/plan/build-plan.ts';
import type { Spec } from '../../src/spec/types.ts';
import { assertOnlyError, errors, plan } from './plan-fixtures.ts';

const noNs = (type: string) => (s: Spec) => {
  s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== type);
};

// [what, edit, expected message, plan options]
const CASES: [string, (s: Spec) => void, string, Record<string, unknown>?][] = [
  ['missing process', (s) => delete s.process, 'config.json: /process: required for create'],
  ['empty args', (s) => (s.process!.args = []), 'config.json: /process/args: must not be empty'],
  ['missing args', (s) => delete s.process!.args, 'config.json: /process/args: must not be empty'],
  ['empty program name', (s) => (s.process!.args = ['']), 'config.json: /process/args/0: must not be empty (it names the program to run)'],
  ['NUL in an argument', (s) => (s.process!.args = ['sh', '-c', 'a\0b']), 'config.json: /process/args/2: must not contain NUL'],
  ['relative cwd', (s) => (s.process!.cwd = 'home'), 'config.json: /process/cwd: "home" must be an absolute path'],
  ['empty cwd', (s) => (s.process!.cwd = ''), 'config.json: /process/cwd: must not be empty'],
  ['env without =', (s) => s.process!.env!.push('FOO'), 'config.json: /process/env/2: "FOO" is not of the form NAME=value'],
  ['env with empty name', (s) => s.process!.env!.push('=bar'), 'config.json: /process/env/2: "=bar" has an empty variable name'],
  [
    'uid (uid_t)-1',
    (s) => (s.process!.user!.uid = 4294967295),
    'config.json: /process/user/uid: 4294967295 is not a valid id ((uid_t)-1 is reserved)',
  ],
  [
    'additional gid (gid_t)-1',
    (s) => (s.process!.user!.additionalGids = [10, 4294967295]),
    'config.json: /process/user/additionalGids/1: 4294967295 is not a valid id ((uid_t)-1 is reserved)',
  ],
  ['umask too large', (s) => (s.process!.user!.umask = 4095), 'config.json: /process/user/umask: 4095 is not a umask (at most 511, i.e. 0o777)'],
  ['oomScoreAdj out of range', (s) => (s.process!.oomScoreAdj = 5000), 'config.json: /process/oomScoreAdj: 5000 is outside -1000..1000'],
  [
    'terminal without console socket, detached',
    () => {},
    'config.json: /process/terminal: a terminal needs --console-socket when the container is detached',
    { consoleSocket: null },
  ],
  [
    'console socket without terminal',
    (s) => (s.process!.terminal = false),
    '--console-socket: can only be used when process.terminal is true',
  ],
  ['console socket in the foreground', () => {}, '--console-socket: can only be used with a detached container', { foreground: true }],
  ['negative preserve-fds', () => {}, '--preserve-fds: -1 is not a non-negative integer', { preserveFds: -1 }],
  ['missing root', (s) => delete s.root, 'config.json: /root: required on Linux'],
  ['empty root path', (s) => (s.root!.path = ''), 'config.json: /root/path: must not be empty'],
  ['duplicate namespace', (s) => s.linux!.namespaces!.push({ type: 'pid' }), 'config.json: /linux/namespaces/5/type: duplicate namespace "pid"'],
  [
    'relative namespace path',
    (s) => (s.linux!.namespaces![1] = { type: 'network', path: 'run/netns/x' }),
    'config.json: /linux/namespaces/1/path: namespace path "run/netns/x" must be absolute',
  ],
  [
    'no mount namespace',
    (s) => {
      noNs('mount')(s);
    },
    'config.json: /linux/namespaces: a new mount namespace is required (add {"type": "mount"}): the rootfs is set up inside it',
  ],
  [
    'joined mount namespace',
    (s) => (s.linux!.namespaces![4] = { type: 'mount', path: '/proc/1/ns/mnt' }),
    'config.json: /linux/namespaces/4/path: joining an existing mount namespace is not supported: the rootfs is set up in a new one',
  ],
  ['hostname without UTS namespace', noNs('uts'), 'config.json: /hostname: setting the hostname needs a UTS namespace (add {"type": "uts"})'],
  [
    'domainname without UTS namespace',
    (s) => {
      noNs('uts')(s);
      delete s.hostname;
      s.domainname = 'example.org';
    },
    'config.json: /domainname: setting the domainname needs a UTS namespace (add {"type": "uts"})',
  ],
  ['hostname too long', (s) => (s.hostname = 'x'.repeat(65)), `config.json: /hostname: "${'x'.repeat(65)}" is longer than 64 bytes`],
  [
    'net sysctl without network namespace',
    (s) => {
      noNs('network')(s);
      s.linux!.sysctl = { 'net.ipv4.ip_forward': '1' };
    },
    'config.json: /linux/sysctl/net.ipv4.ip_forward: sysctl "net.ipv4.ip_forward" belongs to the network namespace, which the container shares with the host',
  ],
  [
    'ipc sysctl without ipc namespace',
    (s) => {
      noNs('ipc')(s);
      s.linux!.sysctl = { 'kernel.shmmax': '1000000' };
    },
    'config.json: /linux/sysctl/kernel.shmmax: sysctl "kernel.shmmax" belongs to the ipc namespace, which the container shares with the host',
  ],
  [
    'mqueue sysctl without ipc namespace',
    (s) => {
      noNs('ipc')(s);
      s.linux!.sysctl = { 'fs.mqueue.msg_max': '10' };
    },
    'config.json: /linux/sysctl/fs.mqueue.msg_max: sysctl "fs.mqueue.msg_max" belongs to the ipc namespace, which the container shares with the host',
  ],
  [
    'uts sysctl without uts namespace',
    (s) => {
      noNs('uts')(s);
      delete s.hostname;
      s.linux!.sysctl = { 'kernel.domainname': 'x' };
    },
    'config.json: /linux/sysctl/kernel.domainname: sysctl "kernel.domainname" belongs to the uts namespace, which the container shares with the host',
  ],
  [
    'global sysctl',
    (s) => (s.linux!.sysctl = { 'vm.swappiness': '10' }),
    'config.json: /linux/sysctl/vm.swappiness: sysctl "vm.swappiness" is not namespaced: setting it would change the host',
  ],
  [
    'sysctl conflicting with hostname',
    (s) => (s.linux!.sysctl = { 'kernel.hostname': 'other' }),
    'config.json: /linux/sysctl/kernel.hostname: sysctl "kernel.hostname" conflicts with /hostname; set only one',
  ],
  [
    'sysctl key climbing out of /proc/sys',
    (s) => (s.linux!.sysctl = { 'net/../../../etc/passwd': 'x' }),
    'config.json: /linux/sysctl/net~1..~1..~1..~1etc~1passwd: sysctl "net/../../../etc/passwd" is not a valid key',
  ],
  [
    'sysctl key mixing separators',
    (s) => (s.linux!.sysctl = { 'net/ipv4/conf/eth0.100/forwarding': '1' }),
    'config.json: /linux/sysctl/net~1ipv4~1conf~1eth0.100~1forwarding: sysctl "net/ipv4/conf/eth0.100/forwarding" mixes "/" and "." separators, which runts does not support yet',
  ],
  [
    'unknown rootfsPropagation',
    (s) => (s.linux!.rootfsPropagation = 'bogus'),
    'config.json: /linux/rootfsPropagation: unknown propagation "bogus" (expected one of shared, rshared, slave, rslave, private, rprivate, unbindable, runbindable)',
  ],
  ['relative masked path', (s) => s.linux!.maskedPaths!.push('proc/foo'), 'config.json: /linux/maskedPaths/10: "proc/foo" must be an absolute path'],
  ['relative readonly path', (s) => s.linux!.readonlyPaths!.push('proc/foo'), 'config.json: /linux/readonlyPaths/5: "proc/foo" must be an absolute path'],
  ['masking "/"', (s) => s.linux!.maskedPaths!.push('/..'), 'config.json: /linux/maskedPaths/10: "/.." would cover the whole container'],
  [
    'mount over /',
    (s) => s.mounts!.push({ destination: '/', type: 'tmpfs', source: 'tmpfs' }),
    'config.json: /mounts/7/destination: a mount over "/" would hide the rootfs; set root.path instead',
  ],
  [
    'mount without type',
    (s) => s.mounts!.push({ destination: '/mnt', source: 'tmpfs' }),
    'config.json: /mounts/7/type: required unless the mount is a bind mount (options "bind" or "rbind")',
  ],
  [
    'type none without bind',
    (s) => s.mounts!.push({ destination: '/mnt', type: 'none', source: '/srv' }),
    'config.json: /mounts/7/type: "none" is only a placeholder for bind mounts; add "bind" or "rbind" to the options',
  ],
  [
    'bind mount without source',
    (s) => s.mounts!.push({ destination: '/mnt', options: ['rbind'] }),
    'config.json: /mounts/7/source: required for a bind mount',
  ],
  [
    'mount inside /proc',
    (s) => s.mounts!.push({ destination: '/proc/sys', type: 'tmpfs', source: 'tmpfs' }),
    'config.json: /mounts/7/destination: "/proc/sys" is inside /proc, where only /proc/cpuinfo, /proc/diskstats, /proc/meminfo, /proc/stat, /proc/swaps, /proc/uptime, /proc/loadavg, /proc/slabinfo, /proc/net/dev, /proc/sys/kernel/ns_last_pid may be mounted',
  ],
  [
    'non-proc filesystem on /proc',
    (s) => (s.mounts![0] = { destination: '/proc', type: 'tmpfs', source: 'tmpfs' }),
    'config.json: /mounts/0/type: only a proc filesystem may be mounted on /proc, not "tmpfs"',
  ],
  [
    'unsupported mount option',
    (s) => s.mounts!.push({ destination: '/mnt', source: '/srv', options: ['rbind', 'tmpcopyup'] }),
    'config.json: /mounts/7/options/1: mount option "tmpcopyup" is not supported yet by runts (copying the directory contents into a tmpfs)',
  ],
  [
    'idmapped mount with uidMappings only',
    (s) =>
      s.mounts!.push({ destination: '/mnt', source: '/srv', options: ['bind'], uidMappings: [{ containerID: 0, hostID: 1, size: 1 }] }),
    'config.json: /mounts/7/uidMappings: must be given together with gidMappings',
  ],
  [
    'relative device path',
    (s) => (s.linux!.devices = [{ path: 'dev/fuse', type: 'c', major: 10, minor: 229 }]),
    'config.json: /linux/devices/0/path: device path "dev/fuse" must be absolute',
  ],
  [
    'duplicate device',
    (s) =>
      (s.linux!.devices = [
        { path: '/dev/fuse', type: 'c', major: 10, minor: 229 },
        { path: '/dev//fuse', type: 'c', major: 10, minor: 229 },
      ]),
    'config.json: /linux/devices/1/path: duplicate device "/dev/fuse" (first at /linux/devices/0)',
  ],
  ['device without major', (s) => (s.linux!.devices = [{ path: '/dev/x', type: 'b', minor: 1 }]), 'config.json: /linux/devices/0: major is required for type "b"'],
  [
    'device major too large',
    (s) => (s.linux!.devices = [{ path: '/dev/x', type: 'c', major: 4096, minor: 1 }]),
    'config.json: /linux/devices/0/major: major 4096 is outside 0..4095',
  ],
  [
    'device replacing /dev',
    (s) => (s.linux!.devices = [{ path: '/dev/', type: 'c', major: 1, minor: 3 }]),
    'config.json: /linux/devices/0/path: device path "/dev/" would replace a directory the container needs',
  ],
  [
    'time offsets without a time namespace',
    (s) => (s.linux!.timeOffsets = { monotonic: { secs: 10 } }),
    'config.json: /linux/timeOffsets: time offsets need a new time namespace (add {"type": "time"} without a path)',
  ],
  [
    'time offset nanoseconds overflow',
    (s) => {
      s.linux!.namespaces!.push({ type: 'time' });
      s.linux!.timeOffsets = { boottime: { secs: 1, nanosecs: 1_000_000_000 } };
    },
    'config.json: /linux/timeOffsets/boottime/nanosecs: 1000000000 must be below 1000000000; put whole seconds in secs',
  ],
  [
    'unknown clock',
    (s) => {
      s.linux!.namespaces!.push({ type: 'time' });
      (s.linux!.timeOffsets as Record<string, unknown>) = { realtime: { secs: 1 } };
    },
    'config.json: /linux/timeOffsets/realtime: unknown clock "realtime" (only monotonic and boottime can be offset)',
  ],
  ['apparmor without AppArmor', (s) => (s.process!.apparmorProfile = 'docker-default'), 'config.json: /process/apparmorProfile: this host does not have AppArmor enabled'],
  [
    'selinux label without SELinux',
    (s) => (s.process!.selinuxLabel = 'system_u:system_r:container_t:s0'),
    'config.json: /process/selinuxLabel: this host does not have SELinux enabled',
  ],
  [
    'scheduler flag',
    (s) => (s.process!.scheduler = { policy: 'SCHED_BATCH', flags: ['SCHED_FLAG_RESET_ON_FORK', 'X' as never] }),
    'config.json: /process/scheduler/flags/1: unknown flag "X"',
  ],
  ['personality flag', (s) => (s.linux!.personality = { domain: 'LINUX32', flags: ['ADDR_NO_RANDOMIZE'] }), 'config.json: /linux/personality/flags/0: unknown flag "ADDR_NO_RANDOMIZE" (the runtime-spec supports no personality flags)'],
  ['io priority level', (s) => (s.process!.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 8 }), 'config.json: /process/ioPriority/priority: 8 is outside 0..7'],
  ['cpu affinity syntax', (s) => (s.process!.execCPUAffinity = { initial: '0-3,x' }), 'config.json: /process/execCPUAffinity/initial: "0-3,x" is not a list like "0-3,7" (bad entry "x")'],
  ['memory policy nodes', (s) => (s.linux!.memoryPolicy = { mode: 'MPOL_BIND' }), 'config.json: /linux/memoryPolicy/nodes: MPOL_BIND needs at least one node'],
];

for (const [what, edit, message, over] of CASES) {
  test(`error: ${what}`, () => assertOnlyError(edit, message, over));
}

test('there are at least 25 distinct semantic checks above', () => {
  assert.ok(new Set(CASES.map(([, , m]) => m)).size >= 25);
});

test('all problems are reported at once, in one PlanError', () => {
  const s = (edit: (s: Spec) => void) => edit;
  const all = errors(
    s((spec) => {
      spec.process!.args = [];
      spec.process!.cwd = 'relative';
      spec.process!.capabilities!.bounding!.push('CAP_TEST');
      spec.linux!.namespaces!.push({ type: 'pid' });
      spec.linux!.sysctl = { 'vm.swappiness': '1' };
      spec.mounts!.push({ destination: '/mnt', options: ['bind'] });
    }),
  );
  assert.deepEqual(all, [
    'config.json: /linux/namespaces/5/type: duplicate namespace "pid"',
    'config.json: /mounts/7/source: required for a bind mount',
    'config.json: /linux/sysctl/vm.swappiness: sysctl "vm.swappiness" is not namespaced: setting it would change the host',
    'config.json: /process/args: must not be empty',
    'config.json: /process/cwd: "relative" must be an absolute path',
    'config.json: /process/capabilities/bounding/3: unknown capability "CAP_TEST"',
  ]);
});

test('PlanError: a readable message and the list', () => {
  try {
    plan((s) => {
      s.process!.args = [];
      s.process!.cwd = 'x';
    });
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof PlanError);
    assert.equal(e.name, 'PlanError');
    assert.equal(e.errors.length, 2);
    assert.equal(
      e.message,
      '2 problems:\n  config.json: /process/args: must not be empty\n  config.json: /process/cwd: "x" must be an absolute path',
    );
  }
  try {
    plan((s) => (s.process!.args = []));
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof PlanError);
    assert.equal(e.message, 'config.json: /process/args: must not be empty');
  }
});
