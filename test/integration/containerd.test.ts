// containerd drives runts exactly as it drives runc: a private containerd
// (its own root, state and socket in a temp dir; CRI and the other network
// plugins off), a busybox OCI image built here and `ctr image import`ed, and
// `ctr run --runc-binary dist/runts.js --runtime io.containerd.runc.v2`
// through containerd-shim-runc-v2: run with output and exit status, detached
// tasks with exec (also with a tty), ps, pause/resume, metrics, kill and
// delete, a failed create reported with runts' own message, and 20 containers
// in a row leaving no state, cgroup or mount behind. Skips when containerd is
// not installed; kills containerd and removes everything even on failure.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseSpec, cleanEnv, RUNTS, Sandbox, waitFor } from './helpers.ts';
import { BUSYBOX_IMAGE, PrivateContainerd } from '../containerd-harness.ts';

const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const skip = !existsSync(RUNTS)
  ? 'dist/runts.js is not built'
  : !have('containerd') || !have('ctr') || !have('containerd-shim-runc-v2')
    ? 'containerd, ctr or containerd-shim-runc-v2 is not installed (apt-get install containerd)'
    : false;

const NS = `runts-it-${process.pid}`;
const IMAGE = BUSYBOX_IMAGE;
const RUN = ['--runc-binary', RUNTS, '--runtime', 'io.containerd.runc.v2'];
/** Where the runc shim keeps the runtime's state: its --root for our namespace. */
const RUNTIME_ROOT = `/run/containerd/runc/${NS}`;

const ctd = new PrivateContainerd({
  ns: NS,
  prefix: 'runts-ctd-',
  shim: /containerd-shim-runc-v2$/,
  runtimeRoots: [{ root: RUNTIME_ROOT, cli: [process.execPath, RUNTS] }],
});
let dir = '';
let sock = '';

const ctr = (args: string[], timeout = 60_000): SpawnSyncReturns<string> => ctd.ctr(args, timeout);

const must = (args: string[]): string => ctd.must(args);

const tasks = (): Map<string, string> => ctd.tasks();
const mountsUnder = (path: string): string[] => ctd.mountsUnder(path);
const cgroupDirs = (): { top: string[]; children: string[] } => ctd.cgroupDirs();
const shimPids = (): number[] => ctd.shimPids();

async function startContainerd(): Promise<void> {
  await ctd.start();
  dir = ctd.dir;
  sock = ctd.sock;
}

const stopContainerd = (): Promise<void> => ctd.stop();

describe('containerd (ctr, containerd-shim-runc-v2) with runts as the runc binary', { skip }, () => {
  before(startContainerd);
  after(stopContainerd);

  test('ctr run --rm: the output and the exit status come back', () => {
    const r = ctr(['run', '--rm', ...RUN, IMAGE, `rm-${process.pid}`, 'sh', '-c', 'echo hello from runts; echo to-stderr >&2; exit 3']);
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.stdout, 'hello from runts\n');
    assert.match(r.stderr, /to-stderr/);
    assert.ok(!must(['container', 'ls', '-q']).includes(`rm-${process.pid}`), 'the container is left');
  });

  describe('a detached task', () => {
    const id = `d-${process.pid}`;
    let pid = 0;
    before(() => {
      must(['run', '-d', ...RUN, IMAGE, id, 'sleep', '100000']);
      pid = Number(must(['task', 'ls']).split('\n').find((l) => l.startsWith(`${id} `))?.trim().split(/\s+/)[1]);
    });

    test('runs, and is the shim\'s child', () => {
      assert.equal(tasks().get(id), 'RUNNING');
      const ppid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      assert.ok(shimPids().includes(ppid), `the container's parent ${ppid} is not the shim`);
    });

    test('task exec', () => {
      const r = ctr(['task', 'exec', '--exec-id', 'e1', id, 'sh', '-c', 'echo in the container; cat /proc/1/cmdline | tr "\\0" " "; exit 4']);
      assert.equal(r.status, 4, r.stderr);
      assert.equal(r.stdout, 'in the container\nsleep 100000 ');
    });

    test('task exec -t (a pty from the shim; `script` gives ctr a terminal)', () => {
      const cmd = ['ctr', '--address', sock, '-n', NS, 'task', 'exec', '-t', '--exec-id', 'e2', id, 'sh', '-c', 'tty; stty size; exit 5'].join(' ');
      const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 5, r.stdout + r.stderr);
      assert.match(r.stdout, /\/dev\/pts\/\d+/);
    });

    test('task ps lists the container init', () => {
      const pids = must(['task', 'ps', id]).split('\n').slice(1).map((l) => Number(l.trim().split(/\s+/)[0])).filter((n) => n > 0);
      assert.deepEqual(pids, [pid]);
    });

    test('task pause and resume', () => {
      must(['task', 'pause', id]);
      assert.equal(tasks().get(id), 'PAUSED');
      assert.match(readFileSync(`/proc/${pid}/status`, 'utf8'), /State:\s+[DS]/);
      must(['task', 'resume', id]);
      assert.equal(tasks().get(id), 'RUNNING');
    });

    test('task metrics reads the container\'s cgroup', () => {
      const out = must(['task', 'metrics', id]);
      assert.match(out, /pids\.current\s+1\b/);
      // v1 or v2 metrics, as ctr names them.
      assert.match(out, /^memory\.(usage_in_bytes|usage)\s+\d+/m);
    });

    test('task kill, task delete, container delete', async () => {
      must(['task', 'kill', '-s', 'SIGKILL', id]);
      assert.ok(await waitFor(() => tasks().get(id) === 'STOPPED', 10_000), `status ${tasks().get(id)}`);
      must(['task', 'delete', id]);
      must(['container', 'delete', id]);
      assert.ok(!existsSync(join(RUNTIME_ROOT, id)), 'runts state is left');
    });
  });

  test('a failed create: ctr reports runts\' own message, nothing is left', () => {
    // What runts says for the same mistake when called directly.
    const sb = new Sandbox();
    let message: string;
    try {
      const r = sb.runts(['create', '--bundle', sb.bundle(baseSpec(['/nonexistent-binary'])), sb.id()]);
      assert.notEqual(r.status, 0);
      message = r.stderr.trim().replace(/^runts: /, '');
    } finally {
      sb.cleanup();
    }
    assert.ok(message.includes('/nonexistent-binary'), message);
    const id = `fail-${process.pid}`;
    const r = ctr(['run', '--rm', ...RUN, IMAGE, id, '/nonexistent-binary']);
    assert.notEqual(r.status, 0);
    assert.ok(r.stderr.includes(message), `ctr said: ${r.stderr}\nrunts says: ${message}`);
    assert.match(r.stderr, /OCI runtime create failed/);
    assert.ok(!existsSync(join(RUNTIME_ROOT, id)), 'runts state is left');
    ctr(['container', 'delete', id]);
  });

  test('20 containers in a row leave no container, state, cgroup or mount', () => {
    const before = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').length;
    for (let i = 0; i < 20; i++) {
      const r = ctr(['run', '--rm', ...RUN, IMAGE, `row-${process.pid}-${i}`, 'sh', '-c', `echo $((${i} * 2))`]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `${i * 2}\n`);
    }
    assert.equal(must(['container', 'ls', '-q']).trim(), '');
    assert.equal(tasks().size, 0);
    assert.deepEqual(existsSync(RUNTIME_ROOT) ? readdirSync(RUNTIME_ROOT) : [], []);
    assert.deepEqual(cgroupDirs().children, []);
    assert.deepEqual(mountsUnder(dir), []);
    assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').split('\n').length, before);
  });
});
