// linux.seccomp -> the plan: action values, errno defaults, the rule split
// runc makes for repeated argument indexes, the load point, the listener's
// state document, and every refusal with its field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LinuxSyscall, Spec } from '../../src/spec/types.ts';
import { planSeccomp, seccompLoadPoint, SECCOMP_FILTER_FLAG_NEW_LISTENER } from '../../src/plan/seccomp.ts';
import { Problems } from '../../src/plan/errors.ts';
import { assertOnlyError, messages, plan } from './plan-fixtures.ts';
import type { PlanProcess } from '../../src/plan/types.ts';

function withSeccomp(seccomp: NonNullable<NonNullable<Spec['linux']>['seccomp']>): (s: Spec) => void {
  return (s) => (s.linux!.seccomp = seccomp);
}

function part(syscalls: LinuxSyscall[], extra: Record<string, unknown> = {}) {
  const problems = new Problems();
  const p = planSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls, ...extra } as never, problems, () => {}, '/cwd');
  assert.deepEqual(problems.messages, []);
  return p!;
}

test('no linux.seccomp: no filter', () => {
  assert.equal(plan().seccomp, null);
});

test('action values are the kernel\'s SECCOMP_RET_*; ERRNO and TRACE default to EPERM', () => {
  const p = part([
    { names: ['a'], action: 'SCMP_ACT_ERRNO' },
    { names: ['b'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
    { names: ['c'], action: 'SCMP_ACT_TRACE' },
    { names: ['d'], action: 'SCMP_ACT_KILL' },
    { names: ['e'], action: 'SCMP_ACT_KILL_PROCESS' },
    { names: ['f'], action: 'SCMP_ACT_TRAP' },
    { names: ['g'], action: 'SCMP_ACT_LOG' },
    { names: ['h'], action: 'SCMP_ACT_KILL_THREAD' },
  ]);
  assert.deepEqual(
    p.profile.rules.map((r) => [r.syscall, r.action]),
    [['a', 0x50001], ['b', 0x50026], ['c', 0x7ff00001], ['d', 0], ['e', 0x80000000], ['f', 0x30000], ['g', 0x7ffc0000], ['h', 0]],
  );
  assert.equal(p.profile.defaultAction, 0x7fff0000);
  const q = planSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1234 }, new Problems(), () => {});
  assert.equal(q!.profile.defaultAction, 0x50000 + 1234);
});

test('conditions: all in one rule, or one rule each when an argument index repeats (runc\'s rule)', () => {
  const p = part([
    { names: ['clone'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 2114060288, op: 'SCMP_CMP_MASKED_EQ' }, { index: 1, value: 5, valueTwo: 0, op: 'SCMP_CMP_GT' }] },
    { names: ['personality'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }, { index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
  ]);
  assert.deepEqual(p.profile.rules, [
    { syscall: 'clone', action: 0x50001, conditions: [{ index: 0, op: 7, value: '2114060288', valueTwo: '0' }, { index: 1, op: 6, value: '5', valueTwo: '0' }] },
    { syscall: 'personality', action: 0x50001, conditions: [{ index: 0, op: 4, value: '0', valueTwo: '0' }] },
    { syscall: 'personality', action: 0x50001, conditions: [{ index: 0, op: 4, value: '8', valueTwo: '0' }] },
  ]);
});

test('values past 2^53 arrive rounded; 2^64 can only have meant 2^64-1', () => {
  const p = part([{ names: ['x'], action: 'SCMP_ACT_ERRNO', args: [{ index: 2, value: 18446744073709551615, op: 'SCMP_CMP_NE' }] }]);
  assert.equal(p.profile.rules[0]!.conditions[0]!.value, '18446744073709551615');
});

test('rules with the default action are dropped (libseccomp refuses them), with a debug note', () => {
  const m = messages(withSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }, { names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] }));
  assert.ok(m.debug.includes('seccomp: mkdir: rule has the default action, skipped'));
  const p = part([{ names: ['mkdir'], action: 'SCMP_ACT_ALLOW' }, { names: ['rmdir'], action: 'SCMP_ACT_ERRNO' }]);
  assert.deepEqual(p.profile.rules.map((r) => r.syscall), ['rmdir']);
});

test('unknown syscall names are skipped with a debug note, as runc does', () => {
  const m = messages(withSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['unknown_call', 'mkdir'], action: 'SCMP_ACT_ERRNO' }] }));
  assert.ok(m.debug.includes('seccomp: unknown syscall "unknown_call" skipped'));
});

test('architectures become libseccomp names, flags bits', () => {
  const p = part([], { architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_X86'], flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'] });
  assert.deepEqual(p.profile.architectures, ['x86_64', 'x86', 'x32']);
  assert.equal(p.flags, 2 | 4);
  assert.equal(p.listener, null);
});

test('SCMP_ACT_NOTIFY: a listener (relative paths from the cwd), NEW_LISTENER, TSYNC_ESRCH with TSYNC', () => {
  const p = part([{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }], { listenerPath: 'agent.sock', listenerMetadata: 'm', flags: ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] });
  assert.deepEqual(p.listener, { path: '/cwd/agent.sock', metadata: 'm' });
  assert.equal(p.flags, 1 | 32 | SECCOMP_FILTER_FLAG_NEW_LISTENER | 16);
  // Without a notify rule WAIT_KILLABLE_RECV is meaningless: dropped; the listener path is ignored.
  const q = part([{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }], { listenerPath: '/a.sock', flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] });
  assert.equal(q.flags, 0);
  assert.equal(q.listener, null);
});

test('the plan: program, flags, load point and the agent\'s state document', () => {
  const p = plan(
    (s) => {
      s.annotations = { a: 'b' };
      s.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/agent.sock', listenerMetadata: 'meta', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] };
    },
    { id: 'c9', bundle: '/b' },
  );
  assert.equal(Buffer.from(p.seccomp!.program, 'base64').length, 16);
  assert.equal(p.seccomp!.flags, SECCOMP_FILTER_FLAG_NEW_LISTENER);
  // runc's default config sets noNewPrivileges: the load can wait until after the identity change.
  assert.equal(p.seccomp!.loadAt, 'after-identity');
  assert.deepEqual(p.seccomp!.listener, {
    path: '/run/agent.sock',
    state: { ociVersion: '1.3.0', fds: ['seccompFd'], pid: 0, metadata: 'meta', state: { ociVersion: '1.3.0', id: 'c9', status: 'creating', pid: 0, bundle: '/b', annotations: { a: 'b' } } },
  });
});

test('load point: as late as no_new_privs or CAP_SYS_ADMIN allow', () => {
  const proc = (over: Partial<PlanProcess>): PlanProcess => ({ ...plan().process, ...over });
  const caps = (effective: number[]) => ({ bounding: effective, effective, permitted: effective, inheritable: [], ambient: [] });
  assert.equal(seccompLoadPoint(proc({ noNewPrivileges: true }), false), 'before-exec');
  assert.equal(seccompLoadPoint(proc({ noNewPrivileges: true }), true), 'after-identity');
  assert.equal(seccompLoadPoint(proc({ noNewPrivileges: false, capabilities: caps([0, 5]) }), false), 'before-identity');
  assert.equal(seccompLoadPoint(proc({ noNewPrivileges: false, capabilities: caps([21]) }), false), 'before-exec');
  assert.equal(seccompLoadPoint(proc({ noNewPrivileges: false, capabilities: null, uid: 0 }), false), 'before-exec');
  assert.equal(seccompLoadPoint(proc({ noNewPrivileges: false, capabilities: null, uid: 1000 }), true), 'before-identity');
});

const CASES: [string, (s: Spec) => void, string][] = [
  ['errno on ALLOW', withSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', defaultErrnoRet: 5 }), 'config.json: /linux/seccomp/defaultErrnoRet: defaultErrnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_ALLOW'],
  [
    'errnoRet on KILL',
    withSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['x'], action: 'SCMP_ACT_KILL', errnoRet: 1 }] }),
    'config.json: /linux/seccomp/syscalls/0/errnoRet: errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_KILL',
  ],
  [
    'errnoRet too big',
    withSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['x'], action: 'SCMP_ACT_ERRNO', errnoRet: 70000 }] }),
    'config.json: /linux/seccomp/syscalls/0/errnoRet: errnoRet 70000 does not fit in 16 bits',
  ],
  ['notify as default', withSeccomp({ defaultAction: 'SCMP_ACT_NOTIFY', listenerPath: '/a' }), 'config.json: /linux/seccomp/defaultAction: SCMP_ACT_NOTIFY cannot be the default action (the runtime itself would wait on the agent)'],
  [
    'notify without listener',
    withSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['x'], action: 'SCMP_ACT_NOTIFY' }] }),
    'config.json: /linux/seccomp/listenerPath: required when a rule uses SCMP_ACT_NOTIFY',
  ],
  [
    'notify on sendmsg',
    withSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/a', syscalls: [{ names: ['x', 'sendmsg'], action: 'SCMP_ACT_NOTIFY' }] }),
    'config.json: /linux/seccomp/syscalls/0/names/1: SCMP_ACT_NOTIFY cannot apply to sendmsg: runts-init hands the listener fd over with it',
  ],
  ['metadata without listener', withSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', listenerMetadata: 'x' }), 'config.json: /linux/seccomp/listenerMetadata: must not be set without listenerPath'],
  [
    'argument index',
    withSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['x'], action: 'SCMP_ACT_ERRNO', args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] }] }),
    'config.json: /linux/seccomp/syscalls/0/args/0/index: 6 is not a syscall argument index (0..5)',
  ],
  ['empty name', withSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: [''], action: 'SCMP_ACT_ERRNO' }] }), 'config.json: /linux/seccomp/syscalls/0/names/0: must not be empty'],
];

for (const [what, edit, message] of CASES) {
  test(`error: ${what}`, () => assertOnlyError(edit, message));
}

test('a compiler failure is a config error on linux.seccomp', () => {
  assert.throws(
    () =>
      plan(withSeccomp({ defaultAction: 'SCMP_ACT_ALLOW' }), {}, {
        compileSeccomp: () => {
          throw new Error('seccomp: architecture foo is unknown to this libseccomp');
        },
      }),
    { message: 'config.json: /linux/seccomp: seccomp: architecture foo is unknown to this libseccomp' },
  );
});
