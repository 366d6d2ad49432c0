// containerd drives runts through its own shim, containerd-shim-runts-v2
// (runtime io.containerd.runts.v2), which calls the runts library in-process:
// ctr run --rm with output and exit status, a detached task with exec,
// terminals (ctr run -t, ctr task exec -t, under script for a tty),
// ps, pause/resume, metrics, kill and delete, a shim killed with SIGKILL
// (containerd's delete action), and nothing left behind (containers, runts state,
// cgroups, mounts, shim processes). A private containerd as in
// containerd.test.ts, with a temp dir holding the shim binary prepended to
// its PATH. Skips when containerd is not installed; kills containerd and
// removes everything even on failure.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, REPO, waitFor } from './helpers.ts';
import { BUSYBOX_IMAGE, runtsShimContainerd } from '../containerd-harness.ts';

const SHIM = join(REPO, 'dist', 'containerd-shim-runts-v2.js');
const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const skip = !existsSync(SHIM) ? 'dist/containerd-shim-runts-v2.js is not built' : !have('containerd') || !have('ctr') ? 'containerd or ctr is not installed' : false;

const NS = `runts-shim-it-${process.pid}`;
const IMAGE = BUSYBOX_IMAGE;
const RUN = ['--runtime', 'io.containerd.runts.v2'];
const RUNTIME_ROOT = `/run/containerd/runts/${NS}`;

const ctd = runtsShimContainerd(NS, 'runts-shim-');
let dir = '';

const ctr = (args: string[], timeout = 60_000): SpawnSyncReturns<string> => ctd.ctr(args, timeout);

const must = (args: string[]): string => ctd.must(args);

const tasks = (): Map<string, string> => ctd.tasks();
const mountsUnder = (path: string): string[] => ctd.mountsUnder(path);
/** The namespace's cgroup directories, below ones first. */
const cgroupDirs = (): string[] => {
  const { top, children } = ctd.cgroupDirs();
  return [...children, ...top];
};
/** Our shim servers: the ones started for this containerd (its address is on their command line). */
const shimPids = (): number[] => ctd.shimPids();

async function startContainerd(): Promise<void> {
  await ctd.start();
  dir = ctd.dir;
}

const stopContainerd = (): Promise<void> => ctd.stop();

function assertNothingLeft(): void {
  assert.equal(must(['container', 'ls', '-q']).trim(), '');
  assert.equal(tasks().size, 0);
  assert.deepEqual(existsSync(RUNTIME_ROOT) ? readdirSync(RUNTIME_ROOT) : [], []);
  assert.deepEqual(cgroupDirs().filter((d) => !d.endsWith(`/${NS}`)), []);
  assert.deepEqual(mountsUnder(dir), []);
}

/** Kills and deletes a task and its container; then nothing may be left, not even its shim. */
async function removeTask(id: string): Promise<void> {
  must(['task', 'kill', '-s', 'SIGKILL', id]);
  assert.ok(await waitFor(() => tasks().get(id) === 'STOPPED', 10_000), `status ${tasks().get(id)}`);
  must(['task', 'delete', id]);
  must(['container', 'delete', id]);
  assertNothingLeft();
  assert.ok(await waitFor(() => shimPids().length === 0, 5000), `shims left: ${shimPids().join(' ')}`);
}

describe('containerd with containerd-shim-runts-v2 (io.containerd.runts.v2)', { skip }, () => {
  before(startContainerd);
  after(stopContainerd);
  // A failed test must not fail the next ones through what it left.
  afterEach(() => {
    for (const id of ctr(['container', 'ls', '-q']).stdout.split('\n').filter((x) => x !== '')) {
      ctr(['task', 'delete', '-f', id]);
      ctr(['container', 'delete', id]);
    }
  });

  test('the shim prints its version', () => {
    const r = spawnSync(process.execPath, [SHIM, '-v'], { env: cleanEnv(), encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /containerd-shim-runts-v2:\n\s+Version:\s+\d+\.\d+\.\d+/);
  });

  test('ctr run --rm: the output and the exit status come back, nothing is left', async () => {
    const ok = ctr(['run', '--rm', ...RUN, IMAGE, `hello-${process.pid}`, 'echo', 'hello']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, 'hello\n');
    const r = ctr(['run', '--rm', ...RUN, IMAGE, `rm-${process.pid}`, 'sh', '-c', 'echo out; echo to-stderr >&2; exit 3']);
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.stdout, 'out\n');
    assert.match(r.stderr, /to-stderr/);
    assertNothingLeft();
    assert.ok(await waitFor(() => shimPids().length === 0, 5000), `shims left: ${shimPids().join(' ')}`);
  });

  test('a detached task: exec, ps, pause/resume, metrics, kill, delete; nothing is left', async () => {
    const id = `d-${process.pid}`;
    must(['run', '-d', ...RUN, IMAGE, id, 'sleep', '100000']);
    assert.equal(tasks().get(id), 'RUNNING');
    const pid = Number(must(['task', 'ls']).split('\n').find((l) => l.startsWith(`${id} `))?.trim().split(/\s+/)[1]);
    const ppid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    assert.ok(shimPids().includes(ppid), `the container's parent ${ppid} is not the shim`);

    const e = ctr(['task', 'exec', '--exec-id', 'e1', id, 'sh', '-c', 'echo in the container; cat /proc/1/cmdline | tr "\\0" " "; exit 4']);
    assert.equal(e.status, 4, e.stderr);
    assert.equal(e.stdout, 'in the container\nsleep 100000 ');

    const pids = must(['task', 'ps', id]).split('\n').slice(1).map((l) => Number(l.trim().split(/\s+/)[0])).filter((n) => n > 0);
    assert.deepEqual(pids, [pid]);
    must(['task', 'pause', id]);
    assert.equal(tasks().get(id), 'PAUSED');
    must(['task', 'resume', id]);
    assert.equal(tasks().get(id), 'RUNNING');
    const metrics = must(['task', 'metrics', id]);
    assert.match(metrics, /pids\.current\s+1\b/);
    // v1 or v2 metrics, as ctr names them.
    assert.match(metrics, /^memory\.(usage_in_bytes|usage)\s+\d+/m);

    await removeTask(id);
  });

  test('a shim killed with SIGKILL: containerd\'s delete action removes its container; nothing is left', async () => {
    const id = `k-${process.pid}`;
    must(['run', '-d', ...RUN, IMAGE, id, 'sleep', '100000']);
    const pid = Number(must(['task', 'ls']).split('\n').find((l) => l.startsWith(`${id} `))?.trim().split(/\s+/)[1]);
    const shims = shimPids();
    assert.equal(shims.length, 1);
    const socket = readFileSync(join(dir, 'state', 'io.containerd.runtime.v2.task', NS, id, 'address'), 'utf8').replace(/^unix:\/\//, '');
    process.kill(shims[0]!, 'SIGKILL');
    const gone = (): boolean => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    };
    // containerd notices the dead shim and runs `containerd-shim-runts-v2 delete`.
    assert.ok(await waitFor(() => gone() && !tasks().has(id), 15_000), `container ${pid} or its task outlived the shim`);
    must(['container', 'delete', id]);
    assertNothingLeft();
    assert.deepEqual(shimPids(), []);
    assert.ok(!existsSync(socket), `the dead shim's socket ${socket} is left`);
    // ctr run -d leaves its fifos for a task that no ctr deletes (containerd removed it): ours to remove.
    for (const d of existsSync('/run/containerd/fifo') ? readdirSync('/run/containerd/fifo') : []) {
      if (existsSync(join('/run/containerd/fifo', d, `${id}-stdin`))) rmSync(join('/run/containerd/fifo', d), { recursive: true, force: true });
    }
  });

  test('terminals: ctr run -t and ctr task exec -t get a /dev/pts tty sized by ResizePty; nothing is left', { skip: have('script') ? false : 'script (bsdutils) is not installed' }, async () => {
    // ctr -t needs a terminal of its own: script gives it one, of 30 rows and 100 columns,
    // which ctr passes on with ResizePty once the process started (so the
    // container waits for a size before it prints one).
    // (busybox stty size prints nothing but an error, and exits 0, while the size is 0x0.)
    const waitSize = 'i=0; while [ -z "$(stty size 2>/dev/null)" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done';
    const tty = (args: string[], input = ''): SpawnSyncReturns<string> => {
      const cmd = ['stty rows 30 cols 100;', 'ctr', '--address', ctd.sock, '-n', NS, ...args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`)].join(' ');
      return spawnSync('script', ['-qec', cmd, '/dev/null'], { env: cleanEnv(), encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL', input });
    };
    // script passes its stdin's EOF on as a NUL, which the container's pty echoes as "^@".
    const clean = (s: string): string => s.replace(/\r/g, '').replace(/\^@/g, '');

    const r = tty(['run', '--rm', '-t', ...RUN, IMAGE, `tty-${process.pid}`, 'sh', '-c', `tty; ${waitSize}; stty size; read l; echo "got=$l"; exit 5`], 'hello\n');
    assert.equal(r.status, 5, `${r.stdout}${r.stderr}`);
    // (The pty echoes the input line too.)
    assert.match(clean(r.stdout), /\/dev\/pts\/\d+\n30 100\n(.*\n)?got=hello\n/);

    const id = `dt-${process.pid}`;
    must(['run', '-d', ...RUN, IMAGE, id, 'sleep', '100000']);
    const e = tty(['task', 'exec', '-t', '--exec-id', 'te1', id, 'sh', '-c', `tty; ${waitSize}; stty size; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && exit 6`]);
    assert.equal(e.status, 6, `${e.stdout}${e.stderr}`);
    assert.match(clean(e.stdout), /\/dev\/pts\/\d+\n30 100\n/);
    // A plain exec next to it still has pipes.
    const plain = ctr(['task', 'exec', '--exec-id', 'te2', id, 'sh', '-c', '[ -t 1 ] || echo no-tty']);
    assert.equal(plain.stdout, 'no-tty\n', plain.stderr);

    await removeTask(id);
    assert.deepEqual(readdirSync(tmpdir()).filter((f) => f.startsWith('runts-console-')), []);
  });
});
