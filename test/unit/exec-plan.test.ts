// buildExecPlan: how `runts exec` composes the process (runc's rules), which
// namespaces it joins in which order, and the problems it refuses with;
// also the cgroup join computation and the process.json schema check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXEC_PLAN_VERSION } from '../../src/plan/exec-types.ts';
import { buildExecPlan, EXEC_NAMESPACE_ORDER, mergeEnv, NO_OVERRIDES, PlanError, type ExecOverrides, type ExecPlanInput } from '../../src/plan/exec-plan.ts';
import { execErrors, execInputFor } from './exec-fixtures.ts';
import { cgroupMounts, cgroupProcsToJoin, parseProcCgroup } from '../../src/container/exec-cgroups.ts';
import { validateProcess } from '../../src/spec/validate.ts';
import type { Process, Spec } from '../../src/spec/types.ts';

const CAPS = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];
const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function spec(edit: (s: Spec) => void = () => {}): Spec {
  const s: Spec = {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: true,
      user: { uid: 0, gid: 0, additionalGids: [3] },
      args: ['sh'],
      env: [PATH, 'TERM=xterm'],
      cwd: '/',
      capabilities: { bounding: [...CAPS], effective: [...CAPS], permitted: [...CAPS] },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
      oomScoreAdj: 100,
    },
    root: { path: 'rootfs' },
    linux: { namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }] },
  };
  edit(s);
  return s;
}

function input(over: Partial<ExecOverrides> = {}, rest: Partial<ExecPlanInput> = {}): ExecPlanInput {
  const base = execInputFor(spec(), ['echo', 'hi'], { init: { pid: 4242, startTime: '123456' }, ...rest });
  return { ...base, overrides: { ...base.overrides, ...over }, ...rest };
}

const problems = execErrors;

test('the config\'s process with the command replaced; the init pinned by pid and start time', () => {
  const p = buildExecPlan(input());
  assert.equal(p.version, EXEC_PLAN_VERSION);
  assert.equal(p.initPid, 4242);
  assert.equal(p.initStartTime, '123456');
  assert.equal(p.root, '/proc/4242/root');
  assert.deepEqual(p.process.args, ['echo', 'hi']);
  assert.deepEqual(p.process.env, [PATH, 'TERM=xterm']);
  assert.equal(p.process.cwd, '/');
  assert.deepEqual([p.process.uid, p.process.gid, p.process.additionalGids], [0, 0, [3]]);
  assert.deepEqual(p.process.rlimits, [{ resource: 7, soft: '1024', hard: '1024' }]);
  assert.equal(p.process.noNewPrivileges, true);
  assert.deepEqual(p.process.capabilities?.bounding, [5, 10, 29]);
  // an exec keeps the oom score it inherits; -t alone decides the terminal
  assert.equal(p.process.oomScoreAdj, null);
  assert.equal(p.process.terminal, false);
  assert.equal(p.process.setHome, true);
  assert.equal(p.sessionKeyring, '_ses.c1');
  assert.equal(p.foreground, true);
  assert.deepEqual(p.cgroupProcs, []);
  assert.equal(p.seccomp, null);
});

test('seccomp: the container\'s filter, loaded into the exec too; the agent hears the container\'s status', () => {
  const compileSeccomp = () => ({ program: new Uint8Array(8), unknown: [] });
  const p = buildExecPlan(
    input({}, {
      spec: spec((s) => {
        s.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/agent', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] };
      }),
    }),
    { compileSeccomp },
  );
  assert.equal(p.seccomp!.loadAt, 'after-identity');
  assert.deepEqual(p.seccomp!.listener!.state.state, { ociVersion: '1.3.0', id: 'c1', status: 'running', pid: 0, bundle: '/bundles/c1' });
});

test('namespaces: the init\'s own, every type the config lists, user first and mount last', () => {
  const p = buildExecPlan(input({}, {
    spec: spec((s) => {
      s.linux!.namespaces = [{ type: 'mount' }, { type: 'network', path: '/var/run/netns/x' }, { type: 'pid' }, { type: 'time' }, { type: 'user' }, { type: 'cgroup' }, { type: 'uts' }, { type: 'ipc' }];
    }),
  }));
  assert.deepEqual(p.namespaces, [
    { type: 'user', path: '/proc/4242/ns/user' },
    { type: 'ipc', path: '/proc/4242/ns/ipc' },
    { type: 'uts', path: '/proc/4242/ns/uts' },
    { type: 'network', path: '/proc/4242/ns/net' },
    { type: 'pid', path: '/proc/4242/ns/pid' },
    { type: 'cgroup', path: '/proc/4242/ns/cgroup' },
    { type: 'time', path: '/proc/4242/ns/time' },
    { type: 'mount', path: '/proc/4242/ns/mnt' },
  ]);
  assert.deepEqual(EXEC_NAMESPACE_ORDER, p.namespaces.map((n) => n.type));
  // without a user namespace in the config, none is joined
  assert.deepEqual(buildExecPlan(input()).namespaces.map((n) => n.type), ['ipc', 'uts', 'network', 'pid', 'mount']);
});

test('flags: env replaces in place or appends (PATH survives), cwd, user, groups, tty, caps, no-new-privs', () => {
  const p = buildExecPlan(input({
    env: ['TERM=dumb', 'FOO=bar', 'HOME=/h'],
    cwd: '/tmp/../var',
    user: '1000:1001',
    additionalGids: [7, 9],
    tty: true,
    caps: ['CAP_SYS_ADMIN', 'CAP_KILL'],
    noNewPrivs: true,
  }, { spec: spec((s) => (s.process!.noNewPrivileges = false)) }));
  assert.deepEqual(p.process.env, [PATH, 'TERM=dumb', 'FOO=bar', 'HOME=/h']);
  assert.equal(p.process.setHome, false);
  assert.equal(p.process.cwd, '/var');
  assert.deepEqual([p.process.uid, p.process.gid, p.process.additionalGids], [1000, 1001, [3, 7, 9]]);
  assert.equal(p.process.terminal, true);
  assert.equal(p.process.noNewPrivileges, true);
  const caps = p.process.capabilities!;
  for (const set of [caps.bounding, caps.effective, caps.permitted]) assert.deepEqual(set, [5, 10, 21, 29]);
  assert.deepEqual(caps.inheritable, []);
  // -u uid alone keeps the config's gid
  const q = buildExecPlan(input({ user: '5' }, { spec: spec((s) => (s.process!.user = { uid: 0, gid: 8 })) }));
  assert.deepEqual([q.process.uid, q.process.gid], [5, 8]);
});

test('mergeEnv', () => {
  assert.deepEqual(mergeEnv(['A=1', 'B=2'], ['B=3', 'C=4', 'A=']), ['A=', 'B=3', 'C=4']);
  assert.deepEqual(mergeEnv([], ['X=1']), ['X=1']);
});

test('a config without capabilities: --cap adds nothing (the process keeps what root has)', () => {
  const p = buildExecPlan(input({ caps: ['CAP_SYS_ADMIN'] }, { spec: spec((s) => delete s.process!.capabilities) }));
  assert.equal(p.process.capabilities, null);
});

test('--process: the file is the whole process; the flags are ignored; capabilities default to the container\'s', () => {
  const file: Process = { args: ['id'], cwd: '/srv', env: ['A=1'], user: { uid: 3, gid: 4 }, terminal: false };
  const p = buildExecPlan(input({ args: ['ignored'], env: ['B=2'], cwd: '/x', user: '9', tty: true }, { processFile: file }));
  assert.deepEqual(p.process.args, ['id']);
  assert.deepEqual(p.process.env, ['A=1']);
  assert.equal(p.process.cwd, '/srv');
  assert.deepEqual([p.process.uid, p.process.gid], [3, 4]);
  assert.equal(p.process.terminal, false);
  assert.equal(p.process.noNewPrivileges, false);
  assert.deepEqual(p.process.rlimits, []);
  assert.deepEqual(p.process.capabilities?.bounding, [5, 10, 29], 'never more than the container was given');
  const own = buildExecPlan(input({}, { processFile: { ...file, capabilities: { bounding: ['CAP_CHOWN'] } } }));
  assert.deepEqual(own.process.capabilities?.bounding, [0]);
});

test('--process: problems are reported against process.json', () => {
  const file: Process = { args: [], cwd: 'rel', env: ['NOPE'], scheduler: { policy: 'SCHED_OTHER', nice: 20 } };
  assert.deepEqual(problems(input({}, { processFile: file })), [
    'process.json: /args: must not be empty',
    'process.json: /env/0: "NOPE" is not of the form NAME=value',
    'process.json: /cwd: "rel" must be an absolute path',
    'process.json: /scheduler/nice: 20 is outside -20..19',
  ]);
  assert.deepEqual(problems(input({}, { processFile: { args: ['x'], cwd: '/', apparmorProfile: 'p', selinuxLabel: 'l' } })), [
    'process.json: /apparmorProfile: this host does not have AppArmor enabled',
    'process.json: /selinuxLabel: this host does not have SELinux enabled',
  ]);
});

test('command-line problems are reported all at once, runc\'s first', () => {
  assert.deepEqual(problems(input({ args: [], cwd: 'tmp', env: ['FOO', '=x'], user: 'root:x', caps: ['sys_admin', 'CAP_NOPE'] })), [
    '--cwd: "tmp" must be an absolute path',
    '--env: invalid environment variable "FOO" (the format is NAME=value)',
    '--env: environment variable name can\'t be empty: "=x"',
    '--user: "root" is not a valid uid (the format is <uid>[:<gid>], numeric)',
    '--user: "x" is not a valid gid (the format is <uid>[:<gid>], numeric)',
    '--cap: unknown capability "sys_admin" (did you mean "CAP_SYS_ADMIN"?)',
    '--cap: unknown capability "CAP_NOPE"',
    'process args cannot be empty (give a command, or --process)',
  ]);
  assert.deepEqual(problems(input({ user: '4294967295' })), ['--user: "4294967295" is not a valid uid (the format is <uid>[:<gid>], numeric)']);
  assert.deepEqual(problems(input({ user: '1:2:3' })), ['--user: "1:2:3" is not of the form <uid>[:<gid>]']);
});

test('LSM options: the host\'s lack of the module is named; with it, they are the process\'s', () => {
  assert.deepEqual(problems(input({ apparmor: 'prof', processLabel: 'lab' })), [
    '--apparmor: this host does not have AppArmor enabled',
    '--process-label: this host does not have SELinux enabled',
  ]);
  // with the modules, the flags become the process's exec transitions
  const p = buildExecPlan(input({ apparmor: 'prof', processLabel: 'lab' }, { lsm: { apparmor: true, selinux: true } }));
  assert.equal(p.process.apparmorProfile, 'prof');
  assert.equal(p.process.selinuxLabel, 'lab');
  // from config.json (changed since create)
  assert.deepEqual(problems(input({}, { spec: spec((s) => (s.process!.apparmorProfile = 'x')) })), [
    'config.json: /process/apparmorProfile: this host does not have AppArmor enabled',
  ]);
});

test('terminal and console socket follow the detach mode; preserve-fds is checked', () => {
  const p = buildExecPlan(input({ tty: true }, { detach: true, consoleSocket: '/run/c.sock' }));
  assert.equal(p.consoleSocket, '/run/c.sock');
  assert.equal(p.foreground, false);
  assert.equal(p.process.terminal, true);
  assert.ok(problems(input({ tty: true }, { detach: true })).some((m) => m.includes('needs --console-socket')));
  assert.deepEqual(problems(input({}, { preserveFds: -1 })), ['--preserve-fds: -1 is not a non-negative integer']);
});

test('a config without process needs --process', () => {
  assert.deepEqual(problems(input({}, { spec: spec((s) => delete s.process) })), ['config.json: /process: missing: nothing to start from (use --process)']);
  const p = buildExecPlan(input({}, { spec: spec((s) => delete s.process), processFile: { args: ['true'], cwd: '/' } }));
  assert.equal(p.process.capabilities, null);
});

// A cgroup v1 + v2 hybrid host, as on this project's machines.
const MOUNTINFO = [
  '30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec - tmpfs tmpfs rw,mode=755',
  '31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw',
  '32 30 0:28 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,xattr,name=systemd',
  '33 30 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,cpu,cpuacct',
  '34 30 0:30 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,memory',
  '35 30 0:31 /sub /sys/fs/cgroup/pids\\040x rw - cgroup cgroup rw,pids',
].join('\n');

const SELF = '5:pids:/sub/a\n4:memory:/user\n3:cpu,cpuacct:/\n2:name=systemd:/user.slice\n0::/user.slice\n';

test('cgroups: nothing to write where runts already shares the init\'s cgroups', () => {
  assert.deepEqual(cgroupProcsToJoin(SELF, SELF, MOUNTINFO), []);
});

test('cgroups: one cgroup.procs per hierarchy that differs, v1 and v2, mount roots honoured', () => {
  const init = '5:pids:/sub/b\n4:memory:/user\n3:cpu,cpuacct:/ctr\n2:name=systemd:/user.slice\n0::/ctr\n';
  assert.deepEqual(cgroupProcsToJoin(SELF, init, MOUNTINFO), [
    '/sys/fs/cgroup/pids x/b/cgroup.procs',
    '/sys/fs/cgroup/cpu,cpuacct/ctr/cgroup.procs',
    '/sys/fs/cgroup/unified/ctr/cgroup.procs',
  ]);
  assert.throws(() => cgroupProcsToJoin(SELF, '9:blkio:/x\n', MOUNTINFO), /hierarchy 9:blkio, which is not mounted here/);
});

test('cgroups: parsing', () => {
  assert.deepEqual(parseProcCgroup('0::/a:b\n'), [{ hierarchy: '0', controllers: '', path: '/a:b' }]);
  assert.deepEqual(cgroupMounts(MOUNTINFO).map((m) => m.mountPoint), [
    '/sys/fs/cgroup/unified',
    '/sys/fs/cgroup/systemd',
    '/sys/fs/cgroup/cpu,cpuacct',
    '/sys/fs/cgroup/memory',
    '/sys/fs/cgroup/pids x',
  ]);
});

test('validateProcess: a process.json is checked against the process schema', () => {
  assert.deepEqual(validateProcess({ args: ['sh'], cwd: '/' }), []);
  assert.deepEqual(validateProcess({ args: 'sh' }), ["process.json: /: must have required property 'cwd'", 'process.json: /args: must be array']);
  assert.deepEqual(validateProcess({ cwd: '/', user: { uid: -1 } }), ['process.json: /user/uid: must be >= 0']);
});
