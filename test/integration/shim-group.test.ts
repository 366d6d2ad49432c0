// One containerd-shim-runts-v2 server for a group of containers, as
// containerd-shim-runc-v2 groups them: containers with the same
// io.kubernetes.cri.sandbox-id (or io.containerd.runc.v2.group) annotation
// share a server, which outlives the deletion of one of them and exits
// after the last; with RUNTS_SHIM_GROUP=namespace in containerd's
// environment one server serves every container of the namespace, also
// started all at once. 20 containers in a row leave nothing behind. Each
// mode under a private containerd (test/containerd-harness.ts); skips
// without containerd; everything is removed even on failure. And `start`
// alone, run by Node and through its shell launcher: one server per pod,
// which leaves when nobody connects.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, cleanEnv, waitFor } from './helpers.ts';
import { BUSYBOX_IMAGE, PrivateContainerd, runtsShimContainerd } from '../containerd-harness.ts';
import { socketPath } from '../../src/shim/address.ts';
import { NAMESPACE_GROUP } from '../../src/shim/group.ts';

const SHIM = join(REPO, 'dist', 'containerd-shim-runts-v2.js');
const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const skip = !existsSync(SHIM) ? 'dist/containerd-shim-runts-v2.js is not built' : !have('containerd') || !have('ctr') ? 'containerd or ctr is not installed' : false;
const RUN = ['--runtime', 'io.containerd.runts.v2'];
const SANDBOX = 'io.kubernetes.cri.sandbox-id';
const GROUP = 'io.containerd.runc.v2.group';

function privateContainerd(ns: string, env?: Record<string, string>): PrivateContainerd {
  return runtsShimContainerd(ns, 'runts-shim-group-', env);
}

function ppid(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
}

/** The parent (the shim serving it) of each task's init. */
function servers(ctd: PrivateContainerd, ids: string[]): number[] {
  const pids = ctd.taskPids();
  return ids.map((id) => ppid(pids.get(id)!));
}

/**
 * The shim servers of this containerd: not the short-lived start and delete
 * actions, nor a server's child between its fork and its exec (it shows the
 * server's command line for that moment).
 */
function serverPids(ctd: PrivateContainerd): number[] {
  const serving = ctd.shimPids().filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').filter(Boolean).at(-1) === 'serve';
    } catch {
      return false;
    }
  });
  return serving.filter((p) => {
    try {
      return !serving.includes(ppid(p));
    } catch {
      return false;
    }
  });
}

function bundleFile(ctd: PrivateContainerd, id: string, name: string): string {
  return readFileSync(join(ctd.dir, 'state', 'io.containerd.runtime.v2.task', ctd.opts.ns, id, name), 'utf8');
}

async function remove(ctd: PrivateContainerd, id: string): Promise<void> {
  ctd.must(['task', 'kill', '-s', 'SIGKILL', id]);
  assert.ok(await waitFor(() => ctd.tasks().get(id) === 'STOPPED', 10_000), `status ${ctd.tasks().get(id)}`);
  ctd.must(['task', 'delete', id]);
  ctd.must(['container', 'delete', id]);
}

/** No container, task, runts state, cgroup, mount, shim process or shim socket of this containerd. */
async function assertNothingLeft(ctd: PrivateContainerd, sockets: string[]): Promise<void> {
  assert.equal(ctd.must(['container', 'ls', '-q']).trim(), '');
  assert.equal(ctd.tasks().size, 0);
  const root = `/run/containerd/runts/${ctd.opts.ns}`;
  assert.deepEqual(existsSync(root) ? readdirSync(root) : [], []);
  const { children } = ctd.cgroupDirs();
  assert.deepEqual(children, []);
  assert.deepEqual(ctd.mountsUnder(ctd.dir), []);
  assert.ok(await waitFor(() => ctd.shimPids().length === 0, 5000), `shims left: ${ctd.shimPids().join(' ')}`);
  for (const s of sockets) assert.ok(!existsSync(s), `socket left: ${s}`);
}

describe('containerd-shim-runts-v2: one server per pod (the default)', { skip }, () => {
  const ns = `runts-group-it-${process.pid}`;
  const ctd = privateContainerd(ns);
  before(() => ctd.start());
  after(() => ctd.stop());

  test('containers of one pod share a server; deleting one leaves the other; the server exits after the last', async () => {
    const pod = `pod-${process.pid}`;
    const [a, b, solo] = [`ga-${process.pid}`, `gb-${process.pid}`, `solo-${process.pid}`];
    ctd.must(['run', '-d', ...RUN, '--annotation', `${SANDBOX}=${pod}`, BUSYBOX_IMAGE, a, 'sleep', '100000']);
    // The runc shim's own group label names the same group.
    ctd.must(['run', '-d', ...RUN, '--annotation', `${GROUP}=${pod}`, BUSYBOX_IMAGE, b, 'sleep', '100000']);
    ctd.must(['run', '-d', ...RUN, BUSYBOX_IMAGE, solo, 'sleep', '100000']);
    const [sa, sb, ss] = servers(ctd, [a, b, solo]);
    assert.equal(sa, sb, 'the two containers of the pod have one server');
    assert.notEqual(sa, ss, 'a container without the annotation has its own server');
    assert.deepEqual(serverPids(ctd).sort(), [sa!, ss!].sort());
    assert.equal(bundleFile(ctd, a, 'shim.pid'), String(sa));
    assert.equal(bundleFile(ctd, b, 'shim.pid'), String(sa));
    assert.equal(bundleFile(ctd, a, 'address'), `unix://${socketPath(ctd.sock, ns, pod)}`);
    assert.equal(bundleFile(ctd, b, 'address'), bundleFile(ctd, a, 'address'));

    await remove(ctd, a);
    assert.equal(ctd.tasks().get(b), 'RUNNING');
    const e = ctd.ctr(['task', 'exec', '--exec-id', 'e1', b, 'sh', '-c', 'echo still here']);
    assert.equal(e.status, 0, e.stderr);
    assert.equal(e.stdout, 'still here\n');
    // Past the server's grace period: it still serves b.
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(serverPids(ctd).includes(sa!));
    assert.equal(ctd.tasks().get(b), 'RUNNING');

    await remove(ctd, solo);
    await remove(ctd, b);
    await assertNothingLeft(ctd, [socketPath(ctd.sock, ns, pod)]);
  });

  test('20 containers of one pod in a row: each runs and exits with its status; nothing is left', async () => {
    const pod = `row-${process.pid}`;
    for (let i = 0; i < 20; i++) {
      const r = ctd.ctr(['run', '--rm', ...RUN, '--annotation', `${SANDBOX}=${pod}`, BUSYBOX_IMAGE, `row${i}-${process.pid}`, 'sh', '-c', `echo run ${i}; exit ${i % 4}`]);
      assert.equal(r.status, i % 4, `run ${i}: ${r.stderr}`);
      assert.equal(r.stdout, `run ${i}\n`);
    }
    await assertNothingLeft(ctd, [socketPath(ctd.sock, ns, pod)]);
  });
});

describe('containerd-shim-runts-v2: RUNTS_SHIM_GROUP=namespace', { skip }, () => {
  const ns = `runts-nsgroup-it-${process.pid}`;
  const ctd = privateContainerd(ns, { RUNTS_SHIM_GROUP: 'namespace' });
  before(() => ctd.start());
  after(() => ctd.stop());
  const sock = (): string => socketPath(ctd.sock, ns, NAMESPACE_GROUP);

  test('one server serves two unrelated containers, outlives the first, exits after the second', async () => {
    const [a, b] = [`na-${process.pid}`, `nb-${process.pid}`];
    ctd.must(['run', '-d', ...RUN, BUSYBOX_IMAGE, a, 'sleep', '100000']);
    ctd.must(['run', '-d', ...RUN, '--annotation', `${SANDBOX}=some-pod`, BUSYBOX_IMAGE, b, 'sleep', '100000']);
    const [sa, sb] = servers(ctd, [a, b]);
    assert.equal(sa, sb);
    assert.deepEqual(serverPids(ctd), [sa]);
    assert.equal(bundleFile(ctd, b, 'address'), `unix://${sock()}`);
    await remove(ctd, a);
    assert.equal(ctd.tasks().get(b), 'RUNNING');
    assert.deepEqual(serverPids(ctd), [sa]);
    await remove(ctd, b);
    await assertNothingLeft(ctd, [sock()]);
  });

  test('six containers started at once all run through one server; nothing is left', async () => {
    const ids = Array.from({ length: 6 }, (_, i) => `par${i}-${process.pid}`);
    const seen = new Set<number>();
    // The parents of the containers' inits while they run (a start that
    // finds the server running also shows as `serve` for a moment).
    const sample = setInterval(() => {
      for (const pid of ctd.taskPids().values()) {
        try {
          if (pid > 0) seen.add(ppid(pid));
        } catch {
          // exited meanwhile
        }
      }
    }, 100);
    const results = await Promise.all(
      ids.map(
        (id, i) =>
          new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
            const p = spawn('ctr', ['--address', ctd.sock, '-n', ns, 'run', '--rm', ...RUN, BUSYBOX_IMAGE, id, 'sh', '-c', `sleep 1; echo par ${i}`], { env: cleanEnv() });
            let out = '';
            let err = '';
            p.stdout.on('data', (d: Buffer) => (out += d.toString()));
            p.stderr.on('data', (d: Buffer) => (err += d.toString()));
            p.on('close', (code) => resolve({ code, out, err }));
          }),
      ),
    );
    clearInterval(sample);
    results.forEach((r, i) => {
      assert.equal(r.code, 0, `par ${i}: ${r.err}`);
      assert.equal(r.out, `par ${i}\n`);
    });
    assert.equal(seen.size, 1, `servers seen: ${[...seen].join(' ')}`);
    await assertNothingLeft(ctd, [sock()]);
  });
});

describe('containerd-shim-runts-v2 start, run by Node and by its launcher, without containerd', { skip: existsSync(SHIM) ? false : 'dist/containerd-shim-runts-v2.js is not built' }, () => {
  const ns = `runts-start-it-${process.pid}`;
  const fakeContainerd = `/tmp/runts-start-it-${process.pid}.sock`;
  let dir = '';
  const started: number[] = [];
  // The shim makes /run/containerd/s and /run/containerd/runts: ours to remove if there was no /run/containerd.
  let hadRunContainerd = true;
  before(() => {
    hadRunContainerd = existsSync('/run/containerd');
    dir = mkdtempSync(join(tmpdir(), 'runts-start-it-'));
  });
  after(() => {
    for (const pid of started) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    rmSync(`/run/containerd/runts/${ns}`, { recursive: true, force: true });
    if (!hadRunContainerd) rmSync('/run/containerd', { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  function bundle(name: string, annotations: Record<string, string>): string {
    const b = join(dir, name);
    mkdirSync(b);
    writeFileSync(join(b, 'config.json'), JSON.stringify({ ociVersion: '1.0.2', annotations }));
    return b;
  }

  const start = (argv0: string[], b: string, id: string) =>
    spawnSync(argv0[0]!, [...argv0.slice(1), '-namespace', ns, '-address', fakeContainerd, '-publish-binary', '/usr/bin/containerd', '-id', id, 'start'], { cwd: b, env: cleanEnv(), encoding: 'utf8', input: '', timeout: 20_000 });

  test('two starts of one pod get one server, which exits on its own when nobody connects', async () => {
    const path = socketPath(fakeContainerd, ns, 'pod-x');
    for (const [how, argv0] of [['node', [process.execPath, SHIM]], ['launcher', [SHIM]]] as const) {
      const a = bundle(`${how}-a`, { [SANDBOX]: 'pod-x' });
      const b = bundle(`${how}-b`, { [SANDBOX]: 'pod-x' });
      const ra = start([...argv0], a, `${how}-a`);
      assert.equal(ra.status, 0, ra.stderr);
      assert.equal(ra.stdout, `unix://${path}`);
      const pid = Number(readFileSync(join(a, 'shim.pid'), 'utf8'));
      started.push(pid);
      assert.equal(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).at(-1), 'serve', how);
      const rb = start([...argv0], b, `${how}-b`);
      assert.equal(rb.status, 0, rb.stderr);
      assert.equal(rb.stdout, ra.stdout);
      assert.equal(readFileSync(join(b, 'address'), 'utf8'), ra.stdout);
      assert.ok(existsSync(path));
      // No containerd connects: the server leaves after its grace period, taking its socket.
      assert.ok(await waitFor(() => !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z'), 5000), `${how}: server ${pid} still runs`);
      assert.ok(!existsSync(path), `${how}: socket left`);
    }
  });
});
