// Resource control against the real cgroups of this host, cgroup v1 (the
// development machine: v1 with a hybrid unified tree) or cgroup v2 (a pure v2
// host; scripts/cgroup2-vm.sh boots one): limits land in the files and are
// enforced, update changes them live, pause/resume freezes, ps and events
// report, delete and failed creates leave no cgroup behind. runc 1.1.5 runs
// the same bundles side by side where their outputs can be compared.
//
// Every cgroup made here is below this process's own cgroup (the default
// placement, "<own cgroup>/<id>", or a relative cgroupsPath) and named after
// this process's pid; the last test checks that none is left.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { baseSpec, Sandbox, waitFor, type Json } from './helpers.ts';
import { bridge } from '../../src/native/bridge.ts';
import { deviceFilterProgram, encodeBpf } from '../../src/cgroups/devices-bpf.ts';
import { ACC_ALL, deviceTargetState, normalizeDeviceRules } from '../../src/cgroups/devices.ts';

const CGROUP_ROOT = '/sys/fs/cgroup';
const PREFIX = `cg${process.pid}-`;
const haveRunc = spawnSync('runc', ['--version']).status === 0;
const isV1 = existsSync(join(CGROUP_ROOT, 'memory', 'memory.stat')) || existsSync(join(CGROUP_ROOT, 'pids'));
/** A pure cgroup v2 host: cgroup2 at the root, with the controllers these tests need enabled there. */
const isV2 = !isV1 && existsSync(join(CGROUP_ROOT, 'cgroup.subtree_control')) && ['memory', 'pids', 'cpu'].every((c) => readFileSync(join(CGROUP_ROOT, 'cgroup.subtree_control'), 'utf8').split(/\s+/).includes(c));
const noCgroups = !isV1 && !isV2 && 'neither a cgroup v1 host nor a cgroup v2 host with memory, pids and cpu enabled at the root';
/** The file of a resource on this host's cgroup version. */
const F = isV1
  ? { memLimit: 'memory.limit_in_bytes', shares: 'cpu.shares' }
  : { memLimit: 'memory.max', shares: 'cpu.weight' };

let sb: Sandbox;
before(() => {
  sb = new Sandbox();
});
after(() => sb.cleanup());

/** cgroup mounts: "controllers" as /proc/<pid>/cgroup names them ("cpu", "name=systemd", "" for v2) -> mount point. */
function cgroupMounts(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const [fstype, , superOpts] = post.split(' ');
    const mountpoint = pre.split(' ')[4]!;
    if (fstype === 'cgroup2') out.set('', mountpoint);
    if (fstype !== 'cgroup') continue;
    const ctrls = (superOpts ?? '').split(',').filter((o) => !['rw', 'ro', 'xattr', 'noprefix', 'clone_children', 'cpuset_v2_mode'].includes(o) && !o.startsWith('release_agent='));
    out.set(ctrls.join(','), mountpoint);
  }
  return out;
}

/** The directories of a process's cgroups: controllers -> host directory. */
function cgroupDirsOf(pid: number): Map<string, string> {
  const mounts = cgroupMounts();
  const out = new Map<string, string>();
  for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n')) {
    const a = line.indexOf(':');
    const b = line.indexOf(':', a + 1);
    const ctrls = line.slice(a + 1, b);
    const mp = mounts.get(ctrls);
    if (mp !== undefined) out.set(ctrls, join(mp, line.slice(b + 1)));
  }
  return out;
}

/** The directory of `controller` ("memory", "pids", "cpu,cpuacct"...) for pid: its v1 hierarchy's, or on v2 its one cgroup. */
function dirOf(pid: number, controller: string): string {
  for (const [ctrls, dir] of cgroupDirsOf(pid)) if (isV2 ? ctrls === '' : ctrls.split(',').includes(controller)) return dir;
  throw new Error(`no ${controller} hierarchy for pid ${pid}`);
}

function read(dir: string, file: string): string {
  return readFileSync(join(dir, file), 'utf8').trim();
}

/** Every directory under /sys/fs/cgroup (depth-limited) whose name starts with `name`. */
function cgroupDirsNamed(name: string, maxDepth = 7): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const p = join(dir, e.name);
      if (e.name.startsWith(name)) found.push(p);
      if (depth < maxDepth) walk(p, depth + 1);
    }
  };
  walk(CGROUP_ROOT, 0);
  return found;
}

function id(): string {
  return sb.id(PREFIX);
}

function ok(r: { status: number | null; stderr: string; stdout: string }, what: string): void {
  assert.equal(r.status, 0, `${what} failed: ${r.stderr}${r.stdout}`);
}

/** A detached runts container from `spec`; returns its id and host pid. */
function runDetached(spec: Json, cid = id()): { id: string; pid: number; bundle: string } {
  const bundle = sb.bundle(spec);
  for (const applet of ['seq', 'tail', 'usleep']) symlinkSync('busybox', join(bundle, 'rootfs', 'bin', applet));
  ok(sb.runts(['run', '-d', '-b', bundle, cid]), `run ${cid}`);
  return { id: cid, pid: sb.state(cid).pid, bundle };
}

const MiB = 1024 * 1024;

describe('resources land in the cgroup files', { skip: noCgroups }, () => {
  test('the container is in a cgroup of its own in every hierarchy, below runts\' own', () => {
    const c = runDetached(baseSpec(['sleep', '60']));
    const mine = cgroupDirsOf(process.pid);
    const its = cgroupDirsOf(c.pid);
    assert.deepEqual([...its.keys()].sort(), [...mine.keys()].sort());
    for (const [ctrls, dir] of its) assert.equal(dir, join(mine.get(ctrls)!, c.id), `hierarchy ${ctrls || 'unified'}`);
    ok(sb.runts(['delete', '-f', c.id]), 'delete');
    for (const dir of its.values()) assert.ok(!existsSync(dir), `${dir} left behind`);
  });

  test('memory, cpu, cpuset, pids, blkio and device rules: the same values as runc writes', () => {
    const spec = baseSpec(['sleep', '60']);
    // A device node the rules do not allow (runc does not add linux.devices to them either).
    spec.linux.devices = [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o666 }];
    spec.linux.resources = {
      devices: [{ allow: false, access: 'rwm' }],
      memory: { limit: 64 * MiB, reservation: 32 * MiB, swap: 128 * MiB },
      cpu: { shares: 512, quota: 50000, period: 100000, cpus: '0', mems: '0' },
      pids: { limit: 25 },
      blockIO: { weight: 300 },
    };
    const c = runDetached(spec);
    const blkio = dirOf(c.pid, 'blkio');
    // Each file with the value runc writes for the spec above.
    const expected: [string, string, string][] = isV1
      ? [
          ['memory', 'memory.limit_in_bytes', String(64 * MiB)],
          ['memory', 'memory.soft_limit_in_bytes', String(32 * MiB)],
          ['memory', 'memory.memsw.limit_in_bytes', String(128 * MiB)],
          ['cpu', 'cpu.shares', '512'],
          ['cpu', 'cpu.cfs_quota_us', '50000'],
          ['cpu', 'cpu.cfs_period_us', '100000'],
          ['cpuset', 'cpuset.cpus', '0'],
          ['cpuset', 'cpuset.mems', '0'],
          ['pids', 'pids.max', '25'],
          ['blkio', existsSync(join(blkio, 'blkio.weight')) ? 'blkio.weight' : 'blkio.bfq.weight', '300'],
        ]
      : [
          ['memory', 'memory.max', String(64 * MiB)],
          ['memory', 'memory.low', String(32 * MiB)],
          // v2 limits swap alone: memory+swap 128M less memory 64M.
          ['memory', 'memory.swap.max', String(64 * MiB)],
          // runc's shares -> weight conversion: 1 + (512 - 2) * 9999 / 262142.
          ['cpu', 'cpu.weight', '20'],
          ['cpu', 'cpu.max', '50000 100000'],
          ['cpuset', 'cpuset.cpus', '0'],
          ['cpuset', 'cpuset.mems', '0'],
          ['pids', 'pids.max', '25'],
          // BFQ takes blkio's 1..1000 scale; io.weight (iocost) 1..10000: 1 + (300 - 10) * 9999 / 990.
          existsSync(join(blkio, 'io.bfq.weight')) ? ['io', 'io.bfq.weight', 'default 300'] : ['io', 'io.weight', 'default 2930'],
        ];
    const files: [string, string][] = [...expected.map(([h, f]): [string, string] => [h, f]), ...(isV1 ? [['devices', 'devices.list'] as [string, string]] : [])];
    const runts = Object.fromEntries(files.map(([h, f]) => [f, read(dirOf(c.pid, h), f)]));
    for (const [, f, v] of expected) assert.equal(runts[f], v, f);
    if (isV1) {
      assert.match(runts['devices.list']!, /^c 1:3 rwm$/m);
      assert.doesNotMatch(runts['devices.list']!, /^a /m);
    }
    // Enforced, not just written: a device outside the rules cannot be opened.
    const denied = sb.runts(['exec', c.id, 'head', '-c1', '/dev/fuse']);
    assert.equal(denied.status, 1);
    assert.match(denied.stderr, /\/dev\/fuse: Operation not permitted/);

    if (!haveRunc) return;
    const rid = sb.id(`rc${PREFIX}`);
    ok(sb.runc(['run', '-d', '-b', c.bundle, rid]), 'runc run');
    const rpid = JSON.parse(sb.runc(['state', rid]).stdout).pid as number;
    const runc = Object.fromEntries(files.map(([h, f]) => [f, read(dirOf(rpid, h), f)]));
    // devices.list order differs (the kernel lists in the order of the writes); compare as sets.
    const sorted = (s: string) => s.split('\n').sort().join('\n');
    if (isV1) {
      runts['devices.list'] = sorted(runts['devices.list']!);
      runc['devices.list'] = sorted(runc['devices.list']!);
    }
    assert.deepEqual(runts, runc);
    ok(sb.runc(['delete', '-f', rid]), 'runc delete');
    ok(sb.runts(['delete', '-f', c.id]), 'delete');
  });

  test('hugepage limits go to the hugetlb controller where it is mounted (else a warning)', () => {
    const spec = baseSpec(['sleep', '60']);
    spec.linux.resources = { hugepageLimits: [{ pageSize: '2MB', limit: 4 * MiB }] };
    const cid = id();
    const bundle = sb.bundle(spec);
    const r = sb.runts(['run', '-d', '-b', bundle, cid]);
    ok(r, 'run');
    const pid = sb.state(cid).pid;
    const v1Hugetlb = [...cgroupDirsOf(pid).keys()].some((k) => k.split(',').includes('hugetlb'));
    if (v1Hugetlb) {
      assert.equal(read(dirOf(pid, 'hugetlb'), 'hugetlb.2MB.limit_in_bytes'), String(4 * MiB));
    } else if (isV2 && existsSync(join(dirOf(pid, 'hugetlb'), 'hugetlb.2MB.max'))) {
      assert.equal(read(dirOf(pid, 'hugetlb'), 'hugetlb.2MB.max'), String(4 * MiB));
      // runc also limits reservations where the kernel accounts them.
      if (existsSync(join(dirOf(pid, 'hugetlb'), 'hugetlb.2MB.rsvd.max'))) assert.equal(read(dirOf(pid, 'hugetlb'), 'hugetlb.2MB.rsvd.max'), String(4 * MiB));
    } else {
      assert.match(r.stderr, /hugepageLimits not applied: the hugetlb controller is not mounted/);
    }
    ok(sb.runts(['delete', '-f', cid]), 'delete');
  });
});

describe('limits are enforced', { skip: noCgroups }, () => {
  test('a pids limit stops a fork loop', () => {
    const spec = baseSpec(['sh', '-c', 'for i in $(seq 50); do sleep 30 & done; echo all forked']);
    spec.linux.resources = { pids: { limit: 10 } };
    const cid = id();
    const bundle = sb.bundle(spec);
    symlinkSync('busybox', join(bundle, 'rootfs', 'bin', 'seq'));
    const r = sb.runts(['run', '--keep', '-b', bundle, cid]);
    assert.match(r.stderr, /can't fork/);
    assert.doesNotMatch(r.stdout, /all forked/);
    const saved = JSON.parse(readFileSync(join(sb.root, cid, 'state.json'), 'utf8'));
    const pids = saved.cgroups.paths[isV1 ? 'pids' : ''] as string;
    assert.match(read(pids, 'pids.events'), /^max [1-9]\d*$/m);
    ok(sb.runts(['delete', cid]), 'delete');
    assert.ok(!existsSync(pids));
  });

  test('a memory limit OOM-kills a memory hog, and `events` reports the OOM', async () => {
    // The hog (not the container's init) is what the OOM killer must pick.
    const spec = baseSpec(['sh', '-c', 'sleep 1; (echo 1000 > /proc/self/oom_score_adj; head -c 200m /dev/zero | tail); echo hog status $?; sleep 60']);
    spec.linux.resources = { memory: { limit: 32 * MiB } };
    const c = runDetached(spec);
    const events = spawn(process.execPath, [join(import.meta.dirname, '..', '..', 'dist', 'runts.js'), '--root', sb.root, 'events', '--interval', '1s', c.id], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    events.stdout.on('data', (d: Buffer) => (out += d.toString()));
    events.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const memDir = dirOf(c.pid, 'memory');
    try {
      const seen = await waitFor(() => out.split('\n').some((l) => l === JSON.stringify({ type: 'oom', id: c.id })), 20_000);
      assert.ok(seen, `no oom event; events printed:\n${out.slice(0, 2000)}\n${err}`);
      assert.match(read(memDir, isV1 ? 'memory.oom_control' : 'memory.events'), /^oom_kill [1-9]/m);
      assert.equal(sb.state(c.id).status, 'running', 'the OOM killer took the init');
      assert.ok(await waitFor(() => out.includes('{"type":"stats"'), 5000), `a stats line every second as well:\n${out.slice(0, 2000)}\n${err}`);
      const stats = out.split('\n').find((l) => l.startsWith('{"type":"stats"'))!;
      assert.equal(JSON.parse(stats).data.memory.usage.limit, 32 * MiB);
    } finally {
      events.kill();
    }
    ok(sb.runts(['delete', '-f', c.id]), 'delete');
  });

  test('`events` ends by itself once the container has stopped', async () => {
    const c = runDetached(baseSpec(['sleep', '60']));
    const events = sb.runtsAsync(['events', '--interval', '200ms', c.id]);
    let err = '';
    let out = '';
    events.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    events.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => {
      const t = setTimeout(() => {
        events.kill();
        resolve(-1);
      }, 30_000);
      events.on('exit', (c2) => {
        clearTimeout(t);
        resolve(c2);
      });
    });
    // Stopped only once events is watching (a slow host may take seconds to start it).
    assert.ok(await waitFor(() => out.includes('{"type":"stats"'), 20_000), `events printed no stats: ${err}`);
    ok(sb.runts(['kill', c.id, 'KILL']), 'kill');
    assert.equal(await exited, 0, err);
    ok(sb.runts(['delete', c.id]), 'delete');
  });
});

describe('update', { skip: noCgroups }, () => {
  test('changes limits live, from flags and from --resources - (as containerd sends), and keeps them', () => {
    const spec = baseSpec(['sleep', '60']);
    spec.linux.resources = { pids: { limit: 20 }, memory: { limit: 64 * MiB } };
    const c = runDetached(spec);
    const pids = dirOf(c.pid, 'pids');
    const mem = dirOf(c.pid, 'memory');
    const cpu = dirOf(c.pid, 'cpu');
    const quota = (): string => (isV1 ? read(cpu, 'cpu.cfs_quota_us') : read(cpu, 'cpu.max').split(' ')[0]!);
    ok(sb.runts(['update', '--pids-limit', '42', '--memory', '100M', '--cpu-share', '300', '--cpu-quota', '20000', c.id]), 'update flags');
    assert.equal(read(pids, 'pids.max'), '42');
    assert.equal(read(mem, F.memLimit), String(100 * MiB));
    // v2: runc's conversion, 1 + (300 - 2) * 9999 / 262142.
    assert.equal(read(cpu, F.shares), isV1 ? '300' : '12');
    assert.equal(quota(), '20000');
    if (isV2) assert.equal(read(cpu, 'cpu.max'), '20000 100000');
    const r = sb.runts(['update', '--resources', '-', c.id], { input: JSON.stringify({ pids: { limit: 43 }, memory: { limit: 50 * MiB }, cpu: { quota: -1 } }) });
    ok(r, 'update --resources -');
    assert.equal(read(pids, 'pids.max'), '43');
    assert.equal(read(mem, F.memLimit), String(50 * MiB));
    assert.equal(quota(), isV1 ? '-1' : 'max');
    ok(sb.runts(['update', '--pids-limit', '-1', c.id]), 'unlimited pids');
    assert.equal(read(pids, 'pids.max'), 'max');
    // Kept: a later reader sees the values applied so far.
    const saved = JSON.parse(readFileSync(join(sb.root, c.id, 'state.json'), 'utf8'));
    assert.deepEqual(saved.resources, { pids: { limit: -1 }, memory: { limit: 50 * MiB }, cpu: { shares: 300, quota: -1 } });
    // Refused input names the problem, and changes nothing.
    const bad = sb.runts(['update', '-r', '-', c.id], { input: '{"memory":{"limit":"lots"}}' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--resources: \/memory\/limit: must be integer/);
    const badFlag = sb.runts(['update', '--memory', '10X', c.id]);
    assert.equal(badFlag.status, 1);
    assert.match(badFlag.stderr, /invalid value for memory: invalid size: '10X'/);
    assert.equal(read(mem, F.memLimit), String(50 * MiB));
    ok(sb.runts(['delete', '-f', c.id]), 'delete');
  });

  test('errors as runc words them: a stopped container, a missing one', () => {
    const c = runDetached(baseSpec(['true']));
    assert.ok(waitForStopped(c.id));
    for (const [args, msg] of [
      [['update', '--pids-limit', '5', c.id], 'container not running'],
      [['update', '--pids-limit', '5', 'nope'], 'container does not exist'],
    ] as const) {
      const r = sb.runts([...args]);
      assert.equal(r.status, 1);
      assert.equal(r.stderr, `runts: ${msg}\n`);
    }
    ok(sb.runts(['delete', c.id]), 'delete');
  });
});

function waitForStopped(cid: string): boolean {
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    if (sb.state(cid).status === 'stopped') return true;
    spawnSync('sleep', ['0.05']);
  }
  return false;
}

describe('pause and resume', { skip: noCgroups }, () => {
  test('pause freezes a counting loop, resume lets it go on; state and list say paused', async () => {
    const spec = baseSpec(['sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i > /tmp/count; usleep 20000; done']);
    spec.root.readonly = false;
    const c = runDetached(spec);
    const counter = join(c.bundle, 'rootfs', 'tmp', 'count');
    const count = (): number => {
      for (let i = 0; i < 50; i++) {
        const n = parseInt(existsSync(counter) ? readFileSync(counter, 'utf8') : '', 10);
        if (!Number.isNaN(n)) return n;
        spawnSync('sleep', ['0.01']);
      }
      throw new Error('no count');
    };
    assert.ok(await waitFor(() => existsSync(counter) && count() > 3, 5000));
    ok(sb.runts(['pause', c.id]), 'pause');
    assert.equal(sb.state(c.id).status, 'paused');
    assert.match(sb.runts(['list']).stdout, new RegExp(`^${c.id}\\s+${c.pid}\\s+paused\\s`, 'm'));
    const frozenAt = count();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(count(), frozenAt, 'the counter moved while paused');
    ok(sb.runts(['resume', c.id]), 'resume');
    assert.equal(sb.state(c.id).status, 'running');
    assert.ok(await waitFor(() => count() > frozenAt + 3, 5000), 'the counter did not go on after resume');
    ok(sb.runts(['delete', '-f', c.id]), 'delete');
  });

  test('runc\'s rules and words: pause twice, resume a running container, delete a paused one', () => {
    const c = runDetached(baseSpec(['sleep', '60']));
    ok(sb.runts(['pause', c.id]), 'pause');
    const cases: [string[], string][] = [
      [['pause', c.id], 'container not running'],
      [['delete', c.id], `cannot delete container ${c.id} that is not stopped: paused`],
    ];
    for (const [args, msg] of cases) {
      const r = sb.runts(args);
      assert.equal(r.status, 1, args.join(' '));
      assert.equal(r.stderr, `runts: ${msg}\n`);
    }
    ok(sb.runts(['resume', c.id]), 'resume');
    const r = sb.runts(['resume', c.id]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'runts: container not paused\n');
    ok(sb.runts(['delete', '-f', c.id]), 'delete');

    if (!haveRunc) return;
    const rid = sb.id(`rc${PREFIX}`);
    ok(sb.runc(['run', '-d', '-b', c.bundle, rid]), 'runc run');
    ok(sb.runc(['pause', rid]), 'runc pause');
    const runcMsg = (args: string[]) => {
      const x = sb.runc(args);
      return { status: x.status, msg: /msg="([^"]*)"/.exec(x.stderr)?.[1] };
    };
    assert.deepEqual(runcMsg(['pause', rid]), { status: 1, msg: 'container not running' });
    assert.deepEqual(runcMsg(['delete', rid]), { status: 1, msg: `cannot delete container ${rid} that is not stopped: paused` });
    ok(sb.runc(['resume', rid]), 'runc resume');
    assert.deepEqual(runcMsg(['resume', rid]), { status: 1, msg: 'container not paused' });
    ok(sb.runc(['delete', '-f', rid]), 'runc delete');
  });

  test('a created container can be paused and resumed (back to created)', () => {
    const cid = id();
    const bundle = sb.bundle(baseSpec(['true']));
    ok(sb.runts(['create', '-b', bundle, cid]), 'create');
    ok(sb.runts(['pause', cid]), 'pause');
    assert.equal(sb.state(cid).status, 'paused');
    ok(sb.runts(['resume', cid]), 'resume');
    assert.equal(sb.state(cid).status, 'created');
    ok(sb.runts(['delete', cid]), 'delete');
  });

  test('a paused container can be killed, and `delete --force`d', () => {
    const a = runDetached(baseSpec(['sh', '-c', 'sleep 60 & sleep 60']));
    const dirs = [...cgroupDirsOf(a.pid).values()];
    ok(sb.runts(['pause', a.id]), 'pause');
    ok(sb.runts(['delete', '--force', a.id]), 'delete --force');
    assert.equal(sb.runts(['state', a.id]).status, 1);
    for (const d of dirs) assert.ok(!existsSync(d), `${d} left behind`);

    const b = runDetached(baseSpec(['sleep', '60']));
    ok(sb.runts(['pause', b.id]), 'pause');
    ok(sb.runts(['kill', b.id, 'KILL']), 'kill');
    assert.ok(waitForStopped(b.id), 'SIGKILL did not stop the paused container');
    ok(sb.runts(['delete', b.id]), 'delete');
  });
});

describe('ps, kill --all, events --stats', { skip: noCgroups }, () => {
  test('ps --format json lists the host pids in the container, the table filters `ps -ef`', async () => {
    const c = runDetached(baseSpec(['sh', '-c', 'sleep 61 & sleep 62 & wait']));
    const procs = dirOf(c.pid, 'pids');
    assert.ok(await waitFor(() => read(procs, 'cgroup.procs').split('\n').length === 3));
    const want = read(procs, 'cgroup.procs').split('\n').map(Number).sort();
    const json = sb.runts(['ps', '--format', 'json', c.id]);
    ok(json, 'ps json');
    assert.deepEqual((JSON.parse(json.stdout) as number[]).sort(), want);
    assert.ok(want.includes(c.pid));
    const table = sb.runts(['ps', c.id]);
    ok(table, 'ps');
    const lines = table.stdout.trim().split('\n');
    assert.match(lines[0]!, /^UID\s+PID\s+PPID/);
    assert.equal(lines.length, 4);
    assert.match(table.stdout, /sleep 61/);
    assert.match(table.stdout, /sleep 62/);
    const custom = sb.runts(['ps', c.id, '-o', 'pid,comm']);
    assert.deepEqual(custom.stdout.trim().split('\n').slice(1).map((l) => Number(l.trim().split(/\s+/)[0])).sort(), want);
    const noPid = sb.runts(['ps', c.id, '-o', 'comm']);
    assert.equal(noPid.status, 1);
    assert.equal(noPid.stderr, "runts: couldn't find PID field in ps output\n");

    // kill --all reaches every process of the cgroup.
    ok(sb.runts(['kill', '--all', c.id, 'TERM']), 'kill --all');
    assert.ok(await waitFor(() => !existsSync(join(procs, 'cgroup.procs')) || read(procs, 'cgroup.procs') === '', 5000));
    assert.equal(sb.runts(['ps', '-f', 'json', c.id]).stdout, 'null\n');
    ok(sb.runts(['delete', c.id]), 'delete');
  });

  test('a container sharing the host pid namespace: kill --all and delete reach the processes its init left behind', async () => {
    const spec = baseSpec(['sh', '-c', 'sleep 63 & exec sleep 64']);
    spec.linux.namespaces = spec.linux.namespaces.filter((n: Json) => n.type !== 'pid');
    const c = runDetached(spec);
    const procs = dirOf(c.pid, 'pids');
    assert.ok(await waitFor(() => read(procs, 'cgroup.procs').split('\n').length === 2));
    const child = read(procs, 'cgroup.procs').split('\n').map(Number).find((p) => p !== c.pid)!;
    ok(sb.runts(['kill', c.id, 'KILL']), 'kill the init');
    assert.ok(waitForStopped(c.id));
    assert.ok(existsSync(`/proc/${child}`), 'the child outlives the init here');
    ok(sb.runts(['delete', c.id]), 'delete');
    assert.ok(await waitFor(() => !existsSync(`/proc/${child}`) || readFileSync(`/proc/${child}/stat`, 'utf8').includes(') Z ')), 'delete left a process running');
    assert.ok(!existsSync(procs));
  });

  test('events --stats prints one line with the fields runc prints for the same bundle', { skip: !haveRunc && 'runc not installed' }, () => {
    const spec = baseSpec(['sleep', '60']);
    spec.linux.resources = { memory: { limit: 64 * MiB }, pids: { limit: 30 }, cpu: { quota: 50000, period: 100000 } };
    const c = runDetached(spec);
    const rid = sb.id(`rc${PREFIX}`);
    ok(sb.runc(['run', '-d', '-b', c.bundle, rid]), 'runc run');
    try {
      const r = sb.runts(['events', '--stats', c.id]);
      ok(r, 'events --stats');
      assert.equal(r.stdout.split('\n').length, 2, 'one line');
      const runts = JSON.parse(r.stdout);
      const runc = JSON.parse(sb.runc(['events', '--stats', rid]).stdout);
      // Key paths; Go's omitempty drops zero counters (blkio entries, the
      // throttling counts, memory.cache), so those depend on what happened.
      const keys = (v: unknown, p = ''): string[] => {
        if (Array.isArray(v)) return v.length > 0 ? keys(v[0], `${p}[]`) : [];
        if (typeof v !== 'object' || v === null) return [];
        return Object.entries(v).flatMap(([k, x]) => [`${p}/${k}`, ...keys(x, `${p}/${k}`)]);
      };
      // On v2, runts reports the peak (memory.peak, kernel 5.19+) as usage.max; runc 1.1.5 predates it.
      const stable = (ks: string[]) => ks.filter((k) => !/^\/data\/blkio\/|^\/data\/cpu\/throttling\/|^\/data\/memory\/cache$/.test(k) && !(isV2 && k === '/data/memory/usage/max')).sort();
      assert.deepEqual(stable(keys(runts)), stable(keys(runc)));
      assert.equal(runts.type, 'stats');
      assert.equal(runts.id, c.id);
      assert.equal(runts.data.memory.usage.limit, 64 * MiB);
      assert.equal(runts.data.pids.limit, 30);
      assert.equal(runts.data.pids.current, 1);
      assert.deepEqual(Object.keys(runts.data.memory.raw).sort(), Object.keys(runc.data.memory.raw).sort());
    } finally {
      sb.runc(['delete', '-f', rid]);
    }
    ok(sb.runts(['delete', '-f', c.id]), 'delete');
    const stopped = sb.runts(['events', '--stats', c.id]);
    assert.equal(stopped.status, 1);
  });

  test('runts-init stays out of the container\'s cgroups in the foreground (run, exec); a cgroup namespace is rooted at them', async () => {
    const spec = baseSpec(['sleep', '60']);
    spec.linux.namespaces.push({ type: 'cgroup' });
    const cid = id();
    const bundle = sb.bundle(spec);
    const fg = sb.runtsAsync(['run', '-b', bundle, cid]);
    try {
      assert.ok(await waitFor(() => sb.runts(['state', cid]).stdout.includes('"running"'), 10_000), 'the container did not start');
      const pid = sb.state(cid).pid;
      const pids = dirOf(pid, 'pids');
      assert.equal(pids, join(dirOf(process.pid, 'pids'), cid));
      // Only the container's init: not the runts-init waiting for it.
      assert.deepEqual(read(pids, 'cgroup.procs').split('\n'), [String(pid)]);
      const parentOfInit = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      assert.notEqual(dirOf(parentOfInit, 'pids'), pids);

      // A foreground exec: the new process is in, its runts-init is not.
      const ex = sb.runtsAsync(['exec', cid, 'sh', '-c', 'cat /proc/self/cgroup; sleep 60']);
      let out = '';
      ex.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      assert.ok(await waitFor(() => read(pids, 'cgroup.procs').split('\n').length === 2, 10_000), 'the exec did not start');
      const procs = read(pids, 'cgroup.procs').split('\n').map(Number);
      const execPid = procs.find((p) => p !== pid)!;
      const execParent = Number(readFileSync(`/proc/${execPid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      assert.notEqual(dirOf(execParent, 'pids'), pids);
      // In its cgroup namespace the container's cgroups are the root.
      assert.ok(await waitFor(() => out.includes('\n'), 5_000));
      for (const line of out.trim().split('\n')) assert.ok(line.endsWith(':/'), line);
      ex.kill('SIGKILL');
    } finally {
      ok(sb.runts(['delete', '-f', cid]), 'delete');
      fg.kill('SIGKILL');
    }
  });

  test('exec runs the new process in the container\'s cgroups (every hierarchy); a paused container refuses exec', () => {
    const c = runDetached(baseSpec(['sleep', '60']));
    const r = sb.runts(['exec', c.id, 'cat', '/proc/self/cgroup']);
    ok(r, 'exec');
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, cgroupDirsOf(c.pid).size);
    for (const l of lines) assert.ok(l.endsWith(`/${c.id}`), l);
    ok(sb.runts(['pause', c.id]), 'pause');
    const paused = sb.runts(['exec', c.id, 'true'], { timeout: 10_000 });
    assert.equal(paused.status, 255);
    assert.equal(paused.stderr, 'runts: exec failed: cannot exec in a paused container\n');
    ok(sb.runts(['delete', '-f', c.id]), 'delete');
  });
});

describe('exec --cgroup', { skip: noCgroups }, () => {
  test('runs the process in an existing sub-cgroup, per controller or in all; a missing one is refused', () => {
    const c = runDetached(baseSpec(['sleep', '60']));
    try {
      const saved = JSON.parse(readFileSync(join(sb.root, c.id, 'state.json'), 'utf8')).cgroups as { paths: Record<string, string> };
      if (isV2) {
        // One cgroup: the path alone; controller names are v1's.
        mkdirSync(join(saved.paths['']!, 'sub'));
        let r = sb.runts(['exec', '--cgroup', 'sub', c.id, 'cat', '/proc/self/cgroup']);
        ok(r, 'exec --cgroup sub');
        assert.equal(r.stdout.trim(), `0::${saved.paths['']!.slice(CGROUP_ROOT.length)}/sub`);
        r = sb.runts(['exec', '--cgroup', 'memory:sub', c.id, 'true']);
        assert.equal(r.status, 255);
        assert.equal(r.stderr, 'runts: exec failed: --cgroup memory:sub: controller names select cgroup v1 hierarchies; on cgroup v2 give the path alone\n');
        r = sb.runts(['exec', '--cgroup', 'nosub', c.id, 'true']);
        assert.equal(r.status, 255);
        assert.match(r.stderr, /^runts: exec failed: --cgroup: \S+\/nosub: no such cgroup\n$/);
        return;
      }
      const memory = saved.paths.memory!;
      mkdirSync(join(memory, 'sub'));
      let r = sb.runts(['exec', '--cgroup', 'memory:sub', c.id, 'cat', '/proc/self/cgroup']);
      ok(r, 'exec --cgroup memory:sub');
      for (const line of r.stdout.trim().split('\n')) {
        const controllers = line.split(':')[1]!.split(',');
        assert.ok(line.endsWith(controllers.includes('memory') ? `/${c.id}/sub` : `/${c.id}`), line);
      }
      r = sb.runts(['exec', '--cgroup', 'sub', c.id, 'true']);
      assert.equal(r.status, 255);
      assert.match(r.stderr, /^runts: exec failed: --cgroup: \S+\/sub \(\S+\): no such cgroup\n$/);
      r = sb.runts(['exec', '--cgroup', 'nosuchctl:sub', c.id, 'true']);
      assert.equal(r.stderr, 'runts: exec failed: --cgroup nosuchctl:sub: the container has no "nosuchctl" cgroup\n');
    } finally {
      ok(sb.runts(['delete', '-f', c.id]), 'delete removes the sub-cgroup too');
    }
  });
});

describe('create and delete leave no cgroup behind', { skip: noCgroups }, () => {
  test('a failed create (a refused limit, a failing prestart hook) removes the cgroups it made', () => {
    const bad = baseSpec(['true']);
    bad.linux.resources = { cpu: { cpus: '999' } };
    let cid = id();
    let r = sb.runts(['create', '-b', sb.bundle(bad), cid]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cpuset\.cpus/);
    assert.deepEqual(cgroupDirsNamed(cid), []);
    assert.equal(sb.runts(['state', cid]).status, 1);

    // Fails once runts-init and the container init are in the cgroups.
    const badHook = baseSpec(['true']);
    badHook.linux.resources = { pids: { limit: 10 } };
    badHook.hooks = { prestart: [{ path: '/bin/false' }] };
    cid = id();
    r = sb.runts(['create', '-b', sb.bundle(badHook), cid]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /prestart hook/);
    assert.deepEqual(cgroupDirsNamed(cid), []);
  });

  test('a cgroupsPath whose cgroup already holds processes is refused, and that cgroup is left alone', () => {
    const a = runDetached(baseSpec(['sleep', '60']));
    const dirs = [...cgroupDirsOf(a.pid).values()];
    const spec = baseSpec(['true']);
    spec.linux.cgroupsPath = a.id; // relative: <own cgroup>/<a's id>, a's own cgroup
    const cid = id();
    const r = sb.runts(['create', '-b', sb.bundle(spec), cid]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /already exists and has processes/);
    for (const d of dirs) assert.ok(existsSync(d), `${d} was removed`);
    assert.equal(sb.state(a.id).status, 'running');
    ok(sb.runts(['delete', '-f', a.id]), 'delete');
  });

  test('delete removes every directory it created (a nested cgroupsPath too), never a parent it found', () => {
    const parent = `${PREFIX}parent`;
    // A parent that exists before (in the pids hierarchy only) must survive.
    const ownPids = dirOf(process.pid, 'pids');
    mkdirSync(join(ownPids, parent));
    try {
      const spec = baseSpec(['sleep', '60']);
      const cid = id();
      spec.linux.cgroupsPath = `${parent}/mid/${cid}`;
      const c = runDetached(spec, cid);
      const dirs = [...cgroupDirsOf(c.pid).values()];
      for (const d of dirs) assert.ok(d.endsWith(`/${parent}/mid/${cid}`), d);
      ok(sb.runts(['delete', '-f', cid]), 'delete');
      for (const d of dirs) {
        assert.ok(!existsSync(d), `${d} left behind`);
        const made = join(d, '..', '..');
        assert.equal(existsSync(made), made === join(ownPids, parent), made);
      }
    } finally {
      try {
        rmdirSync(join(ownPids, parent));
      } catch {
        // still holds the container's cgroup: the last test reports it
      }
    }
  });
});

describe('the bridge loads cgroup v2 device programs', () => {
  // The unified tree of this (hybrid) host takes BPF_CGROUP_DEVICE programs
  // like a v2 host: the test uses a child of runts' own cgroup there.
  const unified = cgroupMounts().get('');
  test('a denied device cannot be opened; a new program replaces the old', { skip: (unified === undefined || process.geteuid?.() !== 0) && 'no cgroup2 mount' }, () => {
    const own = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::'))!.slice(3);
    const dir = join(unified!, own, `${PREFIX}bpf`);
    mkdirSync(dir);
    // (no /dev/null in the probe itself: one of the programs denies it)
    const sink = join(sb.dir, 'probe');
    const probe = (): string =>
      spawnSync('sh', ['-c', `echo $$ > ${dir}/cgroup.procs && for d in zero null; do head -c1 /dev/$d >${sink} 2>&1 && echo $d ok || echo $d denied; done`], { encoding: 'utf8' }).stdout;
    try {
      assert.equal(probe(), 'zero ok\nnull ok\n');
      const denyZero = encodeBpf(deviceFilterProgram({ defaultAllow: true, exceptions: new Map([['c 1:5', { type: 'c', major: 1, minor: 5, access: ACC_ALL }]]) }));
      bridge().loadDeviceProgram(denyZero, dir);
      assert.equal(probe(), 'zero denied\nnull ok\n');
      // What runts installs for a config denying everything: runc's defaults only.
      const defaults = encodeBpf(deviceFilterProgram(deviceTargetState(normalizeDeviceRules([{ allow: false, access: 'rwm' }], []))));
      bridge().loadDeviceProgram(defaults, dir);
      assert.equal(probe(), 'zero ok\nnull ok\n');
      const onlyZero = encodeBpf(deviceFilterProgram({ defaultAllow: false, exceptions: new Map([['c 1:5', { type: 'c', major: 1, minor: 5, access: ACC_ALL }]]) }));
      bridge().loadDeviceProgram(onlyZero, dir);
      assert.equal(probe(), 'zero ok\nnull denied\n');
      assert.throws(() => bridge().loadDeviceProgram(Buffer.alloc(8), dir), /BPF_PROG_LOAD.*Invalid argument \(verifier: /s);
      assert.throws(() => bridge().loadDeviceProgram(denyZero, join(dir, 'nope')), /open .*nope: No such file or directory/);
    } finally {
      // The probes have exited: the cgroup is empty.
      rmdirSync(dir);
    }
  });
});

describe('the v2 manager against a real cgroup2 tree', () => {
  // This host's unified tree has no controller worth managing, and runts
  // must not enable any in the host's cgroups: the manager is reopened on a
  // child cgroup made here (as `runts pause` and friends reopen one), so
  // what is tried is what needs no controller: device rules (eBPF), moving
  // processes in, the v2 freezer, cgroup.kill, removal.
  const unified = cgroupMounts().get('');
  test('device rules, addProcess, freeze/thaw (state reads paused), kill, destroy', { skip: unified === undefined && 'no cgroup2 mount' }, async () => {
    const { loadCgroupManager } = await import('../../src/cgroups/manager.ts');
    const { cgroupFrozen } = await import('../../src/container/state-store.ts');
    const { managerOptions, waitEmpty } = await import('../../src/container/cgroups.ts');
    const own = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::'))!.slice(3);
    const dir = join(unified!, own, `${PREFIX}v2`);
    mkdirSync(dir);
    const saved = { version: 2 as const, paths: { '': dir }, created: [dir] };
    const cg = loadCgroupManager(saved, managerOptions(null));
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      cg.apply({ devices: [{ allow: false, access: 'rwm' }] });
      const probe = spawnSync('sh', ['-c', `echo $$ > ${dir}/cgroup.procs && for d in zero kmsg; do head -c1 /dev/$d >${join(sb.dir, 'probe2')} 2>&1 && echo $d ok || echo $d denied; done`], { encoding: 'utf8' });
      assert.equal(probe.stdout, 'zero ok\nkmsg denied\n');
      cg.addProcess(sleeper.pid!);
      assert.deepEqual(cg.pids(), [sleeper.pid]);
      await cg.freeze();
      assert.equal(cg.freezerState(), 'frozen');
      assert.equal(cgroupFrozen(saved), true);
      cg.thaw();
      assert.equal(cgroupFrozen(saved), false);
      assert.equal(cg.kill(), true);
      assert.ok(await waitEmpty(cg, 5000));
      cg.destroy();
      assert.ok(!existsSync(dir));
    } finally {
      sleeper.kill('SIGKILL');
      await waitFor(() => !existsSync(join(dir, 'cgroup.procs')) || readFileSync(join(dir, 'cgroup.procs'), 'utf8') === '', 5000);
      try {
        rmdirSync(dir);
      } catch {
        // removed by the test
      }
    }
  });
});

test('no cgroup of these tests is left anywhere', () => {
  // (after every other test of this file: node:test runs them in order)
  for (const cid of readdirSync(sb.root).filter((n) => n.startsWith(PREFIX))) sb.runts(['delete', '-f', cid]);
  assert.deepEqual(cgroupDirsNamed(PREFIX), []);
  assert.deepEqual(cgroupDirsNamed(`rc${PREFIX}`), []);
});
