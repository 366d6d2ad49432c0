// Security regressions, each with a real container built the way an attacker
// would build the bundle or act from inside: the runtime's own process and
// executable (CVE-2019-5736), leaked fds and the working directory
// (CVE-2024-21626), symlinks at mount destinations (CVE-2021-30465), /proc
// over a symlink (CVE-2019-16884/19921), masking with something that is not
// /dev/null (CVE-2025-31133), sysctls that would reach the host, and what
// the process's credentials look like next to runc's on the same bundles.
// Each test fails when the guard it names is taken out (see the commit log
// for how that was checked).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseSpec, BUSYBOX, chownRootfs, cleanEnv, REPO, RUNTS, Sandbox, strayInits, waitFor, type Json } from './helpers.ts';

let sb: Sandbox;
before(() => {
  sb = new Sandbox();
});
after(() => sb?.cleanup());

const haveRunc = spawnSync('runc', ['--version']).status === 0;

/** The mount points of this (the host's) mount namespace. */
function hostMounts(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').trim().split('\n').map((l) => l.split(' ')[4]!);
}

/** Mount points in the mount namespace of `pid`, as it sees them. */
function mountsOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/mountinfo`, 'utf8').trim().split('\n').map((l) => l.split(' ')[4]!);
}

/**
 * A failed create left nothing: no state, no container, no runts-init
 * (other than those running before: created containers of other tests).
 */
function assertNothingLeft(id: string, initsBefore: number[]): void {
  assert.ok(!existsSync(join(sb.root, id)), `state dir of ${id} left behind`);
  assert.notEqual(sb.runts(['state', id]).status, 0);
  assert.deepEqual(strayInits().filter((p) => !initsBefore.includes(p)), [], 'runts-init processes left behind');
}

/** Runs a container to its end with the caller's extra fds open (not preserved); returns its stdout. */
function runWithFds(args: string[], fds: number[]): { status: number | null; stdout: string; stderr: string; out: string } {
  const out = join(sb.dir, `fds-${sb.id('o')}`);
  const err = `${out}.err`;
  const outFd = openSync(out, 'w+');
  const errFd = openSync(err, 'w+');
  try {
    const r = spawnSync(process.execPath, [RUNTS, '--root', sb.root, ...args], { env: cleanEnv(), stdio: ['ignore', outFd, errFd, ...fds] });
    return { status: r.status, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8'), out };
  } finally {
    closeSync(outFd);
    closeSync(errFd);
  }
}

// ---------------------------------------------------------------- CVE-2019-5736

test('CVE-2019-5736: the waiting container init is non-dumpable: a process without CAP_SYS_PTRACE cannot look into it', async () => {
  // A root container (no uid change, which would make it non-dumpable by
  // itself): during `created`, its pid 1 is runts-init holding host fds.
  const spec = baseSpec(['sleep', '1000']);
  const id = sb.id();
  assert.equal(sb.runts(['create', '-b', sb.bundle(spec), id]).status, 0);
  const pid = sb.state(id).pid as number;
  // From the host: the init runs the sealed in-memory copy, not dist/runts-init.
  assert.equal(readlinkSync(`/proc/${pid}/exe`), '/memfd:runts-init (deleted)');
  const init = statSync(join(REPO, 'dist', 'runts-init'));
  const exe = statSync(`/proc/${pid}/exe`);
  assert.ok(exe.ino !== init.ino || exe.dev !== init.dev, 'the init runs dist/runts-init itself');
  // Even the host's root cannot open it for writing.
  assert.throws(() => closeSync(openSync(`/proc/${pid}/exe`, 'r+')), (e: NodeJS.ErrnoException) => ['ETXTBSY', 'EACCES', 'EPERM'].includes(e.code!));

  const probe = [
    'readlink /proc/1/exe || echo exe-denied',
    'readlink /proc/1/fd/0 >/dev/null || echo fd-denied',
    'readlink /proc/1/cwd || echo cwd-denied',
    'cat /proc/1/environ >/dev/null || echo environ-denied',
    '(echo x > /proc/1/exe) 2>/dev/null || echo write-denied',
    'readlink /proc/self/exe',
  ].join('; ');
  const r = sb.runts(['exec', id, 'sh', '-c', probe]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['exe-denied', 'fd-denied', 'cwd-denied', 'environ-denied', 'write-denied', '/bin/busybox']);

  // Once it has exec'd the container's process, it is an ordinary one again.
  const started = sb.runts(['start', id]);
  assert.equal(started.status, 0, started.stderr);
  assert.ok(await waitFor(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8') === 'sleep\x001000\x00'));
  assert.match(readlinkSync(`/proc/${pid}/exe`), /\/bin\/busybox$/);
  const after = sb.runts(['exec', id, 'readlink', '/proc/1/exe']);
  assert.equal(after.stdout, '/bin/busybox\n', 'the test itself: a dumpable pid 1 is readable');
  assert.equal(sb.runts(['delete', '-f', id]).status, 0);
});

// ---------------------------------------------------------------- CVE-2024-21626

test('CVE-2024-21626: only 0, 1, 2 (and --preserve-fds) reach the process: run, create/start and exec', async () => {
  // The caller holds fd 3 (a host directory) and fd 4 (a host file) open
  // without passing them on; `ls` adds its own directory fd.
  const dirFd = openSync(sb.dir, 'r');
  const fileFd = openSync('/etc/hostname', 'r');
  const script = 'ls /proc/self/fd | tr "\\n" " "; readlink /proc/self/cwd';
  try {
    const run = runWithFds(['run', '-b', sb.bundle(baseSpec(['sh', '-c', script])), sb.id()], [dirFd, fileFd]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '0 1 2 3 /\n', 'run');

    const id = sb.id();
    const created = runWithFds(['create', '-b', sb.bundle(baseSpec(['sh', '-c', script])), id], [dirFd, fileFd]);
    assert.equal(created.status, 0, created.stderr);
    const started = runWithFds(['start', id], [dirFd, fileFd]);
    assert.equal(started.status, 0, started.stderr);
    // The process writes to the stdout `create` had.
    assert.ok(await waitFor(() => sb.state(id).status === 'stopped'));
    assert.equal(readFileSync(created.out, 'utf8'), '0 1 2 3 /\n', 'create/start');

    const long = sb.id();
    assert.equal(sb.runts(['run', '-d', '-b', sb.bundle(baseSpec(['sleep', '1000'])), long]).status, 0);
    const exec = runWithFds(['exec', long, 'sh', '-c', script], [dirFd, fileFd]);
    assert.equal(exec.status, 0, exec.stderr);
    assert.equal(exec.stdout, '0 1 2 3 /\n', 'exec');
    const preserved = runWithFds(['exec', '--preserve-fds', '1', long, 'sh', '-c', script], [dirFd, fileFd]);
    assert.equal(preserved.status, 0, preserved.stderr);
    assert.equal(preserved.stdout, '0 1 2 3 4 /\n', 'exec --preserve-fds 1');
    assert.equal(sb.runts(['delete', '-f', long]).status, 0);
  } finally {
    closeSync(dirFd);
    closeSync(fileFd);
  }
});

test('CVE-2024-21626: a process.cwd through a leaked fd or out of the rootfs is refused, and nothing is made on the host', () => {
  const inits = strayInits();
  const hostDir = join(sb.dir, 'cwd-host');
  mkdirSync(hostDir);
  const dirFd = openSync(hostDir, 'r');
  try {
    // fd 3 is a host directory the caller passes on (--preserve-fds 1).
    for (const cwd of ['/proc/self/fd/3', '/proc/self/fd/3/made']) {
      const spec = baseSpec(['sh', '-c', 'pwd; ls']);
      spec.process.cwd = cwd;
      const id = sb.id();
      const r = runWithFds(['run', '--preserve-fds', '1', '-b', sb.bundle(spec), id], [dirFd]);
      assert.notEqual(r.status, 0, `cwd ${cwd} was accepted: ${r.stdout}`);
      assert.match(r.stderr, /working directory (must resolve inside|is outside) the container/, r.stderr);
      assertNothingLeft(id, inits);
    }
    // The container shares the host's pid namespace: /proc/<this test>/root is the host's /.
    for (const cwd of [`/proc/${process.pid}/root/tmp`, `/proc/${process.pid}/root${hostDir}/made2`]) {
      const spec = baseSpec(['sh', '-c', 'pwd; ls']);
      spec.linux.namespaces = spec.linux.namespaces.filter((n: Json) => n.type !== 'pid');
      spec.process.cwd = cwd;
      const id = sb.id();
      const r = sb.runts(['run', '-b', sb.bundle(spec), id]);
      assert.notEqual(r.status, 0, `cwd ${cwd} was accepted: ${r.stdout}`);
      assert.match(r.stderr, /working directory (must resolve inside|is outside) the container/, r.stderr);
      assertNothingLeft(id, inits);
    }
    assert.deepEqual(readdirSync(hostDir), [], 'a directory was made on the host');

    // exec: its cwd must exist and is checked the same way.
    const long = sb.id();
    assert.equal(sb.runts(['run', '-d', '-b', sb.bundle(baseSpec(['sleep', '1000'])), long]).status, 0);
    const r = runWithFds(['exec', '--preserve-fds', '1', '--cwd', '/proc/self/fd/3', long, 'sh', '-c', 'pwd; ls'], [dirFd]);
    assert.notEqual(r.status, 0, `exec with cwd through fd 3 was accepted: ${r.stdout}`);
    assert.match(r.stderr, /working directory (must resolve inside|is outside) the container/, r.stderr);
    assert.equal(sb.runts(['delete', '-f', long]).status, 0);
  } finally {
    closeSync(dirFd);
  }
});
