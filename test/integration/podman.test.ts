// podman (with conmon) drives runts as it drives runc: `podman --runtime
// dist/runts.js` with storage, run and network state in a temp dir
// (--root, --runroot, --tmpdir, --network-config-dir; vfs storage; cgroupfs;
// file events; no network): `podman import` of a busybox rootfs tarball,
// run --rm with output and exit status, exec (also -t), run -t, stop.
//
// What podman asks of every runtime here: its default seccomp profile
// (containers-common's, in the shape of Docker's), and RLIMIT_NOFILE
// and RLIMIT_NPROC of 1048576/4194304, which a caller without
// CAP_SYS_RESOURCE (this sandbox) cannot raise to (runc fails the same way:
// --ulimit keeps them within the caller's). runts' state stays in its default
// --root (/run/runts): podman's --runtime-flag root=... is not passed on to
// the cleanup process that deletes a --rm container, for runc either.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, RUNTS, waitFor } from './helpers.ts';
import { rootfsTarball } from './oci-image.ts';
import { SECCOMP_CACHE_DIR } from '../../src/seccomp/cache.ts';

const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const skip = !existsSync(RUNTS) ? 'dist/runts.js is not built' : !have('podman') || !have('conmon') ? 'podman or conmon is not installed (apt-get install podman conmon)' : false;

const IMAGE = 'localhost/runts-busybox:test';
const RUNTS_ROOT = '/run/runts';
// Host paths podman creates whatever its flags say; removed at the end when they were not there before.
const HOST_PATHS = ['/run/runts', '/run/containers', '/run/libpod', '/var/lib/containers'];
const existedBefore = new Map(HOST_PATHS.map((p) => [p, existsSync(p)]));
const cgroupParentExisted = existsSync('/sys/fs/cgroup/memory/libpod_parent');
const CONFINE = ['--network', 'none', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];

let dir = '';
const names: string[] = [];
const name = (what: string): string => {
  const n = `runts-${what}-${process.pid}`;
  names.push(n);
  return n;
};

function globalFlags(): string[] {
  return [
    '--root', join(dir, 'root'),
    '--runroot', join(dir, 'run'),
    '--tmpdir', join(dir, 'tmp'),
    '--network-config-dir', join(dir, 'net'),
    '--storage-driver', 'vfs',
    '--cgroup-manager', 'cgroupfs',
    '--events-backend', 'file',
    '--runtime', RUNTS,
  ];
}

function podman(args: string[], timeout = 60_000): SpawnSyncReturns<string> {
  return spawnSync('podman', [...globalFlags(), ...args], { env: cleanEnv(), encoding: 'utf8', timeout, killSignal: 'SIGKILL' });
}

function must(args: string[]): string {
  const r = podman(args);
  assert.equal(r.status, 0, `podman ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Runs podman under `script`, which gives it a terminal (as a person at a shell has). */
function podmanTty(args: string[]): SpawnSyncReturns<string> {
  const quote = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;
  const cmd = ['podman', ...globalFlags(), ...args].map(quote).join(' ');
  return spawnSync('script', ['-qec', cmd, '/dev/null'], { env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
}

// Containers in runts' state root (not its compiled seccomp profile cache).
const runtsIds = (): string[] => (existsSync(RUNTS_ROOT) ? readdirSync(RUNTS_ROOT).filter((n) => n !== SECCOMP_CACHE_DIR) : []);
const inspect = (n: string, format: string): string => must(['inspect', '--format', format, n]).trim();

function cleanup(): void {
  if (!dir) return;
  const ids = names.map((n) => podman(['inspect', '--format', '{{.Id}}', n], 20_000).stdout?.trim()).filter((x): x is string => !!x);
  podman(['rm', '--force', '--time', '0', ...names], 60_000);
  for (const id of ids) {
    if (runtsIds().includes(id)) spawnSync(process.execPath, [RUNTS, 'delete', '--force', id], { env: cleanEnv(), stdio: 'ignore' });
  }
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n').reverse()) {
    const m = line.split(' ')[4];
    if (m?.startsWith(dir)) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
  }
  if (!cgroupParentExisted) {
    for (const h of readdirSync('/sys/fs/cgroup')) removeTree(join('/sys/fs/cgroup', h, 'libpod_parent'));
  }
  for (const [p, existed] of existedBefore) {
    if (existed) continue;
    if (p === RUNTS_ROOT && runtsIds().length > 0) continue; // someone else's containers
    rmSync(p, { recursive: true, force: true });
  }
  rmSync(dir, { recursive: true, force: true });
}

function removeTree(d: string): void {
  if (!existsSync(d)) return;
  for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) removeTree(join(d, e.name));
  try {
    rmdirSync(d);
  } catch {
    /* still busy */
  }
}

describe('podman (conmon) with --runtime runts', { skip }, () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'runts-podman-'));
    chmodSync(dir, 0o755);
    must(['import', '--quiet', rootfsTarball(dir), IMAGE]);
  });
  after(cleanup);

  test('run --rm: output and exit status; nothing left in runts\' state', () => {
    const n = name('rm');
    const before = runtsIds();
    const r = podman(['run', '--rm', '--name', n, ...CONFINE, IMAGE, 'sh', '-c', 'echo hello from runts; grep ^Seccomp: /proc/self/status; echo err >&2; exit 3']);
    assert.equal(r.status, 3, r.stderr);
    // podman's default seccomp profile is in force.
    assert.equal(r.stdout, 'hello from runts\nSeccomp:\t2\n');
    assert.match(r.stderr, /err/);
    assert.notEqual(podman(['container', 'exists', n]).status, 0, 'the container is left');
    assert.deepEqual(runtsIds(), before, 'runts state is left');
  });

  describe('a detached container', () => {
    let n = '';
    let id = '';
    before(() => {
      n = name('d');
      id = must(['run', '-d', '--name', n, ...CONFINE, IMAGE, 'sh', '-c', "trap 'exit 7' TERM; while :; do sleep 0.1; done"]).trim();
    });

    test('runs under runts', () => {
      assert.equal(inspect(n, '{{.State.Status}}'), 'running');
      assert.ok(runtsIds().includes(id), `runts has no state for ${id}`);
    });

    test('exec: output and exit status', () => {
      const r = podman(['exec', n, 'sh', '-c', 'echo in the container; cat /proc/1/cmdline | tr "\\0" " "; exit 4']);
      assert.equal(r.status, 4, r.stderr);
      assert.match(r.stdout, /^in the container\nsh -c trap/);
    });

    test('exec -t', () => {
      const r = podmanTty(['exec', '-t', n, 'sh', '-c', 'tty; exit 5']);
      assert.equal(r.status, 5, r.stdout + r.stderr);
      assert.match(r.stdout, /\/dev\/pts\/\d+/);
    });

    test('stop: SIGTERM reaches the container, its exit status is recorded', () => {
      const t0 = Date.now();
      must(['stop', '--time', '10', n]);
      assert.ok(Date.now() - t0 < 8000, `stop took ${Date.now() - t0} ms: SIGTERM did not end it`);
      assert.equal(inspect(n, '{{.State.Status}}'), 'exited');
      assert.equal(inspect(n, '{{.State.ExitCode}}'), '7');
    });

    test('rm: runts keeps nothing of it', () => {
      must(['rm', n]);
      assert.ok(!runtsIds().includes(id), 'runts state is left');
    });
  });

  test('stop escalates to SIGKILL for a process that ignores SIGTERM', async () => {
    const n = name('kill');
    must(['run', '-d', '--name', n, ...CONFINE, IMAGE, 'sleep', '100000']);
    must(['stop', '--time', '1', n]);
    assert.ok(await waitFor(() => inspect(n, '{{.State.Status}}') === 'exited', 10_000));
    assert.equal(inspect(n, '{{.State.ExitCode}}'), '137');
    must(['rm', n]);
  });

  test('run -t: a terminal in the container', () => {
    const r = podmanTty(['run', '--rm', '-t', '--name', name('tty'), ...CONFINE, IMAGE, 'sh', '-c', 'tty; stty size >/dev/null && echo sized; exit 6']);
    assert.equal(r.status, 6, r.stdout + r.stderr);
    assert.match(r.stdout, /\/dev\/pts\/\d+/);
    assert.match(r.stdout, /sized/);
  });
});
