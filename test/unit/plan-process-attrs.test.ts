// How the process runs: linux.personality, process.scheduler,
// process.ioPriority, process.execCPUAffinity, linux.memoryPolicy, and the
// LSM settings (process.apparmorProfile, process.selinuxLabel,
// linux.mountLabel) with the host's modules present and absent: what the
// plans carry, and each refusal's words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIdList } from '../../src/plan/id-list.ts';
import { detectHostLsm, labelMounts } from '../../src/plan/lsm.ts';
import { buildExecPlan, NO_OVERRIDES, type ExecPlanInput } from '../../src/plan/exec-plan.ts';
import { execErrors, execInputFor } from './exec-fixtures.ts';
import { buildFeatures } from '../../src/features/features.ts';
import type { Spec } from '../../src/spec/types.ts';
import { errors, fakeEnv, messages, plan } from './plan-fixtures.ts';

const BOTH = { apparmor: true, selinux: true };

// --- lists ---------------------------------------------------------------------

test('cpu and node lists: ranges, singles, blanks, duplicates; sorted', () => {
  assert.deepEqual(parseIdList('0-3,7', 100), { ids: [0, 1, 2, 3, 7], error: null });
  assert.deepEqual(parseIdList(' 5 , 1-2,2 ', 100), { ids: [1, 2, 5], error: null });
  assert.deepEqual(parseIdList('', 100), { ids: [], error: null });
  assert.deepEqual(parseIdList('  ', 100), { ids: [], error: null });
  assert.equal(parseIdList('1,,2', 100).error, '"1,,2" is not a list like "0-3,7" (bad entry "")');
  assert.equal(parseIdList('3-1', 100).error, '"3-1": range "3-1" ends before it starts');
  assert.equal(parseIdList('0-101', 100).error, '"0-101": 101 is above the largest allowed number (100)');
  assert.equal(parseIdList('1-2-3', 100).error, '"1-2-3" is not a list like "0-3,7" (bad entry "1-2-3")');
  assert.equal(parseIdList('-1', 100).error, '"-1" is not a list like "0-3,7" (bad entry "-1")');
});

// --- personality -------------------------------------------------------------

test('personality: LINUX is 0, LINUX32 is 8 (PER_LINUX32); none is null', () => {
  assert.equal(plan().personality, null);
  assert.equal(plan((s) => (s.linux!.personality = { domain: 'LINUX' })).personality, 0);
  assert.equal(plan((s) => (s.linux!.personality = { domain: 'LINUX32' })).personality, 8);
});

test('personality: the domain is required and no flag is supported (the spec defines none)', () => {
  assert.deepEqual(errors((s) => (s.linux!.personality = {})), ['config.json: /linux/personality/domain: required (LINUX or LINUX32)']);
  assert.deepEqual(errors((s) => (s.linux!.personality = { domain: 'LINUX', flags: ['a', 'b'] })), [
    'config.json: /linux/personality/flags/0: unknown flag "a" (the runtime-spec supports no personality flags)',
    'config.json: /linux/personality/flags/1: unknown flag "b" (the runtime-spec supports no personality flags)',
  ]);
  assert.deepEqual(errors((s) => (s.linux!.personality = { domain: 'PER_BSD' as never })), [
    'config.json: /linux/personality/domain: unknown domain "PER_BSD" (expected LINUX or LINUX32)',
  ]);
});

// --- scheduler ---------------------------------------------------------------

test('scheduler: policies, nice, priority and flags become sched_setattr values', () => {
  assert.equal(plan().process.scheduler, null);
  assert.deepEqual(plan((s) => (s.process!.scheduler = { policy: 'SCHED_BATCH', nice: -5 })).process.scheduler, {
    policy: 3,
    flags: 0,
    nice: -5,
    priority: 0,
    runtime: '0',
    deadline: '0',
    period: '0',
  });
  assert.deepEqual(
    plan((s) => (s.process!.scheduler = { policy: 'SCHED_RR', priority: 99, flags: ['SCHED_FLAG_RESET_ON_FORK', 'SCHED_FLAG_UTIL_CLAMP_MAX'] })).process.scheduler,
    { policy: 2, flags: 0x41, nice: 0, priority: 99, runtime: '0', deadline: '0', period: '0' },
  );
  assert.equal(plan((s) => (s.process!.scheduler = { policy: 'SCHED_IDLE' })).process.scheduler?.policy, 5);
  assert.equal(plan((s) => (s.process!.scheduler = { policy: 'SCHED_OTHER', nice: 19 })).process.scheduler?.policy, 0);
  assert.deepEqual(
    plan((s) => (s.process!.scheduler = { policy: 'SCHED_DEADLINE', runtime: 10_000_000, deadline: 30_000_000, period: 2 ** 53 - 1 })).process.scheduler,
    { policy: 6, flags: 0, nice: 0, priority: 0, runtime: '10000000', deadline: '30000000', period: '9007199254740991' },
  );
});

test('scheduler: values sched_setattr would refuse are config errors naming the field', () => {
  const sched = (x: NonNullable<NonNullable<Spec['process']>['scheduler']>) => errors((s) => (s.process!.scheduler = x));
  assert.deepEqual(sched({ policy: 'SCHED_OTHER', nice: -21 }), ['config.json: /process/scheduler/nice: -21 is outside -20..19']);
  assert.deepEqual(sched({ policy: 'SCHED_FIFO' }), ['config.json: /process/scheduler/priority: SCHED_FIFO needs a priority in 1..99, not 0']);
  assert.deepEqual(sched({ policy: 'SCHED_RR', priority: 100 }), ['config.json: /process/scheduler/priority: SCHED_RR needs a priority in 1..99, not 100']);
  assert.deepEqual(sched({ policy: 'SCHED_BATCH', priority: 3 }), [
    'config.json: /process/scheduler/priority: only SCHED_FIFO and SCHED_RR take a priority (SCHED_BATCH must have 0)',
  ]);
  assert.deepEqual(sched({ policy: 'SCHED_OTHER', runtime: 1, period: 2 }), [
    'config.json: /process/scheduler/runtime: only SCHED_DEADLINE takes a runtime (SCHED_OTHER must have 0)',
    'config.json: /process/scheduler/period: only SCHED_DEADLINE takes a period (SCHED_OTHER must have 0)',
  ]);
  assert.deepEqual(sched({ policy: 'SCHED_DEADLINE' }), [
    'config.json: /process/scheduler/runtime: SCHED_DEADLINE needs a runtime of at least 1024 ns, not 0',
    'config.json: /process/scheduler/deadline: SCHED_DEADLINE needs a deadline (ns, > 0)',
  ]);
  assert.deepEqual(sched({ policy: 'SCHED_DEADLINE', runtime: 5000, deadline: 4000, period: 3000 }), [
    'config.json: /process/scheduler/runtime: 5000 is longer than the deadline (4000)',
    'config.json: /process/scheduler/period: 3000 is shorter than the deadline (4000)',
  ]);
  assert.deepEqual(sched({ policy: 'SCHED_DEADLINE', runtime: 5000, deadline: 2 ** 63 }), [
    'config.json: /process/scheduler/deadline: 9223372036854776000 is not a nanosecond count below 2^63',
  ]);
  assert.deepEqual(sched({ policy: 'SCHED_ISO' }), ['config.json: /process/scheduler/policy: SCHED_ISO is reserved and not implemented by Linux']);
  assert.deepEqual(sched({ policy: 'SCHED_WHATEVER' as never }), ['config.json: /process/scheduler/policy: unknown policy "SCHED_WHATEVER"']);
  assert.deepEqual(sched({ policy: 'SCHED_OTHER', flags: ['SCHED_FLAG_KEEP_PARAMS', 'X' as never] }), [
    'config.json: /process/scheduler/flags/1: unknown flag "X"',
  ]);
});

// --- I/O priority ------------------------------------------------------------

test('ioPriority: class << 13 | level; the level is 0..7', () => {
  assert.equal(plan().process.ioPriority, null);
  assert.equal(plan((s) => (s.process!.ioPriority = { class: 'IOPRIO_CLASS_RT', priority: 4 })).process.ioPriority, (1 << 13) | 4);
  assert.equal(plan((s) => (s.process!.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 7 })).process.ioPriority, (2 << 13) | 7);
  assert.equal(plan((s) => (s.process!.ioPriority = { class: 'IOPRIO_CLASS_IDLE' })).process.ioPriority, 3 << 13);
  assert.deepEqual(errors((s) => (s.process!.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: -1 })), [
    'config.json: /process/ioPriority/priority: -1 is outside 0..7',
  ]);
  assert.deepEqual(errors((s) => (s.process!.ioPriority = { class: 'IOPRIO_CLASS_NONE' as never, priority: 0 })), [
    'config.json: /process/ioPriority/class: unknown class "IOPRIO_CLASS_NONE"',
  ]);
});

// --- memory policy -----------------------------------------------------------

test('memoryPolicy: mode and flags as set_mempolicy numbers, nodes as a list', () => {
  assert.equal(plan().memoryPolicy, null);
  assert.deepEqual(plan((s) => (s.linux!.memoryPolicy = { mode: 'MPOL_INTERLEAVE', nodes: '2-3,0', flags: ['MPOL_F_STATIC_NODES'] })).memoryPolicy, {
    mode: 3,
    flags: 1 << 15,
    nodes: [0, 2, 3],
  });
  assert.deepEqual(plan((s) => (s.linux!.memoryPolicy = { mode: 'MPOL_DEFAULT' })).memoryPolicy, { mode: 0, flags: 0, nodes: [] });
  assert.deepEqual(plan((s) => (s.linux!.memoryPolicy = { mode: 'MPOL_LOCAL', nodes: '' })).memoryPolicy, { mode: 4, flags: 0, nodes: [] });
  // MPOL_PREFERRED without nodes is local allocation
  assert.deepEqual(plan((s) => (s.linux!.memoryPolicy = { mode: 'MPOL_PREFERRED' })).memoryPolicy, { mode: 1, flags: 0, nodes: [] });
  assert.deepEqual(plan((s) => (s.linux!.memoryPolicy = { mode: 'MPOL_BIND', nodes: '0', flags: ['MPOL_F_NUMA_BALANCING'] })).memoryPolicy, {
    mode: 2,
    flags: 1 << 13,
    nodes: [0],
  });
  assert.equal(plan((s) => (s.linux!.memoryPolicy = { mode: 'MPOL_WEIGHTED_INTERLEAVE', nodes: '0' })).memoryPolicy?.mode, 6);
  assert.equal(plan((s) => (s.linux!.memoryPolicy = { mode: 'MPOL_PREFERRED_MANY', nodes: '0' })).memoryPolicy?.mode, 5);
});

test('memoryPolicy: the spec\'s node rules and set_mempolicy\'s flag rules', () => {
  const mp = (x: NonNullable<NonNullable<Spec['linux']>['memoryPolicy']>) => errors((s) => (s.linux!.memoryPolicy = x));
  assert.deepEqual(mp({ nodes: '0' }), ['config.json: /linux/memoryPolicy/mode: required']);
  assert.deepEqual(mp({ mode: 'MPOL_DEFAULT', nodes: '0' }), ['config.json: /linux/memoryPolicy/nodes: MPOL_DEFAULT takes no nodes']);
  assert.deepEqual(mp({ mode: 'MPOL_LOCAL', nodes: '1' }), ['config.json: /linux/memoryPolicy/nodes: MPOL_LOCAL takes no nodes']);
  for (const mode of ['MPOL_BIND', 'MPOL_INTERLEAVE', 'MPOL_WEIGHTED_INTERLEAVE', 'MPOL_PREFERRED_MANY'] as const) {
    assert.deepEqual(mp({ mode, nodes: ' ' }), [`config.json: /linux/memoryPolicy/nodes: ${mode} needs at least one node`]);
  }
  assert.deepEqual(mp({ mode: 'MPOL_BIND', nodes: '0-x' }), ['config.json: /linux/memoryPolicy/nodes: "0-x" is not a list like "0-3,7" (bad entry "0-x")']);
  assert.deepEqual(mp({ mode: 'MPOL_BIND', nodes: '1024' }), [
    'config.json: /linux/memoryPolicy/nodes: "1024": 1024 is above the largest allowed number (1023)',
  ]);
  assert.deepEqual(mp({ mode: 'MPOL_BIND', nodes: '0', flags: ['MPOL_F_STATIC_NODES', 'MPOL_F_RELATIVE_NODES'] }), [
    'config.json: /linux/memoryPolicy/flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other',
  ]);
  assert.deepEqual(mp({ mode: 'MPOL_PREFERRED', flags: ['MPOL_F_RELATIVE_NODES'] }), [
    'config.json: /linux/memoryPolicy/flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES need nodes to apply to (MPOL_PREFERRED without nodes)',
  ]);
  assert.deepEqual(mp({ mode: 'MPOL_BIND', nodes: '0', flags: ['MPOL_F_NOPE' as never] }), ['config.json: /linux/memoryPolicy/flags/0: unknown flag "MPOL_F_NOPE"']);
  assert.deepEqual(mp({ mode: 'MPOL_RANDOM' as never }), ['config.json: /linux/memoryPolicy/mode: unknown mode "MPOL_RANDOM"']);
});

// --- execCPUAffinity ---------------------------------------------------------

test('execCPUAffinity is checked at create but not applied to the init (the spec: not applicable to it)', () => {
  const p = plan((s) => (s.process!.execCPUAffinity = { initial: '0', final: '1' }));
  assert.equal('execCPUAffinity' in p.process || 'cpuAffinity' in p, false);
  assert.deepEqual(errors((s) => (s.process!.execCPUAffinity = { initial: '1', final: '3-2' })), [
    'config.json: /process/execCPUAffinity/final: "3-2": range "3-2" ends before it starts',
  ]);
  assert.deepEqual(errors((s) => (s.process!.execCPUAffinity = { initial: '8192' })), [
    'config.json: /process/execCPUAffinity/initial: "8192": 8192 is above the largest allowed number (8191)',
  ]);
});

// --- exec --------------------------------------------------------------------

function execSpec(edit: (s: Spec) => void = () => {}): Spec {
  const s: Spec = {
    ociVersion: '1.0.2-dev',
    process: { user: { uid: 0, gid: 0 }, args: ['sh'], env: ['PATH=/bin'], cwd: '/' },
    root: { path: 'rootfs' },
    linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }] },
  };
  edit(s);
  return s;
}

function execInput(rest: Partial<ExecPlanInput> = {}): ExecPlanInput {
  return execInputFor(execSpec(), ['true'], rest);
}

const execProblems = execErrors;

test('exec: the container\'s personality and memory policy, the process\'s scheduling and affinity', () => {
  const spec = execSpec((s) => {
    s.linux!.personality = { domain: 'LINUX32' };
    s.linux!.memoryPolicy = { mode: 'MPOL_BIND', nodes: '0' };
    s.process!.scheduler = { policy: 'SCHED_IDLE' };
    s.process!.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 3 };
    s.process!.execCPUAffinity = { initial: '0-1', final: '1' };
  });
  const p = buildExecPlan(execInput({ spec }));
  assert.equal(p.personality, 8);
  assert.deepEqual(p.memoryPolicy, { mode: 2, flags: 0, nodes: [0] });
  assert.equal(p.process.scheduler?.policy, 5);
  assert.equal(p.process.ioPriority, (2 << 13) | 3);
  assert.deepEqual(p.cpuAffinity, { initial: [0, 1], final: [1] });

  const none = buildExecPlan(execInput());
  assert.deepEqual([none.personality, none.memoryPolicy, none.process.scheduler, none.process.ioPriority], [null, null, null, null]);
  assert.deepEqual(none.cpuAffinity, { initial: [], final: [] });
});

test('exec --process: what process.json leaves out comes from the container\'s process; what it says wins', () => {
  const spec = execSpec((s) => {
    s.process!.scheduler = { policy: 'SCHED_BATCH', nice: 3 };
    s.process!.ioPriority = { class: 'IOPRIO_CLASS_IDLE' };
    s.process!.execCPUAffinity = { final: '0' };
    s.process!.apparmorProfile = 'container-default';
    s.process!.selinuxLabel = 'system_u:system_r:container_t:s0';
  });
  const inherited = buildExecPlan(execInput({ spec, processFile: { args: ['true'], cwd: '/' }, lsm: BOTH }));
  assert.equal(inherited.process.scheduler?.nice, 3);
  assert.equal(inherited.process.ioPriority, 3 << 13);
  assert.deepEqual(inherited.cpuAffinity.final, [0]);
  assert.equal(inherited.process.apparmorProfile, 'container-default');
  assert.equal(inherited.process.selinuxLabel, 'system_u:system_r:container_t:s0');

  const own = buildExecPlan(
    execInput({
      spec,
      processFile: {
        args: ['true'],
        cwd: '/',
        scheduler: { policy: 'SCHED_OTHER' },
        ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 0 },
        execCPUAffinity: { initial: '1' },
        apparmorProfile: 'other',
      },
      lsm: BOTH,
    }),
  );
  assert.equal(own.process.scheduler?.policy, 0);
  assert.equal(own.process.ioPriority, 2 << 13);
  assert.deepEqual(own.cpuAffinity, { initial: [1], final: [] });
  assert.equal(own.process.apparmorProfile, 'other');
});

test('exec: problems name the process.json field, or config.json\'s for the container\'s settings', () => {
  const file = { args: ['true'], cwd: '/', scheduler: { policy: 'SCHED_FIFO' as const }, execCPUAffinity: { final: 'a' }, ioPriority: { class: 'IOPRIO_CLASS_RT' as const, priority: 9 } };
  const spec = execSpec((s) => (s.linux!.personality = { domain: 'LINUX', flags: ['X'] }));
  assert.deepEqual(execProblems(execInput({ spec, processFile: file })), [
    'process.json: /scheduler/priority: SCHED_FIFO needs a priority in 1..99, not 0',
    'process.json: /ioPriority/priority: 9 is outside 0..7',
    'process.json: /execCPUAffinity/final: "a" is not a list like "0-3,7" (bad entry "a")',
    'config.json: /linux/personality/flags/0: unknown flag "X" (the runtime-spec supports no personality flags)',
  ]);
  const fromConfig = execSpec((s) => (s.process!.execCPUAffinity = { initial: '1-0' }));
  assert.deepEqual(execProblems(execInput({ spec: fromConfig })), ['config.json: /process/execCPUAffinity/initial: "1-0": range "1-0" ends before it starts']);
});

// --- AppArmor and SELinux ----------------------------------------------------

test('host LSM detection: the module\'s own switch, and the active list where securityfs shows it', () => {
  const files = (m: Record<string, string>) => (p: string) => m[p] ?? null;
  assert.deepEqual(detectHostLsm(files({})), { apparmor: false, selinux: false });
  assert.deepEqual(detectHostLsm(files({ '/sys/module/apparmor/parameters/enabled': 'Y\n' })), { apparmor: true, selinux: false });
  assert.deepEqual(detectHostLsm(files({ '/sys/module/apparmor/parameters/enabled': 'N\n' })), { apparmor: false, selinux: false });
  assert.deepEqual(detectHostLsm(files({ '/sys/fs/selinux/enforce': '0' })), { apparmor: false, selinux: true });
  // built in but not active
  assert.deepEqual(
    detectHostLsm(files({ '/sys/kernel/security/lsm': 'lockdown,capability,yama', '/sys/module/apparmor/parameters/enabled': 'Y', '/sys/fs/selinux/enforce': '1' })),
    { apparmor: false, selinux: false },
  );
  assert.deepEqual(
    detectHostLsm(files({ '/sys/kernel/security/lsm': 'capability,selinux,apparmor\n', '/sys/module/apparmor/parameters/enabled': 'Y', '/sys/fs/selinux/enforce': '1' })),
    { apparmor: true, selinux: true },
  );
});

test('AppArmor absent: a profile is refused, "" and "unconfined" need nothing', () => {
  assert.deepEqual(errors((s) => (s.process!.apparmorProfile = 'docker-default')), [
    'config.json: /process/apparmorProfile: this host does not have AppArmor enabled',
  ]);
  assert.equal(plan((s) => (s.process!.apparmorProfile = 'unconfined')).process.apparmorProfile, null);
  assert.equal(plan((s) => (s.process!.apparmorProfile = '')).process.apparmorProfile, null);
});

test('AppArmor present: the profile goes to runts-init ("unconfined" too, as runc writes it)', () => {
  const env = { ...fakeEnv, lsm: { apparmor: true, selinux: false } };
  assert.equal(plan((s) => (s.process!.apparmorProfile = 'docker-default'), {}, env).process.apparmorProfile, 'docker-default');
  assert.equal(plan((s) => (s.process!.apparmorProfile = 'unconfined'), {}, env).process.apparmorProfile, 'unconfined');
  assert.equal(plan(() => {}, {}, env).process.apparmorProfile, null);
  assert.throws(() => plan((s) => (s.process!.apparmorProfile = 'a\nb'), {}, env), /\/process\/apparmorProfile: must not contain NUL or a newline/);
});

test('SELinux absent: a process label is refused, a mount label ignored (a debug note)', () => {
  assert.deepEqual(errors((s) => (s.process!.selinuxLabel = 'system_u:system_r:container_t:s0')), [
    'config.json: /process/selinuxLabel: this host does not have SELinux enabled',
  ]);
  const label = 'system_u:object_r:container_file_t:s0:c1,c2';
  const p = plan((s) => (s.linux!.mountLabel = label));
  assert.ok(p.mounts.every((m) => !m.data.includes('context=')));
  assert.equal(p.maskDirData, '');
  assert.ok(messages((s) => (s.linux!.mountLabel = label)).debug.includes('config.json: /linux/mountLabel: ignored: this host does not have SELinux enabled'));
});

test('SELinux present: the process label goes to runts-init, the mount label into the mounts\' data', () => {
  const env = { ...fakeEnv, lsm: { apparmor: false, selinux: true } };
  const label = 'system_u:object_r:container_file_t:s0:c1,c2';
  const p = plan(
    (s) => {
      s.process!.selinuxLabel = 'system_u:system_r:container_t:s0:c1,c2';
      s.linux!.mountLabel = label;
      s.mounts!.push({ destination: '/data', type: 'bind', source: '/srv', options: ['rbind'] });
      s.mounts!.push({ destination: '/own', type: 'tmpfs', source: 'tmpfs', options: ['context="x"'] });
    },
    {},
    env,
  );
  assert.equal(p.process.selinuxLabel, 'system_u:system_r:container_t:s0:c1,c2');
  const data = Object.fromEntries(p.mounts.map((m) => [m.destination, m.data]));
  const ctx = `context="${label}"`;
  assert.equal(data['/dev'], `mode=755,size=65536k,${ctx}`);
  assert.equal(data['/dev/pts'], `newinstance,ptmxmode=0666,mode=0620,gid=5,${ctx}`);
  assert.equal(data['/dev/shm'], `mode=1777,size=65536k,${ctx}`);
  for (const unlabelled of ['/proc', '/sys', '/dev/mqueue', '/sys/fs/cgroup', '/data']) assert.ok(!data[unlabelled]!.includes('context='), unlabelled);
  assert.equal(data['/own'], 'context="x"');
  assert.equal(p.maskDirData, ctx);
  assert.throws(() => plan((s) => (s.linux!.mountLabel = 'a"b'), {}, env), /\/linux\/mountLabel: must not contain NUL, a newline or a double quote/);
});

test('labelMounts leaves everything alone without a context', () => {
  const m = plan().mounts;
  assert.equal(labelMounts(m, null), m);
});

test('exec: LSM settings need the module; --apparmor/--process-label problems name the flag', () => {
  assert.deepEqual(execProblems(execInput({ overrides: { ...NO_OVERRIDES, args: ['true'], apparmor: 'p' } })), ['--apparmor: this host does not have AppArmor enabled']);
  assert.deepEqual(execProblems(execInput({ processFile: { args: ['true'], cwd: '/', selinuxLabel: 'l' } })), [
    'process.json: /selinuxLabel: this host does not have SELinux enabled',
  ]);
  const p = buildExecPlan(execInput({ overrides: { ...NO_OVERRIDES, args: ['true'], apparmor: 'unconfined' } }));
  assert.equal(p.process.apparmorProfile, null);
});

// --- features ----------------------------------------------------------------

test('features: AppArmor and SELinux as the host has them; every memory policy mode and flag', () => {
  const none = buildFeatures({ version: 'x', capLast: 40, lsm: { apparmor: false, selinux: false } }) as Record<string, any>;
  assert.deepEqual([none.linux.apparmor, none.linux.selinux], [{ enabled: false }, { enabled: false }]);
  const both = buildFeatures({ version: 'x', capLast: 40, lsm: BOTH }) as Record<string, any>;
  assert.deepEqual([both.linux.apparmor, both.linux.selinux], [{ enabled: true }, { enabled: true }]);
  assert.deepEqual(both.linux.memoryPolicy, {
    modes: ['MPOL_DEFAULT', 'MPOL_PREFERRED', 'MPOL_BIND', 'MPOL_INTERLEAVE', 'MPOL_LOCAL', 'MPOL_PREFERRED_MANY', 'MPOL_WEIGHTED_INTERLEAVE'],
    flags: ['MPOL_F_NUMA_BALANCING', 'MPOL_F_RELATIVE_NODES', 'MPOL_F_STATIC_NODES'],
  });
});
