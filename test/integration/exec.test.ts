// `runts exec`: a process started inside an existing container ends up in
// every namespace, the root and the identity the container prescribes, with
// nothing of the host's; its exit status comes back; exec's own failures exit
// 255 as runc's do; and no container process can reach the host's
// runts-init through /proc/<pid>/exe (CVE-2019-5736 class).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { decodeFrames, encodeFrame } from '../../src/container/protocol.ts';
import { buildExecPlan, NO_OVERRIDES } from '../../src/plan/exec-plan.ts';
import { detectHostLsm } from '../../src/plan/lsm.ts';
import { EXEC_PLAN_VERSION, type ExecPlan } from '../../src/plan/exec-types.ts';
import { baseSpec, cleanEnv, REPO, RUNTS, Sandbox, startConsoleReceiver, waitFor, type Json } from './helpers.ts';

let sb: Sandbox;
before(() => {
  sb = new Sandbox();
});
after(() => sb?.cleanup());

// Until the command is registered in src/cli/main.ts there is nothing to test.
const registered = spawnSync(process.execPath, [RUNTS, 'exec', '--help'], { env: cleanEnv() }).status === 0;
const skip = registered ? false : 'runts exec is not registered in src/cli/main.ts yet';
const haveRunc = spawnSync('runc', ['--version']).status === 0;
const havePython = spawnSync('python3', ['-c', 'import socket; socket.recv_fds'], { stdio: 'ignore' }).status === 0;

const NS = ['ipc', 'uts', 'net', 'pid', 'cgroup', 'time', 'mnt'];

/** A running container (`sleep 1000`) from `spec`; returns its id and init pid. */
function running(edit: (spec: Json) => void = () => {}, prepare: (bundle: string) => void = () => {}): { id: string; pid: number; bundle: string } {
  const spec = baseSpec(['sleep', '1000']);
  edit(spec);
  const bundle = sb.bundle(spec);
  prepare(bundle);
  const id = sb.id();
  const r = sb.runts(['run', '-d', '-b', bundle, id]);
  assert.equal(r.status, 0, r.stderr);
  return { id, pid: sb.state(id).pid as number, bundle };
}

/** What runts printed as "runts: ..." (with its indented continuation lines; warnings left out). */
function errors(stderr: string): string {
  const lines = stderr.split('\n');
  const at = lines.findIndex((l) => l.startsWith('runts: '));
  if (at < 0) return '';
  const end = lines.findIndex((l, i) => i > at && !l.startsWith('  '));
  return lines.slice(at, end < 0 ? undefined : end).join('\n');
}

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

let shared: { id: string; pid: number; bundle: string };
function container(): { id: string; pid: number; bundle: string } {
  shared ??= running();
  return shared;
}

test('a command runs in the container with its env, cwd and user, overridable per exec', { skip }, () => {
  const { id } = container();
  let r = sb.runts(['exec', id, 'sh', '-c', 'echo "$PATH|$TERM|$HOME|$(pwd)|$(id)|$(hostname)"']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|xterm|/root|/|uid=0(root) gid=0(root)|runc\n');

  r = sb.runts(['exec', '-e', 'FOO=bar', '-e', 'TERM=dumb', '--cwd', '/dev', '-u', '1000:1001', '-g', '7', '-g', '9', id, 'sh', '-c', 'echo "$PATH|$TERM|$FOO|$HOME|$(pwd)|$(id -u):$(id -g):$(id -G)"']);
  assert.equal(r.status, 0, r.stderr);
  // PATH survives -e of other variables; HOME comes from /etc/passwd ("/" for an unknown uid), as with runc
  assert.equal(r.stdout, '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|dumb|bar|/|/dev|1000:1001:1001 7 9\n');

  r = sb.runts(['exec', '-e', 'PATH=/nowhere', id, 'sh', '-c', 'echo $PATH']);
  assert.equal(r.status, 255, 'sh is not found on the replaced PATH');
  assert.match(errors(r.stderr), /^runts: exec failed: exec: sh: executable file not found in \$PATH$/);
});

test('exec --process runs a process.json as containerd writes one', { skip }, () => {
  const { id } = container();
  const p = join(sb.dir, 'process.json');
  writeFileSync(p, JSON.stringify({
    terminal: false,
    user: { uid: 5, gid: 6, additionalGids: [8] },
    args: ['sh', '-c', 'echo "$A|$(pwd)|$(id -u):$(id -g):$(id -G)|$HOME"; grep -E "^(CapBnd|NoNewPrivs)" /proc/self/status'],
    env: ['PATH=/bin', 'A=1'],
    cwd: '/tmp',
    noNewPrivileges: true,
  }));
  const r = sb.runts(['exec', '--process', 'process.json', id], { cwd: sb.dir });
  assert.equal(r.status, 0, r.stderr);
  // no capabilities in the file: the container's bounding set, never more
  assert.equal(r.stdout, '1|/tmp|5:6:6 8|/\nCapBnd:\t0000000020000420\nNoNewPrivs:\t1\n');

  writeFileSync(p, JSON.stringify({ args: 'sh', cwd: 'x' }));
  const bad = sb.runts(['exec', '-p', p, id]);
  assert.equal(bad.status, 255);
  assert.equal(errors(bad.stderr), 'runts: exec failed: process.json: /args: must be array');
  writeFileSync(p, JSON.stringify({ args: ['true'], cwd: 'x', env: ['NOEQUALS'] }));
  const bad2 = sb.runts(['exec', '-p', p, id]);
  assert.equal(bad2.status, 255);
  assert.equal(
    errors(bad2.stderr),
    'runts: exec failed: 2 problems:\n  process.json: /env/0: "NOEQUALS" is not of the form NAME=value\n  process.json: /cwd: "x" must be an absolute path',
  );
  const missing = sb.runts(['exec', '-p', join(sb.dir, 'nope.json'), id]);
  assert.equal(missing.status, 255);
  assert.equal(errors(missing.stderr), `runts: exec failed: open ${join(sb.dir, 'nope.json')}: no such file or directory`);
});

test('the exit status comes back: n, or 128 + the signal', { skip }, () => {
  const { id } = container();
  assert.equal(sb.runts(['exec', id, 'sh', '-c', 'exit 5']).status, 5);
  assert.equal(sb.runts(['exec', id, 'sh', '-c', 'kill -9 $$']).status, 137);
  assert.equal(sb.runts(['exec', id, 'true']).status, 0);
});

test('signals to a foreground exec are forwarded to the process', { skip }, async () => {
  const { id, pid } = container();
  const marker = `/proc/${pid}/root/dev/shm/sig-ready`;
  rmSync(marker, { force: true });
  const child = sb.runtsAsync(['exec', id, 'sh', '-c', 'touch /dev/shm/sig-ready; exec sleep 100']);
  const done = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  assert.ok(await waitFor(() => existsSync(marker)), 'the exec started');
  child.kill('SIGTERM');
  assert.equal(await done, 128 + 15);
});

test('exec failures exit 255 with runc\'s reasons', { skip }, () => {
  const { id } = container();
  const lsm = detectHostLsm();
  const cases: [string[], string][] = [
    [['exec', id, 'nosuch'], 'runts: exec failed: exec: nosuch: executable file not found in $PATH'],
    [['exec', id, '/bin/nosuch'], 'runts: exec failed: exec: /bin/nosuch: No such file or directory'],
    [['exec', 'nosuchcontainer', 'true'], 'runts: exec failed: container does not exist'],
    [['exec', id], 'runts: exec failed: process args cannot be empty (give a command, or --process)'],
    [['exec', '--cwd', '/nonexistent', id, 'pwd'], 'runts: exec failed: chdir: /nonexistent: No such file or directory'],
    [['exec', '--cwd', 'tmp', id, 'pwd'], 'runts: exec failed: --cwd: "tmp" must be an absolute path'],
    [['exec', '-t', '-d', id, 'true'], 'runts: exec failed: cannot allocate tty if runts will detach without setting console socket'],
    [['exec', '--console-socket', '/x.sock', id, 'true'], 'runts: exec failed: cannot use console socket if runts will not detach or allocate tty'],
    // Refused up front where the host lacks the LSM; else the kernel refuses a profile that is not loaded.
    [['exec', '--apparmor', 'p', id, 'true'], lsm.apparmor ? 'runts: exec failed: apparmor profile: p: No such file or directory' : 'runts: exec failed: --apparmor: this host does not have AppArmor enabled'],
    ...(lsm.selinux ? [] : [[['exec', '--process-label', 'l', id, 'true'], 'runts: exec failed: --process-label: this host does not have SELinux enabled'] as [string[], string]]),
    [['exec', '--cgroup', '../up', id, 'true'], "runts: exec failed: --cgroup ../up: the sub-cgroup must be a path inside the container's cgroup"],
    [['exec', '--cap', 'sys_admin', id, 'true'], 'runts: exec failed: --cap: unknown capability "sys_admin" (did you mean "CAP_SYS_ADMIN"?)'],
    [['exec', '-u', 'root', id, 'true'], 'runts: exec failed: --user: "root" is not a valid uid (the format is <uid>[:<gid>], numeric)'],
    [['exec', '-e', 'FOO', id, 'true'], 'runts: exec failed: --env: invalid environment variable "FOO" (the format is NAME=value)'],
  ];
  for (const [args, message] of cases) {
    const r = sb.runts(args);
    assert.equal(r.status, 255, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(errors(r.stderr), message, args.join(' '));
  }
  // the empty values runc accepts are accepted
  assert.equal(sb.runts(['exec', '--cgroup', '', '--apparmor', '', '--ignore-paused', id, 'true']).status, 0);
});

test('a stopped container refuses exec; a created one accepts it (as runc does) and stays created', { skip }, async () => {
  const b = sb.bundle(baseSpec(['true']));
  const stopped = sb.id();
  assert.equal(sb.runts(['run', '-d', '-b', b, stopped]).status, 0);
  assert.ok(await waitFor(() => sb.state(stopped).status === 'stopped'));
  const r = sb.runts(['exec', stopped, 'true']);
  assert.equal(r.status, 255);
  assert.equal(errors(r.stderr), 'runts: exec failed: cannot exec in a stopped container');

  const created = sb.id();
  assert.equal(sb.runts(['create', '-b', sb.bundle(baseSpec(['sleep', '1000'])), created]).status, 0);
  const e = sb.runts(['exec', created, 'sh', '-c', 'echo in $(hostname); cat /proc/1/comm']);
  assert.equal(e.status, 0, e.stderr);
  assert.equal(e.stdout, 'in runc\nrunts-init\n');
  assert.equal(sb.state(created).status, 'created');
});

test('the process is in every namespace of the container init, and in its cgroups', { skip }, () => {
  const { id, pid } = running((s) => s.linux.namespaces.push({ type: 'cgroup' }, { type: 'time' }));
  const r = sb.runts(['exec', id, 'sh', '-c', `for n in ${NS.join(' ')}; do readlink /proc/self/ns/$n; done; cat /proc/self/cgroup`]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.deepEqual(lines.slice(0, NS.length), NS.map((n) => readlinkSync(`/proc/${pid}/ns/${n}`)));
  // the init's cgroup namespace: it sees its cgroups as the root, like the init does
  assert.deepEqual(lines.slice(NS.length), readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n').map((l) => l.replace(/:[^:]*$/, ':/')));
});

test('in a container with its own user namespace, the process is in it (and in the others it owns)', { skip }, () => {
  const { id, pid } = running((s) => {
    s.linux.namespaces.push({ type: 'user' }, { type: 'cgroup' }, { type: 'time' });
    s.linux.uidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
    s.linux.gidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
    // sysfs cannot be mounted from a user namespace without its own network namespace owner
    s.mounts = s.mounts.filter((m: Json) => m.destination !== '/sys');
  }, (bundle) => {
    // reachable and owned by the mapped root
    chmodSync(sb.dir, 0o711);
    chmodSync(bundle, 0o711);
    const chownAll = (dir: string): void => {
      chownSync(dir, 200000, 200000);
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) chownAll(p);
        else if (!lstatSync(p).isSymbolicLink()) chownSync(p, 200000, 200000);
      }
    };
    chownAll(join(bundle, 'rootfs'));
  });
  const r = sb.runts(['exec', id, 'sh', '-c', `for n in user ${NS.join(' ')}; do readlink /proc/self/ns/$n; done; id -u; cat /proc/self/uid_map`]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.deepEqual(lines.slice(0, NS.length + 1), ['user', ...NS].map((n) => readlinkSync(`/proc/${pid}/ns/${n}`)));
  assert.equal(lines[NS.length + 1], '0');
  assert.match(lines[NS.length + 2]!, /^\s*0\s+200000\s+65536$/);
});

test('detached: runts returns at once, the pid file (relative to the cwd) holds the host pid', { skip }, async () => {
  const { id, pid } = container();
  const r = sb.runts(['exec', '-d', '--pid-file', 'exec.pid', id, 'sleep', '100'], { cwd: sb.dir });
  assert.equal(r.status, 0, r.stderr);
  const p = Number(readFileSync(join(sb.dir, 'exec.pid'), 'utf8'));
  assert.ok(p > 0);
  assert.equal(readFileSync(`/proc/${p}/cmdline`, 'utf8'), 'sleep\x00100\x00');
  for (const n of NS.filter((x) => x !== 'cgroup' && x !== 'time')) assert.equal(readlinkSync(`/proc/${p}/ns/${n}`), readlinkSync(`/proc/${pid}/ns/${n}`), n);
  assert.equal(readlinkSync(`/proc/${p}/root`), readlinkSync(`/proc/${pid}/root`));
  process.kill(p, 'SIGKILL');
});

test('nothing of the host leaks in: fds, cwd, environment', { skip }, () => {
  const { id } = container();
  // runts itself gets an extra fd (4) that is not --preserve-fds
  const out = join(sb.dir, 'leak.out');
  const outFd = openSync(out, 'w+');
  const extra = openSync('/etc/hostname', 'r');
  try {
    const r = spawnSync(process.execPath, [RUNTS, '--root', sb.root, 'exec', id, 'sh', '-c', 'ls /proc/self/fd; readlink /proc/self/cwd; env | sort'], {
      env: { ...cleanEnv(), LEAKME: 'host' },
      stdio: ['ignore', outFd, 'inherit', 'ignore', extra],
      cwd: '/etc',
    });
    assert.equal(r.status, 0);
  } finally {
    closeSync(outFd);
    closeSync(extra);
  }
  // ls's own directory fd is 3
  assert.equal(readFileSync(out, 'utf8'), '0\n1\n2\n3\n/\nHOME=/root\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nPWD=/\nSHLVL=1\nTERM=xterm\n');
});

test('--preserve-fds passes fds 3.. to the process', { skip }, () => {
  const { id } = container();
  const out = join(sb.dir, 'pfd.out');
  const outFd = openSync(out, 'w+');
  try {
    const r = spawnSync(process.execPath, [RUNTS, '--root', sb.root, 'exec', '--preserve-fds', '1', id, 'sh', '-c', 'ls /proc/self/fd; echo via3 >&3'], {
      env: cleanEnv(),
      stdio: ['ignore', outFd, 'inherit', outFd],
    });
    assert.equal(r.status, 0);
  } finally {
    closeSync(outFd);
  }
  assert.equal(readFileSync(out, 'utf8'), '0\n1\n2\n3\n4\nvia3\n');
});

test('capabilities from config.json, --cap added, --no-new-privs', { skip }, () => {
  const { id } = running((s) => {
    s.process.noNewPrivileges = false;
  });
  const caps = 'grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status';
  let r = sb.runts(['exec', id, 'sh', '-c', caps]);
  assert.equal(r.stdout, 'CapEff:\t0000000020000420\nCapBnd:\t0000000020000420\nNoNewPrivs:\t0\n', r.stderr);
  r = sb.runts(['exec', '--cap', 'CAP_SYS_ADMIN', '-c', 'CAP_NET_RAW', '--no-new-privs', id, 'sh', '-c', caps]);
  assert.equal(r.stdout, 'CapEff:\t0000000020202420\nCapBnd:\t0000000020202420\nNoNewPrivs:\t1\n', r.stderr);
  // a non-root user keeps no capabilities (none are inheritable/ambient)
  r = sb.runts(['exec', '-u', '1000', id, 'sh', '-c', caps]);
  assert.equal(r.stdout, 'CapEff:\t0000000000000000\nCapBnd:\t0000000020000420\nNoNewPrivs:\t0\n', r.stderr);
});

test('exec -t -d --console-socket sends the pty master, made in the container\'s devpts', { skip: skip || !havePython }, async () => {
  const { id } = container();
  const sock = join(sb.dir, 'exec-console.sock');
  const rx = await startConsoleReceiver(sock);
  try {
    const r = sb.runts(['exec', '-t', '-d', '--console-socket', sock, id, 'sh', '-c', 'tty; echo hi']);
    assert.equal(r.status, 0, r.stderr);
    await rx.done();
    const lines = rx.output().trim().split('\n');
    assert.match(lines[1]!, /^name=\/dev\/pts\/\d+$/);
    const name = lines[1]!.slice('name='.length);
    assert.deepEqual(lines.slice(2), ['fds=1', `output=${name}|hi|`]);
  } finally {
    rx.stop();
  }
});

test('exec -t in the foreground relays the pty through runts', { skip }, () => {
  const { id } = container();
  const r = sb.runts(['exec', '-t', id, 'sh', '-c', 'tty; echo hi; exit 3']);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stdout.replace(/\r/g, ''), /^\/dev\/pts\/\d+\nhi\n$/);
});

test('runc side by side: the same exec commands give the same output and status', { skip: skip || !haveRunc }, () => {
  const bundle = sb.bundle(baseSpec(['sleep', '1000']));
  const rc = sb.id('rc');
  const rt = sb.id('rt');
  assert.equal(sb.runc(['run', '-d', '-b', bundle, rc]).status, 0);
  assert.equal(sb.runts(['run', '-d', '-b', bundle, rt]).status, 0);
  const commands: string[][] = [
    ['id'],
    ['env'],
    ['-e', 'FOO=bar', '-e', 'PATH=/bin:/usr/bin', 'env'],
    ['--cwd', '/dev', 'pwd'],
    ['-u', '1000:1000', '-g', '10', 'id'],
    ['-u', '1000', 'env'],
    ['sh', '-c', 'hostname; ls /proc/self/fd; grep -E "^(Cap|NoNewPrivs)" /proc/self/status; ulimit -n; umask'],
    ['--cap', 'CAP_SYS_ADMIN', 'sh', '-c', 'grep -E "^Cap(Eff|Prm|Bnd)" /proc/self/status'],
    ['sh', '-c', 'exit 7'],
    ['sh', '-c', 'kill -TERM $$'],
    ['nosuch'],
    ['--cwd', '/nonexistent', 'true'],
  ];
  for (const cmd of commands) {
    const a = sb.runc(['exec', rc, ...cmd]);
    const b = sb.runts(['exec', rt, ...cmd]);
    assert.equal(b.status, a.status, `status of ${cmd.join(' ')}: ${b.stderr}`);
    assert.equal(b.stdout, a.stdout, `stdout of ${cmd.join(' ')}`);
  }
  for (const target of [rc, rt]) {
    const stop = (target === rc ? sb.runc : sb.runts).call(sb, ['kill', target, 'KILL']);
    assert.equal(stop.status, 0);
  }
});

test('CVE-2019-5736: a container process cannot write runts-init through /proc/<pid>/exe', { skip }, async () => {
  // In the created state the container's pid 1 is runts-init itself, as long
  // as the caller likes: the attacker execs in, opens /proc/1/exe, waits until
  // no runts-init runs any more, and writes through the fd it kept.
  const init = join(REPO, 'dist', 'runts-init');
  const before = sha(init);
  const spec = baseSpec(['sleep', '1000']);
  spec.root.readonly = false;
  // The waiting init is non-dumpable, which alone keeps a process without
  // CAP_SYS_PTRACE out of /proc/1/exe (test/integration/security.test.ts);
  // with it, the sealed copy is what is left to stop the write.
  for (const set of ['bounding', 'effective', 'permitted']) spec.process.capabilities[set].push('CAP_SYS_PTRACE');
  const id = sb.id();
  assert.equal(sb.runts(['create', '-b', sb.bundle(spec), id]).status, 0);
  const pid = sb.state(id).pid as number;
  const shm = `/proc/${pid}/root/dev/shm`;
  const attack = [
    'readlink /proc/1/exe > /dev/shm/exe',
    'exec 3</proc/1/exe && echo opened > /dev/shm/opened',
    'while [ ! -e /dev/shm/go ]; do sleep 0.05; done',
    '(echo pwned >/proc/self/fd/3) 2>/dev/shm/err; echo $? > /dev/shm/rc',
    '(echo pwned >/proc/1/exe) 2>>/dev/shm/err; echo $? >> /dev/shm/rc',
  ].join('; ');
  const r = sb.runts(['exec', '-d', id, 'sh', '-c', attack]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(await waitFor(() => existsSync(`${shm}/opened`)), 'the attacker opened /proc/1/exe');
  assert.equal(sb.runts(['start', id]).status, 0);
  assert.ok(await waitFor(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8') === 'sleep\x001000\x00'));
  writeFileSync(`${shm}/go`, '');
  assert.ok(await waitFor(() => existsSync(`${shm}/rc`) && readFileSync(`${shm}/rc`, 'utf8').split('\n').length > 2));
  const rcs = readFileSync(`${shm}/rc`, 'utf8').trim().split('\n');
  assert.equal(sha(init), before, 'dist/runts-init is unchanged');
  assert.ok(rcs.every((c) => c !== '0'), `a write succeeded: ${readFileSync(`${shm}/err`, 'utf8')}`);
  // what it got hold of was the sealed in-memory copy
  assert.equal(readFileSync(`${shm}/exe`, 'utf8').trim(), '/memfd:runts-init (deleted)');
});

test('CVE-2019-5736: processes being exec\'d are not reachable as runts-init from inside', { skip }, async () => {
  // A container process with CAP_SYS_PTRACE (it may look into every process
  // of the container) watches for runts-init while execs come in.
  const init = join(REPO, 'dist', 'runts-init');
  const before = sha(init);
  const { id, pid } = running((s) => {
    for (const set of ['bounding', 'effective', 'permitted']) s.process.capabilities[set].push('CAP_SYS_PTRACE');
  });
  const shm = `/proc/${pid}/root/dev/shm`;
  const watcher = [
    'touch /dev/shm/seen',
    'while [ ! -e /dev/shm/stop ]; do for p in /proc/[0-9]*; do l=$(readlink $p/exe 2>/dev/null); case "$l" in */busybox|"") ;; *) echo "$l" >> /dev/shm/seen; (echo x > $p/exe) 2>/dev/null && echo WROTE >> /dev/shm/seen;; esac; done; done',
  ].join('; ');
  assert.equal(sb.runts(['exec', '-d', id, 'sh', '-c', watcher]).status, 0);
  assert.ok(await waitFor(() => existsSync(`${shm}/seen`)));
  for (let i = 0; i < 20; i++) assert.equal(sb.runts(['exec', id, 'true']).status, 0);
  writeFileSync(`${shm}/stop`, '');
  const seen = readFileSync(`${shm}/seen`, 'utf8').split('\n').filter((l) => l !== '');
  assert.equal(sha(init), before);
  assert.ok(!seen.includes('WROTE'), `a write went through: ${seen.join(', ')}`);
  // whatever it caught of runts-init was the sealed copy, never the host's file
  for (const l of seen) assert.equal(l, '/memfd:runts-init (deleted)');
});

/** Sends one exec frame to dist/runts-init and returns its first answer. */
async function askInit(plan: unknown): Promise<Json> {
  const child = spawn(join(REPO, 'dist', 'runts-init'), [], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], env: { RUNTS_INIT_FD: '3' } });
  const channel = child.stdio[3] as Duplex;
  let buf = Buffer.alloc(0);
  const answer = new Promise<Json>((resolve, reject) => {
    channel.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const { messages } = decodeFrames(buf);
      if (messages.length > 0) resolve(messages[0]);
    });
    child.once('exit', (code) => setTimeout(() => reject(new Error(`runts-init exited ${code} without an answer`)), 100));
  });
  channel.write(encodeFrame({ type: 'exec', plan }));
  try {
    return await answer;
  } finally {
    child.kill('SIGKILL');
  }
}

test('runts-init: a malformed exec plan is refused naming the field; a stale init is never entered', { skip: existsSync(join(REPO, 'dist', 'runts-init')) ? false : 'no dist/runts-init' }, async () => {
  const { pid } = container();
  const start = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]!;
  const plan: ExecPlan = buildExecPlan({
    id: 'x',
    init: { pid, startTime: start },
    spec: baseSpec(['true']),
    processFile: null,
    overrides: { ...NO_OVERRIDES, args: ['true'] },
    consoleSocket: null,
    detach: true,
    preserveFds: 0,
    cgroupProcs: [],
    lsm: { apparmor: false, selinux: false },
    bundle: '/',
    status: 'running',
  });
  let a = await askInit({ ...plan, initStartTime: 'soon' });
  assert.equal(a.type, 'error');
  assert.equal(a.message, 'plan: initStartTime: expected a decimal string');
  a = await askInit({ ...plan, namespaces: [{ type: 'net', path: '/proc/1/ns/net' }] });
  assert.equal(a.message, 'plan: namespaces[0].type: unknown namespace type "net"');
  a = await askInit({ ...plan, cpuAffinity: { initial: [8192], final: [] } });
  assert.equal(a.message, 'plan: cpuAffinity.initial[0]: out of range');
  a = await askInit({ ...plan, process: { ...plan.process, scheduler: { policy: 1, flags: 0, nice: 0, priority: 1, runtime: 0, deadline: '0', period: '0' } } });
  assert.equal(a.message, 'plan: process.scheduler.runtime: expected a string');
  a = await askInit({ ...plan, version: 99 });
  assert.equal(a.message, `plan: version: unsupported exec plan version 99 (runts-init speaks ${EXEC_PLAN_VERSION})`);
  // the pid is the init's, but not the process runts recorded: a reused pid
  a = await askInit({ ...plan, initStartTime: String(Number(start) + 1) });
  assert.deepEqual([a.type, a.message], ['error', `container init: ${pid}: the container's init process has exited`]);
  a = await askInit(plan);
  assert.equal(a.type, 'created');
});
