// How the container's processes run, seen from inside: linux.personality,
// process.scheduler, process.ioPriority, process.execCPUAffinity,
// linux.memoryPolicy, for the init and for `runts exec`; and the AppArmor /
// SELinux settings on a host that may lack them. runc 1.1.5 knows only the
// LSM fields, so only those are compared with it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { baseSpec, Sandbox, type Json } from './helpers.ts';
import { detectHostLsm } from '../../src/plan/lsm.ts';

let sb: Sandbox;
before(() => {
  sb = new Sandbox();
});
after(() => sb.cleanup());

const LSM = detectHostLsm();
const ARCH = process.arch;

/** nice (field 19), rt_priority (40) and policy (41) of a /proc/<pid>/stat line. */
function sched(statLine: string): { nice: number; rtPriority: number; policy: number } {
  const f = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3
  return { nice: Number(f[19 - 3]), rtPriority: Number(f[40 - 3]), policy: Number(f[41 - 3]) };
}

/** `runts run` of a config edited by `edit`; asserts success and returns stdout. */
function runIn(edit: (s: Json) => void, script: string): string {
  const spec = baseSpec(['sh', '-c', script]);
  edit(spec);
  const r = sb.runts(['run', '-b', sb.bundle(spec), sb.id()]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** A detached container (sleep) made from a config edited by `edit`. */
function detached(edit: (s: Json) => void): string {
  const spec = baseSpec(['sleep', '1000']);
  edit(spec);
  const id = sb.id();
  const r = sb.runts(['run', '-d', '-b', sb.bundle(spec), id]);
  assert.equal(r.status, 0, r.stderr);
  return id;
}

/** Runs with a config error: exit 1, the message, and no state left. */
function refused(edit: (s: Json) => void, message: string): void {
  const spec = baseSpec(['true']);
  edit(spec);
  const id = sb.id();
  const r = sb.runts(['run', '-b', sb.bundle(spec), id]);
  assert.equal(r.status, 1, r.stdout);
  assert.equal(r.stderr, `runts: ${message}\n`);
  assert.equal(existsSync(join(sb.root, id)), false, 'no state left');
}

/** A process.json; its capabilities are the default config's without the ambient set (no warning about it). */
function processJson(p: Json): string {
  const path = join(sb.dir, `process-${Math.random().toString(36).slice(2, 8)}.json`);
  const caps = { ...baseSpec().process.capabilities };
  delete caps.ambient;
  writeFileSync(path, JSON.stringify({ cwd: '/', env: ['PATH=/bin'], user: { uid: 0, gid: 0 }, capabilities: caps, ...p }));
  return path;
}

// --- personality -------------------------------------------------------------

const X86 = ARCH === 'x64' ? false : 'LINUX32 is checked on x86_64 hosts';

test('personality LINUX32: uname says i686 in the init and in an exec; runc 1.1.5 ignores the field', { skip: X86 }, () => {
  const edit = (s: Json) => (s.linux.personality = { domain: 'LINUX32' });
  assert.equal(runIn(edit, 'cat /proc/self/personality; uname -m'), '00000008\ni686\n');
  const id = detached(edit);
  const r = sb.runts(['exec', id, 'uname', '-m']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'i686\n');
  // runc 1.1.5 predates linux.personality
  const rc = sb.runc(['run', '-b', sb.bundle({ ...baseSpec(['uname', '-m']), linux: { ...baseSpec().linux, personality: { domain: 'LINUX32' } } }), sb.id()]);
  assert.equal(rc.status, 0, rc.stderr);
  assert.equal(rc.stdout, 'x86_64\n');
});

test('personality LINUX resets what runts inherited; flags are refused', { skip: X86 }, () => {
  assert.equal(runIn((s) => (s.linux.personality = { domain: 'LINUX' }), 'uname -m'), 'x86_64\n');
  refused(
    (s) => (s.linux.personality = { domain: 'LINUX32', flags: ['ADDR_NO_RANDOMIZE'] }),
    'config.json: /linux/personality/flags/0: unknown flag "ADDR_NO_RANDOMIZE" (the runtime-spec supports no personality flags)',
  );
});

// --- scheduler ---------------------------------------------------------------

test('scheduler: SCHED_BATCH with a negative nice; SCHED_FLAG_RESET_ON_FORK resets it in children', () => {
  const out = runIn(
    (s) => (s.process.scheduler = { policy: 'SCHED_BATCH', nice: -5, flags: ['SCHED_FLAG_RESET_ON_FORK'] }),
    'cat /proc/self/stat; cat /proc/$$/stat',
  ).trim().split('\n');
  // the child: still SCHED_BATCH (not real-time), its negative nice back to 0
  assert.deepEqual(sched(out[0]!), { nice: 0, rtPriority: 0, policy: 3 });
  assert.deepEqual(sched(out[1]!), { nice: -5, rtPriority: 0, policy: 3 });
  const idle = runIn((s) => (s.process.scheduler = { policy: 'SCHED_IDLE' }), 'cat /proc/self/stat');
  assert.equal(sched(idle).policy, 5);
});

/** cgroup v1 with real-time group scheduling gives a new cgroup no real-time runtime: the config must. */
const RT_V1 = existsSync('/sys/fs/cgroup/cpu/cpu.rt_runtime_us');

test('scheduler: SCHED_FIFO for the init; an exec inherits it, or takes its process.json\'s', () => {
  const id = detached((s) => {
    s.process.scheduler = { policy: 'SCHED_FIFO', priority: 7 };
    if (RT_V1) s.linux.resources = { cpu: { realtimeRuntime: 20000, realtimePeriod: 1000000 } };
  });
  let r = sb.runts(['exec', id, 'sh', '-c', 'cat /proc/1/stat; cat /proc/self/stat']);
  assert.equal(r.status, 0, r.stderr);
  const [init, exec] = r.stdout.trim().split('\n');
  assert.deepEqual(sched(init!), { nice: 0, rtPriority: 7, policy: 1 });
  assert.deepEqual(sched(exec!), { nice: 0, rtPriority: 7, policy: 1 });
  r = sb.runts(['exec', '--process', processJson({ args: ['cat', '/proc/self/stat'], scheduler: { policy: 'SCHED_OTHER', nice: 10 } }), id]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(sched(r.stdout), { nice: 10, rtPriority: 0, policy: 0 });
});

test('scheduler: what sched_setattr would refuse is a config error; SCHED_DEADLINE runs where the kernel lets it', () => {
  refused((s) => (s.process.scheduler = { policy: 'SCHED_FIFO' }), 'config.json: /process/scheduler/priority: SCHED_FIFO needs a priority in 1..99, not 0');
  refused((s) => (s.process.scheduler = { policy: 'SCHED_OTHER', nice: 20 }), 'config.json: /process/scheduler/nice: 20 is outside -20..19');
  refused(
    (s) => (s.process.scheduler = { policy: 'SCHED_DEADLINE', runtime: 100 }),
    '2 problems:\n  config.json: /process/scheduler/runtime: SCHED_DEADLINE needs a runtime of at least 1024 ns, not 100\n  config.json: /process/scheduler/deadline: SCHED_DEADLINE needs a deadline (ns, > 0)',
  );
  // A deadline task must be allowed on every CPU of its root domain (and
  // may not fork): where the kernel refuses, the call and the policy are
  // named and nothing is left.
  const spec = baseSpec(['cat', '/proc/self/stat']);
  spec.process.scheduler = { policy: 'SCHED_DEADLINE', runtime: 1_000_000, deadline: 10_000_000, period: 10_000_000 };
  const id = sb.id();
  const r = sb.runts(['run', '-b', sb.bundle(spec), id]);
  if (r.status === 0) {
    assert.equal(sched(r.stdout).policy, 6);
  } else {
    assert.match(r.stderr, /^runts: sched_setattr: SCHED_DEADLINE: (Device or resource busy|Operation not permitted|Invalid argument)\n$/);
    assert.equal(existsSync(join(sb.root, id)), false);
  }
});

// --- I/O priority ------------------------------------------------------------

test('ioPriority: the class and level in the init, inherited by an exec or replaced by its process.json', () => {
  assert.equal(runIn((s) => (s.process.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 6 }), 'ionice'), 'best-effort: prio 6\n');
  const id = detached((s) => (s.process.ioPriority = { class: 'IOPRIO_CLASS_RT', priority: 2 }));
  let r = sb.runts(['exec', id, 'ionice', '-p', '1']);
  assert.equal(r.stdout, 'realtime: prio 2\n', r.stderr);
  r = sb.runts(['exec', id, 'ionice']);
  assert.equal(r.stdout, 'realtime: prio 2\n', r.stderr);
  r = sb.runts(['exec', '--process', processJson({ args: ['ionice'], ioPriority: { class: 'IOPRIO_CLASS_IDLE', priority: 0 } }), id]);
  assert.equal(r.stdout, 'idle\n', r.stderr);
  refused((s) => (s.process.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 8 }), 'config.json: /process/ioPriority/priority: 8 is outside 0..7');
});

// --- execCPUAffinity ---------------------------------------------------------

function allowed(text: string): string {
  return /Cpus_allowed_list:\s*(\S+)/.exec(text)?.[1] ?? '?';
}

const HOST_CPUS = allowed(readFileSync('/proc/self/status', 'utf8'));
const LAST_CPU = availableParallelism() - 1;

test('execCPUAffinity: not the init\'s (the spec), each exec\'s final list', () => {
  const id = detached((s) => (s.process.execCPUAffinity = { initial: '0', final: String(LAST_CPU) }));
  let r = sb.runts(['exec', id, 'sh', '-c', 'grep Cpus_allowed_list /proc/1/status; grep Cpus_allowed_list /proc/self/status']);
  assert.equal(r.status, 0, r.stderr);
  const [init, exec] = r.stdout.trim().split('\n');
  assert.equal(allowed(init!), HOST_CPUS);
  assert.equal(allowed(exec!), String(LAST_CPU));
  r = sb.runts(['exec', '--process', processJson({ args: ['grep', 'Cpus_allowed_list', '/proc/self/status'], execCPUAffinity: { final: '0' } }), id]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(allowed(r.stdout), '0');
});

test('execCPUAffinity: CPUs the host lacks fail the exec naming the list, before (initial) or after (final) the cgroup join', () => {
  const id = detached(() => {});
  const missing = String(LAST_CPU + 100);
  let r = sb.runts(['exec', '--process', processJson({ args: ['true'], execCPUAffinity: { initial: missing } }), id]);
  assert.equal(r.status, 255);
  assert.equal(r.stderr, `runts: exec failed: sched_setaffinity: initial ${missing}: Invalid argument\n`);
  r = sb.runts(['exec', '--process', processJson({ args: ['true'], execCPUAffinity: { final: `${missing}-${Number(missing) + 1}` } }), id]);
  assert.equal(r.status, 255);
  assert.equal(r.stderr, `runts: exec failed: sched_setaffinity: final ${missing}-${Number(missing) + 1}: Invalid argument\n`);
  r = sb.runts(['exec', '--process', processJson({ args: ['true'], execCPUAffinity: { final: '1-0' } }), id]);
  assert.equal(r.stderr, 'runts: exec failed: process.json: /execCPUAffinity/final: "1-0": range "1-0" ends before it starts\n');
  // the container is unharmed, and no exec is left behind
  r = sb.runts(['exec', id, 'sh', '-c', 'cat /proc/[0-9]*/comm']);
  assert.deepEqual(r.stdout.trim().split('\n').filter((c) => c !== 'sh' && c !== 'cat'), ['sleep'], r.stderr);
});

// --- memory policy -----------------------------------------------------------

const NUMA = existsSync('/proc/self/numa_maps') ? false : 'no NUMA support in this kernel';

test('memoryPolicy: the init and an exec allocate under it', { skip: NUMA }, () => {
  const firstPolicy = (numaMaps: string) => numaMaps.split('\n')[0]!.split(' ')[1];
  assert.equal(firstPolicy(runIn((s) => (s.linux.memoryPolicy = { mode: 'MPOL_BIND', nodes: '0' }), 'cat /proc/self/numa_maps')), 'bind:0');
  assert.equal(
    firstPolicy(runIn((s) => (s.linux.memoryPolicy = { mode: 'MPOL_INTERLEAVE', nodes: '0', flags: ['MPOL_F_STATIC_NODES'] }), 'cat /proc/self/numa_maps')),
    'interleave=static:0',
  );
  assert.equal(firstPolicy(runIn((s) => (s.linux.memoryPolicy = { mode: 'MPOL_LOCAL' }), 'cat /proc/self/numa_maps')), 'local');
  const id = detached((s) => (s.linux.memoryPolicy = { mode: 'MPOL_PREFERRED', nodes: '0' }));
  const r = sb.runts(['exec', id, 'cat', '/proc/self/numa_maps']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(firstPolicy(r.stdout), 'prefer:0');
});

test('memoryPolicy: bad nodes are a config error; nodes the host lacks fail set_mempolicy, leaving nothing', { skip: NUMA }, () => {
  refused((s) => (s.linux.memoryPolicy = { mode: 'MPOL_BIND' }), 'config.json: /linux/memoryPolicy/nodes: MPOL_BIND needs at least one node');
  refused((s) => (s.linux.memoryPolicy = { mode: 'MPOL_LOCAL', nodes: '0' }), 'config.json: /linux/memoryPolicy/nodes: MPOL_LOCAL takes no nodes');
  let node = 1;
  while (existsSync(`/sys/devices/system/node/node${node}`)) node++;
  refused((s) => (s.linux.memoryPolicy = { mode: 'MPOL_BIND', nodes: String(node) }), `set_mempolicy: mode 2 nodes ${node}: Invalid argument`);
});

// --- AppArmor and SELinux ----------------------------------------------------

const NO_APPARMOR = LSM.apparmor ? 'this host has AppArmor' : false;
const NO_SELINUX = LSM.selinux ? 'this host has SELinux' : false;

test('no AppArmor: a profile is refused naming the field (runc 1.1.5 fails later, in its init)', { skip: NO_APPARMOR }, () => {
  refused((s) => (s.process.apparmorProfile = 'docker-default'), 'config.json: /process/apparmorProfile: this host does not have AppArmor enabled');
  const b = sb.bundle({ ...baseSpec(['true']), process: { ...baseSpec(['true']).process, apparmorProfile: 'docker-default' } });
  const rc = sb.runc(['run', '-b', b, sb.id()]);
  assert.notEqual(rc.status, 0);
  assert.match(rc.stderr, /apparmor/);
  // "unconfined" is what every process here is: nothing to do (runc 1.1.5 still tries to write it, and fails)
  assert.equal(runIn((s) => (s.process.apparmorProfile = 'unconfined'), 'echo ok'), 'ok\n');
  // and an exec's --apparmor
  const id = detached(() => {});
  const r = sb.runts(['exec', '--process', processJson({ args: ['true'], apparmorProfile: 'p' }), id]);
  assert.equal(r.status, 255);
  assert.equal(r.stderr, 'runts: exec failed: process.json: /apparmorProfile: this host does not have AppArmor enabled\n');
});

test('no SELinux: a process label is refused as runc refuses it; a mount label is ignored (runc 1.1.5 fails the mount)', { skip: NO_SELINUX }, () => {
  refused((s) => (s.process.selinuxLabel = 'system_u:system_r:container_t:s0'), 'config.json: /process/selinuxLabel: this host does not have SELinux enabled');
  const withLabel = baseSpec(['true']);
  withLabel.process.selinuxLabel = 'system_u:system_r:container_t:s0';
  const rc = sb.runc(['run', '-b', sb.bundle(withLabel), sb.id()]);
  assert.equal(rc.status, 1);
  assert.match(rc.stderr, /selinux label is specified in config, but selinux is disabled or not supported/);

  const label = 'system_u:object_r:container_file_t:s0:c1,c2';
  assert.equal(runIn((s) => (s.linux.mountLabel = label), 'grep -c context= /proc/self/mountinfo || true'), '0\n');
});

test('runts features reports AppArmor and SELinux as this host has them', () => {
  const r = sb.runts(['features']);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as Json;
  assert.deepEqual([doc.linux.apparmor.enabled, doc.linux.selinux.enabled], [LSM.apparmor, LSM.selinux]);
  assert.ok(doc.linux.memoryPolicy.modes.includes('MPOL_BIND'));
});
