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
    // The waiting init holds nothing of the caller's either: 0-2 and the
    // exec fifo (the caller's shell left fds 7 and 250 open, not close-on-exec).
    const id2 = sb.id();
    const shell = spawnSync('bash', ['-c', 'exec 7<"$1" 250<"$1"; shift; exec "$@"', 'bash', sb.dir, process.execPath, RUNTS, '--root', sb.root, 'create', '-b', sb.bundle(baseSpec(['true'])), id2], { env: cleanEnv(), stdio: 'ignore' });
    assert.equal(shell.status, 0);
    const pid2 = sb.state(id2).pid as number;
    const held = readdirSync(`/proc/${pid2}/fd`).filter((fd) => Number(fd) > 2).map((fd) => readlinkSync(`/proc/${pid2}/fd/${fd}`));
    assert.deepEqual(held, [join(sb.root, id2, 'exec.fifo')], 'the waiting init holds a caller\'s fd');
    assert.equal(sb.runts(['delete', '-f', id2]).status, 0);

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

// ---------------------------------------------------------------- CVE-2021-30465

test('CVE-2021-30465: symlinks at mount destinations (to /, to a host path, climbing with ..) keep the mounts inside the rootfs', () => {
  const tag = `sec${process.pid}`;
  const hostTarget = join(sb.dir, 'mnt-host-target');
  const hostLeaf = join(sb.dir, 'mnt-host-leaf');
  const source = join(sb.dir, 'mnt-source');
  for (const d of [hostTarget, hostLeaf, source]) mkdirSync(d);
  writeFileSync(join(source, 'payload'), 'from source\n');
  const spec = baseSpec(['sleep', '1000']);
  spec.mounts.push(
    { destination: `/to-root/${tag}-a`, type: 'tmpfs', source: 'tmpfs' },
    { destination: `/to-host/${tag}-b`, type: 'bind', source, options: ['bind'] },
    { destination: `/climb/${tag}-c`, type: 'tmpfs', source: 'tmpfs' },
    { destination: '/leaf', type: 'tmpfs', source: 'tmpfs' },
  );
  const b = sb.bundle(spec);
  const rootfs = join(b, 'rootfs');
  symlinkSync('/', join(rootfs, 'to-root'));
  symlinkSync(hostTarget, join(rootfs, 'to-host'));
  symlinkSync(`../../../../../../../../..${hostTarget}`, join(rootfs, 'climb'));
  symlinkSync(hostLeaf, join(rootfs, 'leaf'));

  const before = hostMounts();
  const id = sb.id();
  const r = sb.runts(['run', '-d', '-b', b, id]);
  assert.equal(r.status, 0, r.stderr);
  try {
    const pid = sb.state(id).pid as number;
    // The host's mount table did not gain anything of this container.
    const added = hostMounts().filter((m) => !before.includes(m));
    assert.deepEqual(added.filter((m) => m.includes(tag) || m.startsWith(sb.dir) || m === '/'), [], 'a mount landed on the host');
    assert.deepEqual(readdirSync(hostTarget), [], 'the host target got a directory');
    assert.deepEqual(readdirSync(hostLeaf), []);
    // Where they landed: the symlinks were followed inside the rootfs.
    const inside = mountsOf(pid);
    for (const want of [`/${tag}-a`, `${hostTarget}/${tag}-b`, `${hostTarget}/${tag}-c`, hostLeaf]) assert.ok(inside.includes(want), `${want} not in ${inside.join(' ')}`);
    assert.equal(readFileSync(`/proc/${pid}/root${hostTarget}/${tag}-b/payload`, 'utf8'), 'from source\n');
    assert.ok(existsSync(join(rootfs, `${tag}-a`)) && existsSync(join(rootfs, hostTarget.slice(1), `${tag}-c`)));
  } finally {
    assert.equal(sb.runts(['delete', '-f', id]).status, 0);
  }
  assert.deepEqual(hostMounts().filter((m) => !before.includes(m) && (m.includes(tag) || m.startsWith(sb.dir))), []);
});

// ---------------------------------------------------------------- CVE-2019-16884 / CVE-2019-19921

test('/proc or /sys reached through a symlink in the rootfs is refused, leaving nothing behind', () => {
  const inits = strayInits();
  const hostTarget = join(sb.dir, 'proc-host-target');
  mkdirSync(hostTarget);
  const cases: [string, string][] = [
    ['proc', '/'],
    ['proc', hostTarget],
    ['proc', 'tmp'],
    ['proc', '../../../..' + hostTarget],
    ['sys', hostTarget],
  ];
  for (const [dir, target] of cases) {
    const before = hostMounts();
    const b = sb.bundle(baseSpec(['true']));
    rmSync(join(b, 'rootfs', dir), { recursive: true });
    symlinkSync(target, join(b, 'rootfs', dir));
    const id = sb.id();
    const r = sb.runts(['run', '-b', b, id]);
    assert.notEqual(r.status, 0, `${dir} -> ${target} was accepted`);
    const fs = dir === 'proc' ? 'proc' : 'sysfs';
    assert.match(r.stderr, new RegExp(`mount: /${dir}: ${fs} must be mounted on an ordinary directory`), r.stderr);
    assertNothingLeft(id, inits);
    assert.deepEqual(hostMounts().filter((m) => !before.includes(m)), [], 'a mount was left on the host');
  }
  assert.deepEqual(readdirSync(hostTarget), []);
  // A /proc that is a real directory (the default) still works, and so does
  // a missing one (created).
  const b = sb.bundle(baseSpec(['sh', '-c', 'test -d /proc/self && echo ok']));
  rmSync(join(b, 'rootfs', 'proc'), { recursive: true });
  const ok = sb.runts(['run', '-b', b, sb.id()]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout, 'ok\n');
});

// ---------------------------------------------------------------- masked and read-only paths

test('masked and read-only paths behind symlinks stay inside the container; magic links are refused', () => {
  const inits = strayInits();
  const hostFile = join(sb.dir, 'mask-host-file');
  const hostDir = join(sb.dir, 'mask-host-dir');
  writeFileSync(hostFile, 'host secret\n');
  mkdirSync(hostDir);
  writeFileSync(join(hostDir, 'f'), 'host dir file\n');
  const spec = baseSpec(['sh', '-c', `cat /etc/evil-file; ls /etc/evil-dir | wc -l; cat ${hostFile}; (echo w > /etc/ro-link/f) 2>/dev/null && echo ro-writable || echo ro-ok`]);
  spec.linux.maskedPaths.push('/etc/evil-file', '/etc/evil-dir');
  spec.linux.readonlyPaths.push('/etc/ro-link');
  spec.root.readonly = false;
  const b = sb.bundle(spec);
  const rootfs = join(b, 'rootfs');
  // Inside the rootfs the same absolute paths exist: that is what gets masked.
  mkdirSync(join(rootfs, hostDir.slice(1)), { recursive: true });
  writeFileSync(join(rootfs, hostFile.slice(1)), 'rootfs copy\n');
  writeFileSync(join(rootfs, hostDir.slice(1), 'f'), 'rootfs dir file\n');
  symlinkSync(hostFile, join(rootfs, 'etc', 'evil-file'));
  symlinkSync(hostDir, join(rootfs, 'etc', 'evil-dir'));
  symlinkSync(`../..${hostDir}`, join(rootfs, 'etc', 'ro-link'));
  const before = hostMounts();
  const r = sb.runts(['run', '-b', b, sb.id()]);
  assert.equal(r.status, 0, r.stderr);
  // The rootfs's copies were masked (an empty file, twice: through the link
  // and at its path; an empty dir); the read-only one is read-only.
  assert.deepEqual(r.stdout.trim().split('\n'), ['0', 'ro-ok']);
  assert.equal(readFileSync(hostFile, 'utf8'), 'host secret\n');
  assert.deepEqual(readdirSync(hostDir), ['f']);
  writeFileSync(join(hostDir, 'f'), 'still writable\n');
  assert.deepEqual(hostMounts().filter((m) => !before.includes(m)), []);

  // A masked path through a magic link (here /proc/<pid>/root, the host's /
  // when the pid namespace is shared) is refused rather than followed or skipped.
  for (const field of ['maskedPaths', 'readonlyPaths']) {
    const s2 = baseSpec(['true']);
    s2.linux.namespaces = s2.linux.namespaces.filter((n: Json) => n.type !== 'pid');
    s2.linux[field].push('/etc/magic');
    const b2 = sb.bundle(s2);
    symlinkSync(`/proc/${process.pid}/root${hostFile}`, join(b2, 'rootfs', 'etc', 'magic'));
    const id = sb.id();
    const r2 = sb.runts(['run', '-b', b2, id]);
    assert.notEqual(r2.status, 0, `${field} through a magic link was accepted`);
    assert.match(r2.stderr, /\/etc\/magic: resolves through a \/proc magic link/, r2.stderr);
    assertNothingLeft(id, inits);
  }
  assert.equal(readFileSync(hostFile, 'utf8'), 'host secret\n');
  assert.deepEqual(hostMounts().filter((m) => !before.includes(m)), []);
});

test('masking uses only a verified /dev/null: a file or symlink put there is refused', () => {
  const inits = strayInits();
  // A createContainer hook (run before the root switch, in the rootfs) stands
  // for whoever can write the container's /dev before masking: another
  // container sharing a bind-mounted /dev, a bundle-supplied /dev.
  const cases = {
    symlink: 'rm -f dev/null && ln -s /etc/passwd dev/null',
    file: 'rm -f dev/null && echo not-null > dev/null',
    'other device': `rm -f dev/null && mknod -m 666 dev/null c 1 5`,
  };
  for (const [what, script] of Object.entries(cases)) {
    const spec = baseSpec(['sh', '-c', 'cat /proc/kcore | head -c 20; echo; echo ran']);
    spec.hooks = { createContainer: [{ path: BUSYBOX, args: ['sh', '-c', script] }] };
    const id = sb.id();
    const r = sb.runts(['run', '-b', sb.bundle(spec), id]);
    assert.notEqual(r.status, 0, `${what} at /dev/null was used to mask: ${r.stdout}`);
    assert.match(r.stderr, /mask: \/dev\/null: \/dev\/null is (a symlink|not the null device)/, `${what}: ${r.stderr}`);
    assertNothingLeft(id, inits);
  }
  // Without masked paths nothing needs /dev/null, and the container runs.
  const spec = baseSpec(['sh', '-c', 'echo ran']);
  spec.linux.maskedPaths = [];
  spec.hooks = { createContainer: [{ path: BUSYBOX, args: ['sh', '-c', cases.file] }] };
  const r = sb.runts(['run', '-b', sb.bundle(spec), sb.id()]);
  assert.equal(r.status, 0, r.stderr);
});

// ---------------------------------------------------------------- sysctl

test('linux.sysctl: namespaced keys are set in the container; keys that would reach the host are refused', () => {
  const inits = strayInits();
  const host = (k: string) => readFileSync(`/proc/sys/${k.replace(/\./g, '/')}`, 'utf8');
  const ok = baseSpec(['sh', '-c', 'for k in kernel/shmmax kernel/msgmax kernel/sem fs/mqueue/msg_max net/ipv4/ip_forward kernel/domainname; do cat /proc/sys/$k; done']);
  ok.linux.sysctl = {
    'kernel.shmmax': '12345678',
    'kernel.msgmax': '4321',
    'kernel.sem': '100 1000 10 32',
    'fs.mqueue.msg_max': '42',
    'net.ipv4.ip_forward': '1',
    'kernel.domainname': 'sysctl.example',
  };
  const hostBefore = ['kernel.shmmax', 'kernel.msgmax', 'fs.mqueue.msg_max', 'kernel.domainname', 'vm.swappiness', 'kernel.pid_max'].map(host);
  const r = sb.runts(['run', '-b', sb.bundle(ok), sb.id()]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').map((l) => l.replace(/\s+/g, ' ')), ['12345678', '4321', '100 1000 10 32', '42', '1', 'sysctl.example']);

  const refused: [string, string, string][] = [
    ['network', 'net.ipv4.ip_forward', 'belongs to the network namespace, which the container shares with the host'],
    ['ipc', 'kernel.shmmax', 'belongs to the ipc namespace, which the container shares with the host'],
    ['ipc', 'fs.mqueue.msg_max', 'belongs to the ipc namespace, which the container shares with the host'],
    ['uts', 'kernel.domainname', 'belongs to the uts namespace, which the container shares with the host'],
    ['', 'vm.swappiness', 'is not namespaced: setting it would change the host'],
    ['', 'kernel.pid_max', 'is not namespaced: setting it would change the host'],
    ['', 'net/../../kernel/pid_max', 'is not a valid key'],
  ];
  for (const [ns, key, why] of refused) {
    const spec = baseSpec(['true']);
    if (ns) spec.linux.namespaces = spec.linux.namespaces.filter((n: Json) => n.type !== ns);
    if (ns === 'uts') delete spec.hostname;
    spec.linux.sysctl = { [key]: key === 'kernel.domainname' ? 'x' : '1' };
    const id = sb.id();
    const bad = sb.runts(['run', '-b', sb.bundle(spec), id]);
    assert.notEqual(bad.status, 0, `${key} accepted`);
    assert.ok(bad.stderr.includes(`/linux/sysctl/${key.replace(/\//g, '~1')}: sysctl "${key}" ${why}`), bad.stderr);
    assertNothingLeft(id, inits);
  }
  assert.deepEqual(['kernel.shmmax', 'kernel.msgmax', 'fs.mqueue.msg_max', 'kernel.domainname', 'vm.swappiness', 'kernel.pid_max'].map(host), hostBefore, 'a host sysctl changed');
});

// ---------------------------------------------------------------- next to runc

test('runc side by side: fds, capabilities, NoNewPrivs, seccomp and id maps match for the same bundles', { skip: !haveRunc && 'runc not installed' }, () => {
  const script = 'ls /proc/self/fd | tr "\\n" " "; echo; grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp|Seccomp_filters):" /proc/self/status; cat /proc/self/uid_map /proc/self/gid_map; id; mkdir /tmp/x; echo mkdir=$?';
  const profile = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 30 }] };
  const configs: Record<string, (s: Json, bundle?: string) => void> = {
    default: () => {},
    'noNewPrivileges false': (s) => {
      s.process.noNewPrivileges = false;
    },
    'non-root user, reduced capabilities': (s) => {
      s.process.user = { uid: 1000, gid: 1000, additionalGids: [10] };
      s.process.capabilities = { bounding: ['CAP_KILL', 'CAP_CHOWN'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'], inheritable: ['CAP_KILL'], ambient: ['CAP_KILL'] };
    },
    'extra capabilities': (s) => {
      for (const set of ['bounding', 'effective', 'permitted', 'inheritable']) s.process.capabilities[set] = [...(s.process.capabilities[set] ?? []), 'CAP_SYS_ADMIN', 'CAP_NET_ADMIN', 'CAP_SYS_PTRACE'];
    },
    'user namespace, mapped': (s) => {
      s.linux.namespaces.push({ type: 'user' });
      s.linux.uidMappings = [{ containerID: 0, hostID: 300000, size: 1000 }, { containerID: 1000, hostID: 400000, size: 1000 }];
      s.linux.gidMappings = [{ containerID: 0, hostID: 300000, size: 65536 }];
      s.mounts = s.mounts.filter((m: Json) => m.destination !== '/sys');
    },
    'seccomp profile': (s) => {
      s.linux.seccomp = profile;
    },
    'seccomp profile, no no_new_privs, non-root': (s) => {
      s.linux.seccomp = profile;
      s.process.noNewPrivileges = false;
      s.process.user = { uid: 1000, gid: 1000 };
    },
  };
  for (const [name, edit] of Object.entries(configs)) {
    const spec = baseSpec(['sh', '-c', script]);
    edit(spec);
    const b = sb.bundle(spec);
    if (spec.linux.uidMappings) chownRootfs(sb, b, 300000);
    const ours = sb.runts(['run', '-b', b, sb.id()]);
    const theirs = sb.runc(['run', '-b', b, sb.id()]);
    assert.equal(ours.status, 0, `${name}: ${ours.stderr}`);
    assert.equal(theirs.status, 0, `${name}: runc: ${theirs.stderr}`);
    assert.equal(ours.stdout, theirs.stdout, name);
  }
});
