// runts-init on its own: plans written by hand, the plan frame sent the way
// runts sends it, the verdict read back, the exec fifo opened to start the
// container, and what the container sees checked from its output. Needs
// root and dist/runts-init (npm run build:native).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  constants as fsc,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { decodeFrames, encodeFrame } from '../../src/container/protocol.ts';
import { PLAN_VERSION, type InitPlan, type PlanDevice, type PlanMount } from '../../src/plan/types.ts';

const REPO = resolve(import.meta.dirname, '..', '..');
const INIT = join(REPO, 'dist', 'runts-init');
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
const SKIP =
  process.getuid?.() !== 0 ? 'needs root' : !existsSync(INIT) ? 'dist/runts-init missing: npm run build:native' : !BUSYBOX ? 'needs busybox-static' : false;

// mount(2) flags (ABI values).
const MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_BIND = 4096, MS_REC = 16384, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19, MS_SHARED = 1 << 20, MS_STRICTATIME = 1 << 24;

const PYTHON = ['/usr/bin/python3', '/usr/local/bin/python3', ...(process.env.PATH ?? '').split(':').map((d) => join(d, 'python3'))].find((p) => existsSync(p));

/** Accepts one connection on argv[1], receives the pty master, prints the slave name, then relays the master until EIO. */
const CONSOLE_RECEIVER = `
import array, os, socket, sys
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sys.argv[1]); srv.listen(1)
conn, _ = srv.accept()
fds = array.array('i')
msg, anc, _, _ = conn.recvmsg(1024, socket.CMSG_SPACE(fds.itemsize))
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(data[:fds.itemsize])
print('name=' + msg.decode(), flush=True)
while True:
    try:
        chunk = os.read(fds[0], 4096)
    except OSError:
        break
    if not chunk:
        break
    sys.stdout.write(chunk.decode()); sys.stdout.flush()
`;

const APPLETS = ['sh', 'echo', 'cat', 'ls', 'id', 'hostname', 'sleep', 'true', 'false', 'mount', 'stat', 'touch', 'readlink', 'pwd', 'grep', 'tty', 'dd', 'wc', 'env', 'sysctl', 'head', 'ulimit', 'stty'];

/** A scratch directory with a busybox rootfs; everything under it is removed by cleanup(). */
class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'runts-init-it-'));
  readonly rootfs = join(this.dir, 'rootfs');
  private n = 0;

  constructor() {
    for (const d of ['bin', 'proc', 'dev', 'tmp', 'etc', 'sys']) mkdirSync(join(this.rootfs, d), { recursive: true });
    copyFileSync(BUSYBOX!, join(this.rootfs, 'bin', 'busybox'));
    chmodSync(join(this.rootfs, 'bin', 'busybox'), 0o755);
    for (const a of APPLETS) symlinkSync('busybox', join(this.rootfs, 'bin', a));
  }

  fifo(): string {
    return join(this.dir, `exec${this.n++}.fifo`);
  }
}

const dev = (path: string, major: number, minor: number): PlanDevice => ({ path, type: 'c', major, minor, fileMode: 0o666, uid: 0, gid: 0 });

const mnt = (destination: string, fstype: string, source: string, flags: number, data = ''): PlanMount => ({
  destination,
  source,
  fstype,
  bind: false,
  flags,
  propagation: [],
  data,
  createAs: 'dir',
  attrSet: 0,
  attrClr: 0,
  attrRecursive: false,
  idmap: null,
});

/** A minimal valid plan: new pid/mount/uts/ipc namespaces, /proc, /dev (tmpfs + devpts), default devices. */
function basePlan(s: Scratch, args: string[], edit: (p: InitPlan) => void = () => {}): InitPlan {
  const plan: InitPlan = {
    version: PLAN_VERSION,
    id: `it-${process.pid}`,
    rootfs: s.rootfs,
    readonlyRootfs: false,
    rootfsPropagation: MS_SLAVE | MS_REC,
    rootPropagation: 0,
    noPivot: false,
    namespaces: [{ type: 'pid', path: null }, { type: 'mount', path: null }, { type: 'uts', path: null }, { type: 'ipc', path: null }],
    uidMappings: [],
    gidMappings: [],
    timeOffsets: [],
    mounts: [
      mnt('/proc', 'proc', 'proc', MS_NOSUID | MS_NODEV | MS_NOEXEC),
      mnt('/dev', 'tmpfs', 'tmpfs', MS_NOSUID | MS_STRICTATIME, 'mode=755,size=65536k'),
      mnt('/dev/pts', 'devpts', 'devpts', MS_NOSUID | MS_NOEXEC, 'newinstance,ptmxmode=0666,mode=0620'),
    ],
    setupDevLinks: true,
    devices: [dev('/dev/null', 1, 3), dev('/dev/zero', 1, 5), dev('/dev/full', 1, 7), dev('/dev/random', 1, 8), dev('/dev/urandom', 1, 9), dev('/dev/tty', 5, 0)],
    bindDevices: false,
    hostname: 'runts-test',
    domainname: null,
    sysctl: [],
    maskedPaths: [],
    readonlyPaths: [],
    maskDirData: '',
    personality: null,
    memoryPolicy: null,
    process: {
      args,
      env: ['PATH=/bin', 'HOME=/'],
      setHome: false,
      cwd: '/',
      uid: 0,
      gid: 0,
      additionalGids: [],
      umask: null,
      rlimits: [],
      oomScoreAdj: null,
      noNewPrivileges: false,
      capabilities: null,
      terminal: false,
      consoleSize: null,
      scheduler: null,
      ioPriority: null,
      apparmorProfile: null,
      selinuxLabel: null,
    },
    execFifo: s.fifo(),
    consoleSocket: null,
    foreground: false,
    preserveFds: 0,
    noNewKeyring: true,
    pauseForRuntimeHooks: false,
    createContainerHooks: [],
    startContainerHooks: [],
    hookState: { ociVersion: '1.3.0', bundle: s.dir, annotations: {} },
    seccomp: null,
    cgroupProcs: [],
    cloneIntoCgroup: null,
  };
  edit(plan);
  return plan;
}

type Reply = { type: 'created'; pid: number } | { type: 'error'; step: string; target: string; errno: number; message: string };

interface Run {
  /** runts-init itself. */
  child: ChildProcess;
  reply: Reply;
  /** Everything the container (and runts-init) wrote to stdout/stderr, complete once both streams close. */
  output: Promise<{ stdout: string; stderr: string }>;
  exit: Promise<number | null>;
}

/** Every runts-init started, and every container pid reported, for cleanup. */
const started: ChildProcess[] = [];
const containers: number[] = [];
/** Marks runts-init and (before its exec) the container init in /proc/<pid>/environ. */
const MARK = `RUNTS_INIT_TEST_MARK=${process.pid}-${Date.now()}`;

/** Spawns runts-init as runts does and sends `raw` (default: the plan frame); resolves with its one reply. */
function startInit(plan: InitPlan | null, opts: { extraFds?: number[]; raw?: Buffer; stdin?: 'pipe' | 'ignore' } = {}): Promise<Run> {
  const extra = opts.extraFds ?? [];
  const channelFd = 3 + extra.length;
  const [markKey, markValue] = MARK.split('=') as [string, string];
  const child = spawn(INIT, [], {
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe', ...extra, 'pipe'],
    env: { RUNTS_INIT_FD: String(channelFd), [markKey]: markValue },
  });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const closed = (s: NodeJS.ReadableStream): Promise<void> => new Promise((r) => s.once('close', () => r()));
  const output = Promise.all([closed(child.stdout!), closed(child.stderr!)]).then(() => ({ stdout, stderr }));
  const exit = new Promise<number | null>((r) => child.once('exit', (code, sig) => r(code ?? (sig ? -1 : null))));
  const channel = child.stdio[channelFd] as Duplex;
  channel.on('error', () => {});
  channel.write(opts.raw ?? encodeFrame({ type: 'plan', plan }));
  return new Promise<Run>((resolveRun, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    channel.on('data', (chunk: Buffer) => {
      const { messages, rest } = decodeFrames(Buffer.concat([buf, chunk]));
      buf = rest;
      const reply = messages[0] as Reply | undefined;
      if (!reply) return;
      if (reply.type === 'created') containers.push(reply.pid);
      resolveRun({ child, reply, output, exit });
    });
    void exit.then((code) => setTimeout(() => reject(new Error(`runts-init exited (${code}) without a reply; stderr: ${stderr}`)), 200));
  });
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What `runts start` does: open the fifo for reading and wait for the container init's byte. */
async function startContainer(fifo: string, pid: number): Promise<void> {
  const fd = openSync(fifo, fsc.O_RDONLY | fsc.O_NONBLOCK);
  try {
    const one = Buffer.alloc(1);
    for (let i = 0; i < 1000; i++) {
      try {
        if (readSync(fd, one, 0, 1, null) === 1) return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      }
      if (!alive(pid)) throw new Error(`container init ${pid} died before starting`);
      await sleep(10);
    }
    throw new Error('container init never wrote to the exec fifo');
  } finally {
    closeSync(fd);
  }
}

/** Creates, starts and waits for a container; returns its output. */
async function runToEnd(plan: InitPlan, opts: { extraFds?: number[] } = {}): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const run = await startInit(plan, opts);
  assert.equal(run.reply.type, 'created', `create failed: ${JSON.stringify(run.reply)}`);
  if (run.reply.type !== 'created') throw new Error('unreachable');
  await startContainer(plan.execFifo, run.reply.pid);
  const out = await run.output;
  return { ...out, code: await run.exit };
}

/** Pids whose environment carries this run's mark: runts-init or a container init that never exec'd. */
function markedPids(): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(MARK) && alive(Number(name))) found.push(Number(name));
    } catch {
      // gone, or a kernel thread
    }
  }
  return found;
}

describe('runts-init', { skip: SKIP, timeout: 120_000 }, () => {
  let s: Scratch;
  before(() => {
    s = new Scratch();
    // The mapped root of the user-namespace test must be able to reach the rootfs.
    chmodSync(s.dir, 0o755);
  });
  after(() => {
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const pid of containers) {
      try {
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (s) rmSync(s.dir, { recursive: true, force: true });
  });

  test('creates, waits on the fifo, and runs the process with the planned identity', async () => {
    const plan = basePlan(s, ['sh', '-c', 'echo pid=$$; hostname; id; pwd; echo foo=$FOO; umask; for l in ptmx fd stdout; do readlink /dev/$l; done; grep -c _ses.it- /proc/keys'], (p) => {
      p.process.env.push('FOO=bar baz');
      p.process.cwd = '/work/here';
      p.process.uid = 1000;
      p.process.gid = 1001;
      p.process.additionalGids = [1002, 1003];
      p.process.umask = 0o027;
      p.noNewKeyring = false;
    });
    const run = await startInit(plan);
    assert.equal(run.reply.type, 'created', JSON.stringify(run.reply));
    if (run.reply.type !== 'created') return;
    // Detached: runts-init is done once it has reported; the container waits.
    assert.equal(await run.exit, 0);
    assert.ok(alive(run.reply.pid), 'container init is waiting on the fifo');
    assert.ok(existsSync(plan.execFifo));
    await startContainer(plan.execFifo, run.reply.pid);
    const { stdout, stderr } = await run.output;
    assert.equal(stderr, '');
    assert.deepEqual(stdout.trim().split('\n'), [
      'pid=1',
      'runts-test',
      'uid=1000 gid=1001 groups=1002,1003',
      '/work/here',
      'foo=bar baz',
      '0027',
      'pts/ptmx',
      '/proc/self/fd',
      '/proc/self/fd/1',
      '1',
    ]);
  });

  test('mounts /proc, /dev and the default devices', async () => {
    const plan = basePlan(s, ['sh', '-c', "grep -E ' /(proc|dev|dev/pts) ' /proc/self/mounts | while read a b c d e; do echo $b $c; done; for d in null zero full random urandom tty; do stat -c '%n %F %t:%T %a %u:%g' /dev/$d; done; echo x > /dev/null && head -c 3 /dev/zero | wc -c"]);
    const { stdout, code } = await runToEnd(plan);
    assert.equal(code, 0);
    const lines = stdout.trim().split('\n');
    assert.deepEqual(lines.slice(0, 3), ['/proc proc', '/dev tmpfs', '/dev/pts devpts']);
    assert.deepEqual(lines.slice(3, 9), [
      '/dev/null character special file 1:3 666 0:0',
      '/dev/zero character special file 1:5 666 0:0',
      '/dev/full character special file 1:7 666 0:0',
      '/dev/random character special file 1:8 666 0:0',
      '/dev/urandom character special file 1:9 666 0:0',
      '/dev/tty character special file 5:0 666 0:0',
    ]);
    assert.equal(lines[9], '3');
  });

  test('bind mounts with remount flags, masked paths, read-only paths and a read-only rootfs', async () => {
    const host = join(s.dir, 'hostdata');
    mkdirSync(host, { recursive: true });
    writeFileSync(join(host, 'file'), 'from the host\n');
    mkdirSync(join(s.rootfs, 'secret'), { recursive: true });
    writeFileSync(join(s.rootfs, 'secret', 'inside'), 'hidden\n');
    writeFileSync(join(s.rootfs, 'etc', 'secret-file'), 'hidden\n');
    mkdirSync(join(s.rootfs, 'ro'), { recursive: true });
    const plan = basePlan(
      s,
      [
        'sh',
        '-c',
        [
          'cat /data/file',
          'touch /data/new 2>/dev/null && echo data-writable || echo data-readonly',
          'ls /secret | wc -l',
          'cat /etc/secret-file | wc -c',
          'touch /ro/x 2>/dev/null && echo ro-writable || echo ro-readonly',
          'touch /rootfile 2>/dev/null && echo root-writable || echo root-readonly',
          'touch /dev/shm-ok && echo dev-writable',
          'cat /proc/sys/kernel/shmmni',
          'echo 1 > /proc/sys/kernel/shmmni 2>/dev/null && echo sys-writable || echo sys-readonly',
          'ls /nothing-here 2>&1 | wc -l',
        ].join('; '),
      ],
      (p) => {
        p.mounts.push({ ...mnt('/data', '', host, MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID), bind: true, propagation: [MS_PRIVATE] });
        p.maskedPaths = ['/secret', '/etc/secret-file', '/does/not/exist'];
        p.readonlyPaths = ['/ro', '/proc/sys', '/not/there/either'];
        p.readonlyRootfs = true;
        p.sysctl = [{ key: 'kernel.shmmni', value: '1234' }];
      },
    );
    const { stdout, stderr, code } = await runToEnd(plan);
    assert.equal(code, 0, stderr);
    assert.deepEqual(stdout.trim().split('\n'), [
      'from the host',
      'data-readonly',
      '0',
      '0',
      'ro-readonly',
      'root-readonly',
      'dev-writable',
      '1234',
      'sys-readonly',
      '1',
    ]);
    assert.ok(!existsSync(join(host, 'new')));
  });

  test('a symlink in the rootfs cannot make a mount or a created path land on the host', async () => {
    const onHost = join(tmpdir(), `runts-init-escape-${process.pid}-${Date.now()}`);
    const onHostFile = `${onHost}-file`;
    const existing = mkdtempSync(join(tmpdir(), 'runts-init-escape-dir-'));
    try {
      symlinkSync(onHost, join(s.rootfs, 'evil'));
      symlinkSync(onHostFile, join(s.rootfs, 'evil-file'));
      symlinkSync(existing, join(s.rootfs, 'evil-existing'));
      symlinkSync('../../../../../../..' + existing, join(s.rootfs, 'evil-dotdot'));
      const src = join(s.dir, 'bind-src-file');
      writeFileSync(src, 'bound\n');
      const plan = basePlan(s, ['sh', '-c', 'grep -c runts-init-escape /proc/self/mounts; cat /evil-file'], (p) => {
        p.mounts.push(mnt('/evil/x', 'tmpfs', 'tmpfs', 0));
        p.mounts.push({ ...mnt('/evil-file', '', src, MS_BIND), bind: true, createAs: 'file' });
        p.mounts.push(mnt('/evil-existing/sub', 'tmpfs', 'tmpfs', 0));
        p.mounts.push(mnt('/evil-dotdot/sub2', 'tmpfs', 'tmpfs', 0));
      });
      const { stdout, stderr, code } = await runToEnd(plan);
      assert.equal(code, 0, stderr);
      // All four mounts exist, at the symlinks' targets taken inside the rootfs.
      assert.deepEqual(stdout.trim().split('\n'), ['4', 'bound']);
      assert.ok(!existsSync(onHost), `${onHost} was created on the host`);
      assert.ok(!existsSync(onHostFile), `${onHostFile} was created on the host`);
      assert.deepEqual(readdirSync(existing), [], 'nothing was created in the host directory');
      assert.ok(existsSync(join(s.rootfs, onHost, 'x')), 'the destination was created inside the rootfs');
      assert.ok(existsSync(join(s.rootfs, existing, 'sub2')));
    } finally {
      rmSync(onHost, { recursive: true, force: true });
      rmSync(onHostFile, { force: true });
      rmSync(existing, { recursive: true, force: true });
    }
  });

  test('a failing mount is reported with errno and context, leaving no process and no fifo', async () => {
    const plan = basePlan(s, ['true'], (p) => p.mounts.push(mnt('/mnt/bad', 'no-such-fs-type', 'none', 0)));
    const run = await startInit(plan);
    assert.deepEqual(run.reply, { type: 'error', step: 'mount', target: '/mnt/bad', errno: 19, message: 'mount: /mnt/bad: No such device' });
    assert.equal(await run.exit, 1);
    assert.ok(!existsSync(plan.execFifo), 'the exec fifo was removed');
    assert.deepEqual(markedPids(), [], 'no runts-init or container init is left');
  });

  test('when runts is gone before hearing "created", the container is torn down', async () => {
    const plan = basePlan(s, ['true']);
    const [markKey, markValue] = MARK.split('=') as [string, string];
    const child = spawn(INIT, [], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], env: { RUNTS_INIT_FD: '3', [markKey]: markValue } });
    started.push(child);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const channel = child.stdio[3] as Duplex;
    channel.on('error', () => {});
    // The plan stays readable after our end closes; the reply cannot be delivered.
    channel.end(encodeFrame({ type: 'plan', plan }));
    channel.destroy();
    assert.equal(await exit, 1);
    assert.match(stderr, /^runts-init: send created: /);
    assert.ok(!existsSync(plan.execFifo));
    assert.deepEqual(markedPids(), []);
  });

  test('a missing executable fails at create', async () => {
    const plan = basePlan(s, ['no-such-binary', 'arg']);
    const run = await startInit(plan);
    assert.deepEqual(run.reply, {
      type: 'error',
      step: 'exec',
      target: 'no-such-binary',
      errno: 2,
      message: 'exec: no-such-binary: executable file not found in $PATH',
    });
    assert.equal(await run.exit, 1);
    assert.ok(!existsSync(plan.execFifo));

    const plan2 = basePlan(s, ['/etc/passwd-missing']);
    const run2 = await startInit(plan2);
    assert.equal(run2.reply.type, 'error');
    assert.equal(run2.reply.type === 'error' && run2.reply.message, 'exec: /etc/passwd-missing: No such file or directory');
  });

  test('foreground: the exit code and a deadly signal are propagated', async () => {
    const plan = basePlan(s, ['sh', '-c', 'echo out; exit 3'], (p) => (p.foreground = true));
    const r = await runToEnd(plan);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'out\n');

    const plan2 = basePlan(s, ['sleep', '100'], (p) => (p.foreground = true));
    const run = await startInit(plan2);
    assert.equal(run.reply.type, 'created');
    if (run.reply.type !== 'created') return;
    await startContainer(plan2.execFifo, run.reply.pid);
    // runts-init waits for its child in the foreground.
    await sleep(50);
    assert.equal(run.child.exitCode, null);
    process.kill(run.reply.pid, 'SIGKILL');
    assert.equal(await run.exit, 137);
  });

  test('foreground with a terminal: runts-init relays the pty', async () => {
    const plan = basePlan(s, ['sh', '-c', 'tty; stty size; echo done'], (p) => {
      p.foreground = true;
      p.process.terminal = true;
      p.process.consoleSize = { height: 33, width: 101 };
      p.mounts[2]!.data = 'newinstance,ptmxmode=0666,mode=0620';
    });
    const r = await runToEnd(plan);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.replace(/\r/g, '').trim().split('\n'), ['/dev/pts/0', '33 101', 'done']);
  });

  test('a console socket receives the pty master and the slave name', { skip: PYTHON ? false : 'needs python3' }, async () => {
    const sock = join(s.dir, 'console.sock');
    // Node cannot receive SCM_RIGHTS; python3 plays the caller's console receiver.
    const receiver = spawn(PYTHON!, ['-c', CONSOLE_RECEIVER, sock], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(receiver);
    let out = '';
    receiver.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const done = new Promise((r) => receiver.once('exit', r));
    for (let i = 0; i < 500 && !existsSync(sock); i++) await sleep(10);
    const plan = basePlan(s, ['sh', '-c', 'tty; stty size; echo hi'], (p) => {
      p.process.terminal = true;
      p.process.consoleSize = { height: 40, width: 120 };
      p.consoleSocket = sock;
    });
    const r = await runToEnd(plan);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '', 'stdio went to the pty');
    await done;
    assert.deepEqual(out.replace(/\r/g, '').trim().split('\n'), ['name=/dev/pts/0', '/dev/pts/0', '40 120', 'hi']);
  });

  test('cgroup mounts: per-hierarchy binds, or fresh mounts in a cgroup namespace, read-only', async () => {
    // v1: a directory per hierarchy; v2 (a pure v2 host): the one cgroup2 tree.
    const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
    const script = v2
      ? 'test -e /sys/fs/cgroup/cgroup.controllers && echo v2; touch /sys/fs/cgroup/x 2>/dev/null || echo ro; test -e /sys/fs/cgroup/cgroup.procs && echo procs-ok'
      : 'ls /sys/fs/cgroup | grep -cE "^(memory|pids|cpu)$"; touch /sys/fs/cgroup/x 2>/dev/null || echo ro; test -e /sys/fs/cgroup/pids/pids.max -o -e /sys/fs/cgroup/pids/cgroup.procs && echo pids-ok';
    for (const cgroupns of [false, true]) {
      const plan = basePlan(s, ['sh', '-c', script], (p) => {
        if (cgroupns) p.namespaces.push({ type: 'cgroup', path: null });
        p.mounts.push(mnt('/sys/fs/cgroup', 'cgroup', 'cgroup', MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY));
      });
      const r = await runToEnd(plan);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split('\n'), v2 ? ['v2', 'ro', 'procs-ok'] : ['3', 'ro', 'pids-ok'], `cgroupns=${cgroupns}`);
    }
  });

  test('cgroups: the init is cloned into a cgroup v2 directory (CLONE_INTO_CGROUP), or placed by pid; runts-init stays out', async () => {
    // The hybrid host's unified tree is a real cgroup2 mount; a pure v2 host
    // has it at /sys/fs/cgroup. Directories are made below our own cgroup.
    // Without cgroupProcs, only the clone itself can have put the init there.
    const mount = ['/sys/fs/cgroup/unified', '/sys/fs/cgroup'].find((m) => existsSync(join(m, 'cgroup.procs')) && existsSync(join(m, 'cgroup.controllers')));
    const own = /^0::(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1];
    if (mount === undefined || own === undefined) return; // no cgroup2 mount here
    const dirs = ['clone', 'write'].map((k) => join(mount, own, `it-${process.pid}-${k}`));
    for (const d of dirs) mkdirSync(d);
    try {
      const show = ['sh', '-c', 'grep "^0::" /proc/self/cgroup'];
      let r = await runToEnd(basePlan(s, show, (p) => (p.cloneIntoCgroup = dirs[0]!)));
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), `0::${join(own, `it-${process.pid}-clone`)}`);
      r = await runToEnd(basePlan(s, show, (p) => (p.cgroupProcs = [join(dirs[1]!, 'cgroup.procs')])));
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), `0::${join(own, `it-${process.pid}-write`)}`);
    } finally {
      for (const d of dirs) rmdirSync(d);
    }
  });

  test('devices replace what the rootfs has at their path', async () => {
    mkdirSync(join(s.rootfs, 'dev', 'sub'), { recursive: true });
    writeFileSync(join(s.rootfs, 'dev', 'null'), 'not a device\n');
    const plan = basePlan(s, ['sh', '-c', 'stat -c "%F %t:%T %a %u:%g" /dev/null /dev/sub/fifo /dev/made/here'], (p) => {
      // No /dev mount: the nodes go into the rootfs' own /dev.
      p.mounts = p.mounts.filter((m) => m.destination === '/proc');
      p.setupDevLinks = false;
      p.devices = [
        { ...dev('/dev/null', 1, 3), fileMode: 0o640, uid: 12, gid: 34 },
        { path: '/dev/sub/fifo', type: 'p', major: 0, minor: 0, fileMode: 0o600, uid: 0, gid: 0 },
        dev('/dev/made/here', 1, 5),
      ];
    });
    const r = await runToEnd(plan);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [
      'character special file 1:3 640 12:34',
      'fifo 0:0 600 0:0',
      'character special file 1:5 666 0:0',
    ]);
    rmSync(join(s.rootfs, 'dev'), { recursive: true, force: true });
    mkdirSync(join(s.rootfs, 'dev'));
  });

  test('shared rootfs propagation still allows pivot_root', async () => {
    const plan = basePlan(s, ['sh', '-c', 'echo ok'], (p) => (p.rootfsPropagation = MS_SHARED | MS_REC));
    const r = await runToEnd(plan);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'ok\n');
  });

  test('per-mount propagation survives the root switch', async () => {
    for (const noPivot of [false, true]) {
      const plan = basePlan(s, ['sh', '-c', 'grep " /data " /proc/self/mountinfo'], (p) => {
        p.noPivot = noPivot;
        p.rootfsPropagation = MS_PRIVATE | MS_REC;
        p.mounts.push({ ...mnt('/data', 'tmpfs', 'tmpfs', 0), propagation: [MS_SHARED | MS_REC] });
      });
      const r = await runToEnd(plan);
      assert.equal(r.code, 0, r.stderr);
      // Optional fields sit between the mount options and " - ".
      assert.match(r.stdout.split(' - ')[0]!, / shared:\d+$/, `noPivot=${noPivot}: ${r.stdout}`);
    }
  });

  test('preserved fds reach the container and nothing else does', async () => {
    const side = join(s.dir, 'preserved.txt');
    const fd = openSync(side, 'w');
    try {
      const plan = basePlan(s, ['sh', '-c', 'echo via-fd3 >&3; ls /proc/self/fd | wc -l'], (p) => (p.preserveFds = 1));
      const r = await runToEnd(plan, { extraFds: [fd] });
      assert.equal(r.code, 0, r.stderr);
      // 0, 1, 2, 3 and the directory ls is reading.
      assert.equal(r.stdout.trim(), '5');
      assert.equal(readFileSync(side, 'utf8'), 'via-fd3\n');
    } finally {
      closeSync(fd);
    }
  });

  test('closed stdio of runts-init becomes /dev/null in the container, not one of its fds', async () => {
    const plan = basePlan(s, ['sh', '-c', 'readlink /proc/self/fd/0 >&2'], (p) => (p.foreground = true));
    const [markKey, markValue] = MARK.split('=') as [string, string];
    // stdin closed, stdout closed; stderr is how the container reports.
    const child = spawn('/bin/sh', ['-c', 'exec 0<&- 1>&-; exec "$0"', INIT], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], env: { RUNTS_INIT_FD: '3', [markKey]: markValue } });
    started.push(child);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const closed = new Promise((r) => child.stderr!.once('close', r));
    const channel = child.stdio[3] as Duplex;
    channel.on('error', () => {});
    const reply = new Promise<Reply>((r) => channel.once('data', (d: Buffer) => r(decodeFrames(d).messages[0] as Reply)));
    channel.write(encodeFrame({ type: 'plan', plan }));
    const rep = await reply;
    assert.equal(rep.type, 'created', JSON.stringify(rep));
    if (rep.type !== 'created') return;
    containers.push(rep.pid);
    await startContainer(plan.execFifo, rep.pid);
    assert.equal(await exit, 0);
    await closed;
    assert.equal(stderr, '/dev/null\n');
  });

  test('capabilities, no_new_privs and rlimits are applied', async () => {
    const plan = basePlan(s, ['sh', '-c', 'grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)" /proc/self/status; ulimit -n; ulimit -Hn'], (p) => {
      p.process.uid = 1000;
      p.process.gid = 1000;
      // CAP_CHOWN(0), CAP_KILL(5), CAP_NET_BIND_SERVICE(10); 63 is unknown to the kernel and skipped.
      p.process.capabilities = { bounding: [0, 5, 10, 63], effective: [5, 10], permitted: [5, 10], inheritable: [10], ambient: [10, 5] };
      p.process.noNewPrivileges = true;
      p.process.rlimits = [{ resource: 7, soft: '512', hard: '1024' }];
    });
    const r = await runToEnd(plan);
    assert.equal(r.code, 0, r.stderr);
    // After the exec as uid 1000 (no file capabilities) only the ambient
    // set survives into permitted/effective; 5 could not become ambient
    // (not inheritable), which is not an error.
    assert.deepEqual(r.stdout.trim().split('\n'), [
      'CapInh:\t0000000000000400',
      'CapPrm:\t0000000000000400',
      'CapEff:\t0000000000000400',
      'CapBnd:\t0000000000000421',
      'CapAmb:\t0000000000000400',
      'NoNewPrivs:\t1',
      '512',
      '1024',
    ]);
  });

  test('a user namespace: id maps written, devices bind-mounted, fifo owned by the mapped root', async () => {
    const plan = basePlan(s, ['sh', '-c', 'id -u; cat /proc/self/uid_map; stat -c "%t:%T" /dev/null; echo x > /dev/null && echo null-ok'], (p) => {
      p.namespaces.unshift({ type: 'user', path: null });
      p.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      p.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      p.mounts[2]!.data = 'newinstance,ptmxmode=0666,mode=0620';
    });
    const run = await startInit(plan);
    assert.equal(run.reply.type, 'created', JSON.stringify(run.reply));
    if (run.reply.type !== 'created') return;
    const st = (await import('node:fs')).statSync(plan.execFifo);
    assert.equal(st.uid, 100000);
    assert.equal((st.mode & 0o777).toString(8), '622');
    await startContainer(plan.execFifo, run.reply.pid);
    const { stdout, stderr } = await run.output;
    assert.equal(stderr, '');
    assert.deepEqual(stdout.trim().split('\n').map((l) => l.trim().replace(/\s+/g, ' ')), ['0', '0 100000 65536', '1:3', 'null-ok']);
  });

  test('a time namespace gets its offsets before the container starts', async () => {
    const plan = basePlan(s, ['sh', '-c', 'cat /proc/uptime'], (p) => {
      p.namespaces.push({ type: 'time', path: null });
      p.timeOffsets = [{ clock: 'boottime', secs: 86400 * 365, nanosecs: 0 }];
    });
    const r = await runToEnd(plan);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Number(r.stdout.split(' ')[0]) > 86400 * 365, r.stdout);
  });

  test('noPivot uses MS_MOVE and chroot', async () => {
    const plan = basePlan(s, ['sh', '-c', 'ls /bin/busybox && cat /proc/self/mountinfo | grep -c " / "'], (p) => (p.noPivot = true));
    const r = await runToEnd(plan);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\/bin\/busybox\n/);
  });

  test('a bad plan or frame is refused with a message naming the problem', async () => {
    const plan = basePlan(s, ['true']) as unknown as { process: Record<string, unknown>; version: number };
    delete plan.process.cwd;
    const r1 = await startInit(plan as unknown as InitPlan);
    assert.deepEqual(r1.reply, { type: 'error', step: 'plan', target: 'process.cwd', errno: 22, message: 'plan: process.cwd: missing field' });

    const p2 = basePlan(s, ['true']);
    (p2 as unknown as { version: number }).version = 99;
    const r2 = await startInit(p2);
    assert.equal(r2.reply.type === 'error' && r2.reply.target, 'version');
    assert.match(r2.reply.type === 'error' ? r2.reply.message : '', /^plan: version: unsupported plan version 99/);

    const r3 = await startInit(null, { raw: encodeFrame({ type: 'created', pid: 1 }) });
    assert.equal(r3.reply.type === 'error' && r3.reply.message, 'protocol: unexpected message created in start');
    assert.ok(!existsSync(p2.execFifo));
  });
});
