// linux.seccomp with real containers: a blocked syscall returns the
// configured errno, KILL kills, the filter binds exec'd processes too, an
// allow-list profile in the shape of Docker's default runs, the runtime's own
// syscalls after the load are never filtered (getcwd, close_range), and
// SCMP_ACT_NOTIFY hands the listener to an agent that answers. Where runc
// agrees, it runs the same bundle and must print the same.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseSpec, Sandbox, waitFor, type Json } from './helpers.ts';
import { SECCOMP_CACHE_DIR } from '../../src/seccomp/cache.ts';

const haveRunc = spawnSync('runc', ['--version']).status === 0;
const AGENT = join(import.meta.dirname, 'seccomp-agent.py');
const SIGSYS = 31;
const EROFS = 30;

let sb: Sandbox;
before(() => {
  sb = new Sandbox();
});
after(() => sb.cleanup());

function withSeccomp(args: string[], seccomp: Json, edit: (s: Json) => void = () => {}): Json {
  const s = baseSpec(args);
  s.linux.seccomp = seccomp;
  edit(s);
  return s;
}

function run(spec: Json): { status: number | null; stdout: string; stderr: string } {
  const r = sb.runts(['run', '-b', sb.bundle(spec), sb.id()]);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const STATUS = 'grep -E "^(Seccomp|Seccomp_filters|NoNewPrivs):" /proc/self/status';

test('a blocked syscall returns EPERM, or the errnoRet configured; /proc/self/status shows one filter (as runc)', () => {
  const spec = withSeccomp(['sh', '-c', `mkdir /tmp/x; echo mkdir=$?; cd /tmp; pwd; echo pwd=$?; ${STATUS}`], {
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [
      { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' },
      { names: ['getcwd'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
    ],
  });
  const b = sb.bundle(spec);
  const r = sb.runts(['run', '-b', b, sb.id()]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /mkdir: can't create directory '\/tmp\/x': Operation not permitted/);
  assert.match(r.stdout, /mkdir=1\n/);
  assert.match(r.stdout, /Seccomp:\t2\nSeccomp_filters:\t1\n/);
  if (haveRunc) {
    const c = sb.runc(['run', '-b', b, sb.id()]);
    assert.equal(c.status, 0, c.stderr);
    assert.equal(r.stdout, c.stdout);
  }
});

test('SCMP_ACT_KILL_PROCESS and SCMP_ACT_KILL end the process with SIGSYS (run exits 128+31, as runc)', () => {
  for (const action of ['SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL']) {
    const spec = withSeccomp(['mkdir', '/tmp/x'], { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action }] });
    const b = sb.bundle(spec);
    const r = sb.runts(['run', '-b', b, sb.id()]);
    assert.equal(r.status, 128 + SIGSYS, `${action}: ${r.stderr}`);
    if (haveRunc) assert.equal(sb.runc(['run', '-b', b, sb.id()]).status, 128 + SIGSYS, action);
  }
});

test('the runtime\'s own steps are not filtered: a profile blocking getcwd, close_range, capset and prctl still starts', () => {
  const blocked = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['getcwd', 'close_range', 'capset', 'prctl', 'setgroups', 'setresuid', 'setresgid'], action: 'SCMP_ACT_ERRNO' }] };
  // no_new_privs: loaded right before execve.
  let r = run(withSeccomp(['sh', '-c', `echo started; ${STATUS}`], blocked));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^started\nNoNewPrivs:\t\d\nSeccomp:\t2\n/);
  // Without no_new_privs, as root with CAP_SYS_ADMIN: also right before execve.
  r = run(
    withSeccomp(['sh', '-c', `echo started; ${STATUS}`], blocked, (s) => {
      s.process.noNewPrivileges = false;
      for (const set of ['bounding', 'effective', 'permitted']) s.process.capabilities[set].push('CAP_SYS_ADMIN');
    }),
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^started\nNoNewPrivs:\t\d\nSeccomp:\t2\n/);
  // Without either, the filter must go in before the capability drop (which
  // needs capset and prctl): a profile blocking only getcwd and close_range
  // still starts (runc 1.1 fails here: "failed to verify if current working
  // directory is safe").
  r = run(
    withSeccomp(['sh', '-c', `echo started; id -u; ${STATUS}`], { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['getcwd', 'close_range'], action: 'SCMP_ACT_ERRNO' }] }, (s) => {
      s.process.noNewPrivileges = false;
      s.process.user = { uid: 1000, gid: 1000 };
    }),
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^started\n1000\nNoNewPrivs:\t0\nSeccomp:\t2\nSeccomp_filters:\t1\n/);
});

test('exec: the container\'s filter binds exec\'d processes too', () => {
  const spec = withSeccomp(['sleep', '100'], { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: EROFS }] });
  const id = sb.id();
  assert.equal(sb.runts(['run', '-d', '-b', sb.bundle(spec), id]).status, 0);
  const r = sb.runts(['exec', id, 'sh', '-c', `mkdir /tmp/x; ${STATUS}`]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /Read-only file system/);
  assert.match(r.stdout, /Seccomp:\t2\nSeccomp_filters:\t1\n/);
  sb.runts(['delete', '--force', id]);
});

// Enough for busybox's shell and applets, and for runts-init's last step
// (execve); sethostname and unshare are not in it.
const ALLOWED = `accept accept4 access arch_prctl bind brk capget capset chdir chmod chown clock_getres clock_gettime
clock_nanosleep close close_range connect copy_file_range dup dup2 dup3 epoll_create1 epoll_ctl epoll_pwait epoll_wait
eventfd2 execve execveat exit exit_group faccessat faccessat2 fadvise64 fchdir fchmod fchmodat fchown fchownat fcntl
fdatasync flock fork fstat fstatfs fsync ftruncate futex getcwd getdents64 getegid geteuid getgid getgroups getitimer
getpeername getpgid getpgrp getpid getppid getpriority getrandom getresgid getresuid getrlimit getrusage getsid
getsockname getsockopt gettid gettimeofday getuid getxattr ioctl kill lchown lgetxattr link linkat listen lseek lstat
madvise memfd_create mkdir mkdirat mmap mprotect mremap munmap nanosleep newfstatat open openat pause pipe pipe2 poll
ppoll prctl pread64 preadv prlimit64 pselect6 pwrite64 pwritev read readlink readlinkat readv recvfrom recvmsg rename
renameat renameat2 restart_syscall rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn
rt_sigsuspend rt_sigtimedwait sched_getaffinity sched_yield select sendfile sendmsg sendto set_robust_list
set_tid_address setgid setgroups setitimer setpgid setresgid setresuid setsid setsockopt setuid shutdown sigaltstack
socket socketpair stat statfs statx symlink symlinkat sync sysinfo tgkill time times tkill truncate umask uname unlink
unlinkat utime utimensat vfork wait4 waitid write writev`.split(/\s+/);

test('an allow-list profile shaped like Docker\'s default (defaultAction ERRNO, argument filters) runs, and blocks the rest', () => {
  const spec = withSeccomp(['sh', '-c', `echo a | cat; hostname x; echo hostname=$?; uname -m; ${STATUS}`], {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: [
      { names: [...ALLOWED, 'not_a_syscall_anywhere'], action: 'SCMP_ACT_ALLOW' },
      // personality(2) only with the values Docker allows: several
      // conditions on one argument, any of which matches.
      {
        names: ['personality'],
        action: 'SCMP_ACT_ALLOW',
        args: [
          { index: 0, value: 0, op: 'SCMP_CMP_EQ' },
          { index: 0, value: 8, op: 'SCMP_CMP_EQ' },
          { index: 0, value: 131072, op: 'SCMP_CMP_EQ' },
          { index: 0, value: 4294967295, op: 'SCMP_CMP_EQ' },
        ],
      },
      // clone(2) without any CLONE_NEW* flag (mask 0x7E020000).
      { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] },
      // clone3 cannot be filtered on its flags: ENOSYS, so libc falls back to clone.
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
    ],
  });
  const b = sb.bundle(spec);
  const r = sb.runts(['run', '-b', b, sb.id()]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^a\nhostname=1\nx86_64\nNoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t1\n$/);
  assert.match(r.stderr, /hostname: sethostname: Operation not permitted/);
  if (haveRunc) {
    const c = sb.runc(['run', '-b', b, sb.id()]);
    assert.equal(c.stdout, r.stdout, c.stderr);
  }
});

test('a compiled profile is cached in the state root and used again; a damaged entry is compiled afresh', () => {
  const profile = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat', 'cache_test_unknown'], action: 'SCMP_ACT_ERRNO' }] };
  const b = sb.bundle(withSeccomp(['sh', '-c', 'mkdir /tmp/x; echo mkdir=$?'], profile));
  const dir = join(sb.root, SECCOMP_CACHE_DIR);
  const before = existsSync(dir) ? readdirSync(dir) : [];
  let r = sb.runts(['--debug', 'run', '-b', b, sb.id()]);
  assert.equal(r.stdout, 'mkdir=1\n', r.stderr);
  const added = readdirSync(dir).filter((n) => !before.includes(n));
  assert.equal(added.length, 1);
  // A hit: the same filter, the same debug note about the unknown name.
  r = sb.runts(['--debug', 'run', '-b', b, sb.id()]);
  assert.equal(r.stdout, 'mkdir=1\n', r.stderr);
  assert.match(r.stderr, /unknown syscall \\"cache_test_unknown\\" skipped/);
  writeFileSync(join(dir, added[0]!), 'not json');
  r = sb.runts(['run', '-b', b, sb.id()]);
  assert.equal(r.stdout, 'mkdir=1\n', r.stderr);
  assert.match(readFileSync(join(dir, added[0]!), 'utf8'), /^\{"program":/);
});

test('unknown syscall names are skipped (--debug says so), SECCOMP_FILTER_FLAG_LOG is taken', () => {
  const spec = withSeccomp(['true'], {
    defaultAction: 'SCMP_ACT_ALLOW',
    flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'],
    syscalls: [{ names: ['no_such_syscall', 'mkdir'], action: 'SCMP_ACT_ERRNO' }],
  });
  const r = sb.runts(['--debug', 'run', '-b', sb.bundle(spec), sb.id()]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /seccomp: unknown syscall \\"no_such_syscall\\" skipped/);
});

/** What the state root holds besides the compiled-profile cache. */
function leftovers(): string[] {
  return existsSync(sb.root) ? readdirSync(sb.root).filter((n) => n !== SECCOMP_CACHE_DIR) : [];
}

test('bad profiles are refused naming the field, before anything is made', () => {
  const cases: [Json, RegExp][] = [
    [{ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] }, /\/linux\/seccomp\/listenerPath: required when a rule uses SCMP_ACT_NOTIFY/],
    [{ defaultAction: 'SCMP_ACT_KILL', defaultErrnoRet: 3 }, /\/linux\/seccomp\/defaultErrnoRet: defaultErrnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_KILL/],
    [{ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_BOGUS' }] }, /\/linux\/seccomp\/syscalls\/0\/action: must be equal to one of the allowed values/],
    [{ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_IN' }] }] }, /\/linux\/seccomp\/syscalls\/0\/args\/0\/op: must be equal to one of the allowed values/],
  ];
  for (const [seccomp, message] of cases) {
    const r = run(withSeccomp(['true'], seccomp));
    assert.equal(r.status, 1);
    assert.match(r.stderr, message);
  }
  assert.deepEqual(leftovers(), []);
});

async function startAgent(errno: number): Promise<{ sock: string; out: string; child: ChildProcess; docs: () => Json[]; calls: () => string[] }> {
  const sock = join(sb.dir, `agent-${Math.random().toString(36).slice(2, 8)}.sock`);
  const out = `${sock}.log`;
  const child = spawn('python3', [AGENT, sock, out, String(errno)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let said = '';
  child.stdout!.on('data', (d: Buffer) => (said += d.toString()));
  assert.ok(await waitFor(() => said.includes('listening')), 'the agent did not start');
  const lines = (f: string): string[] => (existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').filter(Boolean) : []);
  return { sock, out, child, docs: () => lines(out).map((l) => JSON.parse(l)), calls: () => lines(`${out}.calls`) };
}

test('SCMP_ACT_NOTIFY: the agent gets the state and the listener fd, and its answers are what the container sees (run and exec)', async () => {
  const agent = await startAgent(EROFS);
  try {
    const spec = withSeccomp(['sh', '-c', 'mkdir /tmp/x; echo mkdir=$?; sleep 100'], {
      defaultAction: 'SCMP_ACT_ALLOW',
      listenerPath: agent.sock,
      listenerMetadata: 'hello agent',
      syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_NOTIFY' }],
    }, (s) => (s.annotations = { team: 'runts' }));
    const b = sb.bundle(spec);
    const id = sb.id();
    const c = sb.runts(['create', '-b', b, id]);
    assert.equal(c.status, 0, c.stderr);
    const state = sb.state(id);
    // At create, before start: one connection, one fd, the state as the spec describes it.
    assert.deepEqual(agent.docs(), [
      {
        nfds: 1,
        doc: {
          ociVersion: '1.3.0',
          fds: ['seccompFd'],
          pid: state.pid,
          metadata: 'hello agent',
          state: { ociVersion: '1.3.0', id, status: 'creating', pid: state.pid, bundle: b, annotations: { team: 'runts' } },
        },
      },
    ]);
    assert.equal(sb.runts(['start', id]).status, 0);
    assert.ok(await waitFor(() => agent.calls().length >= 1), 'no notification reached the agent');
    const e = sb.runts(['exec', id, 'sh', '-c', 'mkdir /tmp/y; echo exec-mkdir=$?']);
    assert.equal(e.status, 0, e.stderr);
    assert.match(e.stderr, /mkdir: can't create directory '\/tmp\/y': Read-only file system/);
    assert.equal(e.stdout, 'exec-mkdir=1\n');
    const docs = agent.docs();
    assert.equal(docs.length, 2);
    assert.equal(docs[1].doc.state.status, 'running');
    assert.notEqual(docs[1].doc.pid, state.pid);
    assert.equal(docs[1].doc.pid, docs[1].doc.state.pid);
    assert.equal(agent.calls().length, 2);
    sb.runts(['delete', '--force', id]);
  } finally {
    agent.child.kill('SIGKILL');
  }
});

test('SCMP_ACT_NOTIFY with no agent listening: create fails naming the socket, nothing left behind', () => {
  const sock = join(sb.dir, 'nobody-listens.sock');
  const r = run(withSeccomp(['true'], { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: sock, syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] }));
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`seccomp agent: ${sock}: No such file or directory`));
  assert.deepEqual(leftovers(), []);
  assert.equal(sb.runts(['list', '-q']).stdout, '');
});
