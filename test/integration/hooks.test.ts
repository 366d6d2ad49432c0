// OCI hooks with real containers (config.md "POSIX-platform Hooks", runtime.md
// "Lifecycle"): every kind at its moment and in order, with the state each
// should see, in the namespaces each should run in, with exactly its argv
// and env; timeouts; what a failure of each kind does to the lifecycle; and
// runc side by side on the same bundle.
//
// Every hook here is a probe: busybox `sh -c PROBE` (argv[0] "sh" only works
// if it arrives exactly: busybox picks its applet by it) that appends its
// kind to <logs>/order and writes what it saw to <logs>/<kind>.*: the state
// from stdin, its mount and pid namespaces, its own /proc cmdline and
// environ (what execve got, byte for byte) and, for hooks in the runtime
// namespace, the cmdline and stat of the container init named by the state.
// (Opened by the shell itself through /proc/self: the file is bound to the
// process that opened it.)
// The container's /logs is a bind mount of <logs>, so startContainer hooks
// and the process itself write to the same place.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseSpec, BUSYBOX, Sandbox, waitFor, type Json } from './helpers.ts';

const haveRunc = spawnSync('runc', ['--version']).status === 0;
const HOST_MNT = readlinkSync('/proc/self/ns/mnt');
const HOST_PID = readlinkSync('/proc/self/ns/pid');

let sb: Sandbox;
before(() => {
  sb = new Sandbox();
});
after(() => sb?.cleanup());

const KINDS = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'] as const;
type Kind = (typeof KINDS)[number];

const PROBE = [
  'D=$LOGDIR',
  'echo $KIND >> $D/order',
  'cat > $D/$KIND.state',
  'readlink /proc/self/ns/mnt > $D/$KIND.ns',
  'readlink /proc/self/ns/pid >> $D/$KIND.ns',
  // Opened by the shell itself (before a pre-pivot_root createContainer
  // hook, /proc is the host's and $$ would name another process there).
  'exec 3< /proc/self/cmdline 4< /proc/self/environ',
  'cat <&3 > $D/$KIND.argv',
  'cat <&4 > $D/$KIND.env',
  'exec 3<&- 4<&-',
  'pwd > $D/$KIND.cwd',
  // The init named by the state, seen from the runtime namespace.
  'if [ -n "$INITPROBE" ]; then pid=$(sed -n "s/.*\\"pid\\":\\([0-9]*\\).*/\\1/p" $D/$KIND.state); cat /proc/$pid/cmdline > $D/$KIND.initcmd; cat /proc/$pid/stat > $D/$KIND.initstat; fi',
  'exit 0',
].join('; ');

/** A probe hook: container hooks resolve paths in the container's root, the others on the host. */
function probe(kind: Kind, logs: string, extra: { timeout?: number; fail?: string; sleep?: boolean } = {}): Json {
  const inContainer = kind === 'startContainer';
  let script = PROBE;
  if (extra.fail) script = `${PROBE.replace(/; exit 0$/, '')}; echo >&2; echo "${extra.fail}" >&2; echo "more detail" >&2; exit 3`;
  if (extra.sleep) script = `${PROBE.replace(/; exit 0$/, '')}; exec sleep 30`;
  const env = [`LOGDIR=${inContainer ? '/logs' : logs}`, `KIND=${kind}`, 'A=1 x', 'EMPTY=', 'B=b=c'];
  if (kind !== 'createContainer' && kind !== 'startContainer') env.push('INITPROBE=1');
  const hook: Json = { path: inContainer ? '/bin/busybox' : BUSYBOX, args: ['sh', '-c', script, kind, 'a b', ''], env };
  if (extra.timeout) hook.timeout = extra.timeout;
  return hook;
}

interface Made {
  bundle: string;
  logs: string;
  id: string;
}

/** A bundle with one probe hook of every kind (`edit` may change them), /logs bound to a fresh host dir. */
function bundleWithHooks(args: string[], edit: (hooks: Record<Kind, Json[]>, logs: string) => void = () => {}, prefix = 'h'): Made {
  const logs = join(sb.dir, `logs-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(logs);
  chmodSync(logs, 0o777);
  const spec = baseSpec(args);
  spec.mounts.push({ destination: '/logs', type: 'bind', source: logs, options: ['rbind', 'rw'] });
  spec.annotations = { 'org.example.key': 'value', 'org.example.other': 'x y' };
  const hooks = Object.fromEntries(KINDS.map((k) => [k, [probe(k, logs)]])) as Record<Kind, Json[]>;
  edit(hooks, logs);
  spec.hooks = hooks;
  const bundle = sb.bundle(spec);
  return { bundle, logs, id: sb.id(prefix) };
}

function order(logs: string): string[] {
  const f = join(logs, 'order');
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : [];
}

function stateOf(logs: string, kind: Kind): Json {
  return JSON.parse(readFileSync(join(logs, `${kind}.state`), 'utf8'));
}

function nsOf(logs: string, kind: Kind | 'process'): { mnt: string; pid: string } {
  const [mnt, pid] = readFileSync(join(logs, `${kind}.ns`), 'utf8').trim().split('\n');
  return { mnt: mnt!, pid: pid! };
}

function nulList(file: string): string[] {
  const t = readFileSync(file, 'utf8');
  return t.endsWith('\0') ? t.slice(0, -1).split('\0') : t.split('\0');
}

/** The recorded init's pid and its parent (runts-init while it lives). */
function initOf(logs: string, kind: Kind): { pid: number; ppid: number } {
  const stat = readFileSync(join(logs, `${kind}.initstat`), 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pid: Number(stat.split(' ')[0]), ppid: Number(fields[1]) };
}

function gone(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return true;
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^\S+ \(.*\) [ZX]/.test(st);
  } catch {
    return true;
  }
}

function ok(r: { status: number | null; stderr: string; stdout: string }, what: string): void {
  assert.equal(r.status, 0, `${what}: exit ${r.status}\nstderr: ${r.stderr}\nstdout: ${r.stdout}`);
}

const PROCESS = ['sh', '-c', 'echo process >> /logs/order; readlink /proc/self/ns/mnt > /logs/process.ns; readlink /proc/self/ns/pid >> /logs/process.ns; exec sleep 30'];

describe('every kind at its moment', () => {
  test('create, start, delete: order, state, namespaces, argv, env and cwd of each hook', async () => {
    const m = bundleWithHooks(PROCESS);
    ok(sb.runts(['create', '-b', m.bundle, m.id]), 'create');
    assert.deepEqual(order(m.logs), ['prestart', 'createRuntime', 'createContainer'], 'create runs prestart, createRuntime, createContainer');
    const created = sb.state(m.id);
    assert.equal(created.status, 'created');

    ok(sb.runts(['start', m.id]), 'start');
    // poststart ran before start returned; the process writes at its own pace.
    assert.deepEqual(order(m.logs).filter((k) => k !== 'process'), ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart']);
    assert.equal(order(m.logs).indexOf('process') === -1 || order(m.logs).indexOf('process') > order(m.logs).indexOf('startContainer'), true);
    assert.ok(await waitFor(() => existsSync(join(m.logs, 'process.ns'))), 'the process ran');
    assert.equal(sb.state(m.id).status, 'running');

    ok(sb.runts(['kill', m.id, 'KILL']), 'kill');
    assert.ok(await waitFor(() => sb.state(m.id).status === 'stopped'));
    assert.ok(!order(m.logs).includes('poststop'), 'poststop waits for delete');
    ok(sb.runts(['delete', m.id]), 'delete');
    assert.equal(order(m.logs).at(-1), 'poststop');
    assert.deepEqual(order(m.logs).filter((k) => k !== 'process'), [...KINDS]);

    // The state each kind sees.
    const pid = created.pid as number;
    const want = (status: string, p: number | undefined): Json => ({
      ociVersion: '1.3.0',
      id: m.id,
      status,
      ...(p === undefined ? {} : { pid: p }),
      bundle: m.bundle,
      annotations: { 'org.example.key': 'value', 'org.example.other': 'x y' },
    });
    assert.deepEqual(stateOf(m.logs, 'prestart'), want('creating', pid));
    assert.deepEqual(stateOf(m.logs, 'createRuntime'), want('creating', pid));
    // In the container's pid namespace the init is pid 1 (runtime.md "State": pid as seen there).
    assert.deepEqual(stateOf(m.logs, 'createContainer'), want('creating', 1));
    assert.deepEqual(stateOf(m.logs, 'startContainer'), want('created', 1));
    assert.deepEqual(stateOf(m.logs, 'poststart'), want('running', pid));
    assert.deepEqual(stateOf(m.logs, 'poststop'), want('stopped', undefined));
    assert.deepEqual(Object.keys(stateOf(m.logs, 'createContainer')), ['ociVersion', 'id', 'status', 'pid', 'bundle', 'annotations']);

    // Namespaces: the runtime's for prestart, createRuntime, poststart,
    // poststop; the container's (mount and pid) for createContainer and
    // startContainer.
    const proc = nsOf(m.logs, 'process');
    assert.notEqual(proc.mnt, HOST_MNT);
    assert.notEqual(proc.pid, HOST_PID);
    for (const k of ['prestart', 'createRuntime', 'poststart', 'poststop'] as const) assert.deepEqual(nsOf(m.logs, k), { mnt: HOST_MNT, pid: HOST_PID }, k);
    for (const k of ['createContainer', 'startContainer'] as const) assert.deepEqual(nsOf(m.logs, k), proc, k);

    // argv and env exactly as configured, argv[0] included.
    for (const k of KINDS) {
      const hook = probe(k, m.logs);
      assert.deepEqual(nulList(join(m.logs, `${k}.argv`)), hook.args, `${k} argv`);
      assert.deepEqual(nulList(join(m.logs, `${k}.env`)), hook.env, `${k} env`);
    }
    // cwd: the bundle for the runtime's hooks and the rootfs for
    // createContainer (as runc), the process cwd for startContainer.
    for (const k of ['prestart', 'createRuntime', 'poststart', 'poststop'] as const) assert.equal(readFileSync(join(m.logs, `${k}.cwd`), 'utf8').trim(), m.bundle, k);
    assert.equal(readFileSync(join(m.logs, 'createContainer.cwd'), 'utf8').trim(), join(m.bundle, 'rootfs'));
    assert.equal(readFileSync(join(m.logs, 'startContainer.cwd'), 'utf8').trim(), '/');

    // createRuntime ran while the init was still runts-init's clone; by
    // poststart it had exec'd the process.
    assert.equal(nulList(join(m.logs, 'createRuntime.initcmd'))[0]!.endsWith('runts-init'), true);
    // poststart: the process (its shell, or the sleep it exec'd into by then).
    const atPoststart = nulList(join(m.logs, 'poststart.initcmd'));
    assert.ok(JSON.stringify(atPoststart) === JSON.stringify(PROCESS) || JSON.stringify(atPoststart) === '["sleep","30"]', JSON.stringify(atPoststart));
  });

  test('paths: createContainer resolves in the runtime root view, startContainer in the container root', () => {
    const m = bundleWithHooks(['true'], (h, logs) => {
      // Only on the host: a script outside the rootfs.
      const hostOnly = join(logs, '..', `host-only-${Math.random().toString(36).slice(2, 8)}.sh`);
      writeFileSync(hostOnly, '#!/bin/sh\necho createContainer-host-script >> "$LOGDIR/order"\n');
      chmodSync(hostOnly, 0o755);
      h.createContainer = [{ path: hostOnly, env: [`LOGDIR=${logs}`] }];
      h.startContainer = [{ path: '/container-only.sh', env: ['LOGDIR=/logs'] }];
    });
    writeFileSync(join(m.bundle, 'rootfs', 'container-only.sh'), '#!/bin/sh\necho startContainer-rootfs-script >> "$LOGDIR/order"\n');
    chmodSync(join(m.bundle, 'rootfs', 'container-only.sh'), 0o755);
    assert.ok(!existsSync('/container-only.sh'));
    ok(sb.runts(['run', '-b', m.bundle, m.id]), 'run');
    assert.deepEqual(order(m.logs), ['prestart', 'createRuntime', 'createContainer-host-script', 'startContainer-rootfs-script', 'poststart', 'poststop']);
  });

  test('several hooks of one kind run in config order; no hooks at all changes nothing', () => {
    const m = bundleWithHooks(['true'], (h, logs) => {
      const mark = (name: string, dir: string, path = BUSYBOX): Json => ({ path, args: ['sh', '-c', `echo ${name} >> ${dir}/order`] });
      h.prestart = [mark('pre1', logs), mark('pre2', logs)];
      h.createRuntime = [mark('cr1', logs), mark('cr2', logs), mark('cr3', logs)];
      h.createContainer = [mark('cc1', logs), mark('cc2', logs)];
      h.startContainer = [mark('sc1', '/logs', '/bin/busybox'), mark('sc2', '/logs', '/bin/busybox')];
      h.poststart = [mark('ps1', logs), mark('ps2', logs)];
      h.poststop = [mark('pp1', logs), mark('pp2', logs)];
    });
    ok(sb.runts(['run', '-b', m.bundle, m.id]), 'run');
    assert.deepEqual(order(m.logs), ['pre1', 'pre2', 'cr1', 'cr2', 'cr3', 'cc1', 'cc2', 'sc1', 'sc2', 'ps1', 'ps2', 'pp1', 'pp2']);
  });
});

test('in a user namespace: the container hooks run as its root, in its namespaces', () => {
  const m = bundleWithHooks(PROCESS, () => {}, 'u');
  const spec = JSON.parse(readFileSync(join(m.bundle, 'config.json'), 'utf8')) as Json;
  spec.linux.namespaces.push({ type: 'user' });
  spec.linux.uidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
  spec.linux.gidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
  // sysfs cannot be mounted from a user namespace without its own network namespace owner
  spec.mounts = spec.mounts.filter((x: Json) => x.destination !== '/sys');
  sb.writeSpec(m.bundle, spec);
  // The mapped root must reach the bundle and the logs, and own the rootfs.
  chmodSync(sb.dir, 0o711);
  chmodSync(m.bundle, 0o711);
  const chownAll = (dir: string): void => {
    chownSync(dir, 200000, 200000);
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) chownAll(p);
      else if (!lstatSync(p).isSymbolicLink()) chownSync(p, 200000, 200000);
    }
  };
  chownAll(join(m.bundle, 'rootfs'));
  // The runtime's hooks create <logs>/order as root; the container's append to it.
  writeFileSync(join(m.logs, 'order'), '');
  chmodSync(join(m.logs, 'order'), 0o666);
  ok(sb.runts(['create', '-b', m.bundle, m.id]), 'create');
  ok(sb.runts(['start', m.id]), 'start');
  ok(sb.runts(['delete', '--force', m.id]), 'delete');
  assert.deepEqual(order(m.logs).filter((k) => k !== 'process'), [...KINDS]);
  for (const k of ['createContainer', 'startContainer'] as const) {
    assert.equal(stateOf(m.logs, k).pid, 1, k);
    assert.equal(statSync(join(m.logs, `${k}.state`)).uid, 200000, `${k} ran as the container's root`);
    assert.equal(nsOf(m.logs, k).mnt, nsOf(m.logs, 'process').mnt, k);
  }
  assert.equal(statSync(join(m.logs, 'createRuntime.state')).uid, 0, 'createRuntime ran as the runtime');
});

test('start waits for the exec, but never longer: a process that runs at once does not stall it', () => {
  // start notes what the init runs (runts-init) before it releases it and
  // waits until that changed; noted too late, it would wait out its 2 s cap.
  const b = sb.bundle(baseSpec(['sleep', '30']));
  for (let i = 0; i < 6; i++) {
    const id = sb.id('fast');
    ok(sb.runts(['create', '-b', b, id]), 'create');
    const t0 = Date.now();
    ok(sb.runts(['start', id]), 'start');
    const took = Date.now() - t0;
    ok(sb.runts(['delete', '--force', id]), 'delete');
    assert.ok(took < 1900, `start took ${took} ms`);
  }
});

describe('failures', () => {
  test('createRuntime fails: create fails with its message, nothing is left, poststop runs', () => {
    const m = bundleWithHooks(PROCESS, (h, logs) => (h.createRuntime = [probe('createRuntime', logs, { fail: 'bad thing happened' })]));
    const r = sb.runts(['create', '-b', m.bundle, m.id]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `runts: createRuntime hook #0 (${BUSYBOX}): exit status 3: bad thing happened\n`);
    assert.deepEqual(readdirSync(sb.root).filter((d) => d === m.id), [], '--root has no container');
    assert.notEqual(sb.runts(['state', m.id]).status, 0);
    const init = initOf(m.logs, 'createRuntime');
    assert.ok(gone(init.pid), 'the container init is gone');
    assert.ok(gone(init.ppid), 'runts-init is gone');
    assert.deepEqual(order(m.logs), ['prestart', 'createRuntime', 'poststop']);
    assert.deepEqual(stateOf(m.logs, 'poststop').status, 'stopped');
  });

  test('prestart fails: createRuntime never runs', () => {
    const m = bundleWithHooks(PROCESS, (h, logs) => (h.prestart = [probe('prestart', logs, { fail: 'no network' })]));
    const r = sb.runts(['create', '-b', m.bundle, m.id]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^runts: prestart hook #0 \(.*busybox\): exit status 3: no network\n$/);
    assert.deepEqual(order(m.logs), ['prestart', 'poststop']);
    assert.ok(gone(initOf(m.logs, 'prestart').pid));
  });

  test('createContainer fails: create fails with its message, nothing is left, poststop runs', () => {
    const m = bundleWithHooks(PROCESS, (h, logs) => (h.createContainer = [probe('createContainer', logs, { fail: 'cannot prepare' })]));
    const r = sb.runts(['create', '-b', m.bundle, m.id]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `runts: createContainer hook #0 (${BUSYBOX}): exit status 3: cannot prepare\n`);
    assert.ok(!existsSync(join(sb.root, m.id)), '--root has no container');
    const init = initOf(m.logs, 'createRuntime');
    assert.ok(gone(init.pid), 'the container init is gone');
    assert.ok(gone(init.ppid), 'runts-init is gone');
    assert.deepEqual(order(m.logs), ['prestart', 'createRuntime', 'createContainer', 'poststop']);
  });

  test('startContainer fails: start fails with its message, the process never runs, the container is stopped', () => {
    const m = bundleWithHooks(PROCESS, (h, logs) => (h.startContainer = [probe('startContainer', logs, { fail: 'ldconfig failed' })]));
    ok(sb.runts(['create', '-b', m.bundle, m.id]), 'create');
    const r = sb.runts(['start', m.id]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'runts: startContainer hook #0 (/bin/busybox): exit status 3: ldconfig failed\n');
    assert.equal(sb.state(m.id).status, 'stopped');
    assert.deepEqual(order(m.logs), ['prestart', 'createRuntime', 'createContainer', 'startContainer'], 'no process, no poststart');
    ok(sb.runts(['delete', m.id]), 'delete');
    assert.deepEqual(order(m.logs), ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststop']);
  });

  test('poststart fails: start fails, the container is stopped; delete runs poststop', async () => {
    const m = bundleWithHooks(PROCESS, (h, logs) => (h.poststart = [probe('poststart', logs, { fail: 'notify failed' })]));
    ok(sb.runts(['create', '-b', m.bundle, m.id]), 'create');
    const r = sb.runts(['start', m.id]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `runts: poststart hook #0 (${BUSYBOX}): exit status 3: notify failed\n`);
    assert.equal(sb.state(m.id).status, 'stopped');
    assert.ok(gone(initOf(m.logs, 'poststart').pid), 'the process was killed');
    assert.ok(!order(m.logs).includes('poststop'));
    ok(sb.runts(['delete', m.id]), 'delete');
    assert.equal(order(m.logs).at(-1), 'poststop');
  });

  test('poststop fails: delete warns and succeeds; the next poststop hook still runs', () => {
    const m = bundleWithHooks(['true'], (h, logs) => {
      h.poststop = [probe('poststop', logs, { fail: 'cleanup failed' }), { path: BUSYBOX, args: ['sh', '-c', `echo second-poststop >> ${logs}/order`] }];
    });
    ok(sb.runts(['create', '-b', m.bundle, m.id]), 'create');
    ok(sb.runts(['start', m.id]), 'start');
    const r = sb.runts(['delete', '--force', m.id]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /level=warning msg="poststop hook #0 \(.*busybox\): exit status 3: cleanup failed"/);
    assert.ok(!existsSync(join(sb.root, m.id)));
    assert.deepEqual(order(m.logs).slice(-2), ['poststop', 'second-poststop']);
  });

  test('the warning goes to --log when there is one', () => {
    const m = bundleWithHooks(['true'], (h, logs) => (h.poststop = [probe('poststop', logs, { fail: 'cleanup failed' })]));
    ok(sb.runts(['create', '-b', m.bundle, m.id]), 'create');
    const logFile = join(m.logs, 'runts.log');
    const r = sb.runts(['--log', logFile, '--log-format', 'json', 'delete', '--force', m.id]);
    assert.equal(r.status, 0, r.stderr);
    const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(lines.some((l) => l.level === 'warning' && /^poststop hook #0 .*: exit status 3: cleanup failed$/.test(l.msg)), JSON.stringify(lines));
  });

  test('timeouts: a hook past its timeout is killed and create fails naming it (runts and runts-init)', () => {
    for (const kind of ['createRuntime', 'createContainer'] as const) {
      const m = bundleWithHooks(PROCESS, (h, logs) => (h[kind] = [probe(kind, logs, { sleep: true, timeout: 1 })]));
      const t0 = Date.now();
      const r = sb.runts(['create', '-b', m.bundle, m.id]);
      const took = Date.now() - t0;
      assert.equal(r.status, 1);
      assert.equal(r.stderr, `runts: ${kind} hook #0 (${BUSYBOX}): timed out after 1s\n`, kind);
      assert.ok(took >= 1000 && took < 8000, `${kind}: took ${took} ms`);
      assert.ok(!existsSync(join(sb.root, m.id)));
      assert.ok(gone(initOf(m.logs, 'prestart').pid));
    }
  });

  test('startContainer timeout: start fails, the process never runs', () => {
    const m = bundleWithHooks(PROCESS, (h, logs) => (h.startContainer = [probe('startContainer', logs, { sleep: true, timeout: 1 })]));
    ok(sb.runts(['create', '-b', m.bundle, m.id]), 'create');
    const r = sb.runts(['start', m.id]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'runts: startContainer hook #0 (/bin/busybox): timed out after 1s\n');
    assert.ok(!order(m.logs).includes('process'));
    assert.equal(sb.state(m.id).status, 'stopped');
  });

  test('a hook that cannot be executed fails as "exec: ..." (in runts and in runts-init)', () => {
    for (const kind of ['createRuntime', 'createContainer'] as const) {
      const m = bundleWithHooks(['true'], (h) => (h[kind] = [{ path: '/nonexistent/hook' }]));
      const r = sb.runts(['create', '-b', m.bundle, m.id]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, new RegExp(`^runts: ${kind} hook #0 \\(/nonexistent/hook\\): exec: no such file or directory\\n$`));
    }
  });

  test('run (foreground): a failing startContainer hook makes run fail and still runs poststop', () => {
    const m = bundleWithHooks(PROCESS, (h, logs) => (h.startContainer = [probe('startContainer', logs, { fail: 'nope' })]));
    const r = sb.runts(['run', '-b', m.bundle, m.id]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'runts: startContainer hook #0 (/bin/busybox): exit status 3: nope\n');
    assert.deepEqual(order(m.logs), ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststop']);
    assert.ok(!existsSync(join(sb.root, m.id)));
  });
});

describe('next to runc', () => {
  test('runc run vs runts run: same hooks, order and statuses, except where runc 1.1.5 departs from the spec', { skip: !haveRunc }, () => {
    const m = bundleWithHooks(['sh', '-c', 'echo process >> /logs/order'], () => {}, 'rc');
    const rc = sb.runc(['run', '-b', m.bundle, m.id]);
    ok(rc, 'runc run');
    const runcOrder = order(m.logs);
    const runcStates = Object.fromEntries(KINDS.map((k) => [k, stateOf(m.logs, k)]));
    const runcNs = Object.fromEntries(KINDS.map((k) => [k, nsOf(m.logs, k)]));
    const runcArgv = Object.fromEntries(KINDS.map((k) => [k, nulList(join(m.logs, `${k}.argv`))]));
    const runcEnv = Object.fromEntries(KINDS.map((k) => [k, nulList(join(m.logs, `${k}.env`))]));

    // The same bundle, the same logs directory, emptied.
    for (const f of readdirSync(m.logs)) writeFileSync(join(m.logs, f), '');
    const id = sb.id('rt');
    ok(sb.runts(['run', '-b', m.bundle, id]), 'runts run');
    const runtsOrder = order(m.logs);

    // runc 1.1.5 runs poststart hooks at the end of `create`, before
    // startContainer and the process; the spec (and runts) after the
    // process is executed. Without poststart, both orders are the same.
    const withoutPoststart = (o: string[]): string[] => o.filter((k) => k !== 'poststart');
    assert.deepEqual(withoutPoststart(runtsOrder), withoutPoststart(runcOrder));
    assert.deepEqual(withoutPoststart(runtsOrder), ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'process', 'poststop']);
    assert.equal(runcOrder.indexOf('poststart'), runcOrder.indexOf('createContainer') + 1, 'runc: poststart right after createContainer');
    assert.ok(runtsOrder.indexOf('poststart') > runtsOrder.indexOf('startContainer'));

    for (const k of KINDS) {
      const rt = stateOf(m.logs, k);
      const rcs = runcStates[k];
      // Legitimately different: ociVersion (runc 1.1.5 writes its 1.0.2-dev), id, host pids.
      assert.deepEqual(Object.keys(rt), Object.keys(rcs), `${k}: fields`);
      assert.equal(rt.bundle, rcs.bundle, `${k}: bundle`);
      assert.deepEqual(rt.annotations, rcs.annotations, `${k}: annotations`);
      // runc 1.1.5 passes "created" to poststart (it runs them during create).
      if (k === 'poststart') {
        assert.equal(rcs.status, 'created');
        assert.equal(rt.status, 'running');
      } else {
        assert.equal(rt.status, rcs.status, `${k}: status`);
      }
      // Inside the container both pass the pid as the container sees it.
      if (k === 'createContainer' || k === 'startContainer') assert.equal(rt.pid, rcs.pid, `${k}: pid`);
      assert.deepEqual(nulList(join(m.logs, `${k}.argv`)), runcArgv[k], `${k}: argv`);
      assert.deepEqual(nulList(join(m.logs, `${k}.env`)), runcEnv[k], `${k}: env`);
      // The same kinds of namespaces: host ones for the runtime's hooks.
      const rtNs = nsOf(m.logs, k);
      assert.equal(rtNs.mnt === HOST_MNT, runcNs[k]!.mnt === HOST_MNT, `${k}: host mount namespace or not`);
      assert.equal(rtNs.pid === HOST_PID, runcNs[k]!.pid === HOST_PID, `${k}: host pid namespace or not`);
    }
  });
});
