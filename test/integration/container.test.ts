// What a container sees from inside: namespaces, rootfs, /dev, process
// attributes — each checked with a real busybox container.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { baseSpec, cleanEnv, RUNTS, Sandbox, type Json } from './helpers.ts';

let sb: Sandbox;
before(() => {
  sb = new Sandbox();
});
after(() => sb.cleanup());

/** Runs `script` in a container made from `spec` (args replaced) and returns its stdout. */
function inside(script: string, edit: (spec: Json) => void = () => {}): string {
  const spec = baseSpec(['sh', '-c', script]);
  edit(spec);
  const b = sb.bundle(spec);
  const r = sb.runts(['run', '-b', b, sb.id()]);
  assert.equal(r.status, 0, `container failed: ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

test('pid, uts, ipc, net and mount namespaces are new', () => {
  const out = inside('echo $$; hostname; for n in pid uts ipc net mnt; do readlink /proc/self/ns/$n; done');
  const [pid, host, ...ns] = out.trim().split('\n');
  assert.equal(pid, '1');
  assert.equal(host, 'runc');
  for (const line of ns) {
    const type = line.split(':')[0]!;
    const mine = spawnSync('readlink', [`/proc/self/ns/${type}`], { encoding: 'utf8' }).stdout.trim();
    assert.notEqual(line, mine, `${type} namespace is the host's`);
  }
});

test('no namespace entry means the host\'s namespace', () => {
  const hostNet = spawnSync('readlink', ['/proc/self/ns/net'], { encoding: 'utf8' }).stdout.trim();
  const out = inside('readlink /proc/self/ns/net', (s) => {
    s.linux.namespaces = s.linux.namespaces.filter((n: Json) => n.type !== 'network');
  });
  assert.equal(out.trim(), hostNet);
});

test('a namespace is joined by path', () => {
  const b = sb.bundle(baseSpec(['sleep', '60']));
  const first = sb.id();
  assert.equal(sb.runts(['run', '-d', '-b', b, first]).status, 0);
  const pid = sb.state(first).pid;
  const want = spawnSync('readlink', [`/proc/${pid}/ns/uts`], { encoding: 'utf8' }).stdout.trim();
  const out = inside('readlink /proc/self/ns/uts; hostname', (s) => {
    s.hostname = undefined;
    s.linux.namespaces = s.linux.namespaces.map((n: Json) => (n.type === 'uts' ? { type: 'uts', path: `/proc/${pid}/ns/uts` } : n));
  });
  assert.deepEqual(out.trim().split('\n'), [want, 'runc']);
  assert.equal(sb.runts(['delete', '-f', first]).status, 0);
});

test('root is read-only when root.readonly is set, and mounts carry their options', () => {
  const out = inside('touch /x 2>/dev/null && echo writable || echo readonly; grep -E " /(proc|sys|dev|dev/shm|dev/pts|dev/mqueue) " /proc/self/mounts');
  const lines = out.trim().split('\n');
  assert.equal(lines[0], 'readonly');
  const mounts = new Map(lines.slice(1).map((l) => { const f = l.split(' '); return [f[1], { type: f[2], opts: f[3]!.split(',') }]; }));
  assert.equal(mounts.get('/proc')?.type, 'proc');
  assert.equal(mounts.get('/sys')?.type, 'sysfs');
  assert.ok(mounts.get('/sys')?.opts.includes('ro'));
  assert.equal(mounts.get('/dev')?.type, 'tmpfs');
  assert.ok(mounts.get('/dev')?.opts.includes('nosuid'));
  assert.equal(mounts.get('/dev/pts')?.type, 'devpts');
  assert.ok(mounts.get('/dev/shm')?.opts.includes('nodev'));
  assert.equal(mounts.get('/dev/mqueue')?.type, 'mqueue');
});

test('bind mounts: ro, rbind, relative source, file onto file', () => {
  const hostDir = join(sb.dir, 'shared');
  mkdirSync(hostDir);
  writeFileSync(join(hostDir, 'f'), 'from host\n');
  const out = inside('cat /data/f; touch /data/g 2>/dev/null && echo rw || echo ro; cat /etc/hostfile; touch /rw/x && echo rw2', (s) => {
    s.mounts.push({ destination: '/data', type: 'bind', source: hostDir, options: ['rbind', 'ro'] });
    s.mounts.push({ destination: '/etc/hostfile', source: join(hostDir, 'f'), options: ['bind'] });
    s.mounts.push({ destination: '/rw', type: 'tmpfs', source: 'tmpfs', options: ['rw'] });
  });
  assert.equal(out, 'from host\nro\nfrom host\nrw2\n');
});

test('a symlink in the rootfs cannot redirect a mount onto the host', () => {
  const hostTarget = join(sb.dir, 'host-target');
  mkdirSync(hostTarget);
  const spec = baseSpec(['sh', '-c', 'ls /evil/x >/dev/null && echo mounted']);
  spec.mounts.push({ destination: '/evil/x', type: 'tmpfs', source: 'tmpfs' });
  const b = sb.bundle(spec);
  symlinkSync(hostTarget, join(b, 'rootfs', 'evil'));
  const r = sb.runts(['run', '-b', b, sb.id()]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readdirSync(hostTarget), [], 'nothing was created on the host');
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
  assert.ok(!mounts.includes(hostTarget), 'no mount on the host path');
  // it landed inside the rootfs instead
  assert.ok(existsSync(join(b, 'rootfs', sb.dir.slice(1), 'host-target', 'x')) || r.stdout.includes('mounted'));
});

test('/dev has the default devices, links, pts and shm', () => {
  const out = inside('for d in null zero full random urandom tty; do stat -c "%n %t:%T %a %F" /dev/$d; done; for l in ptmx fd stdin stdout stderr; do readlink /dev/$l; done; test -d /dev/pts && echo pts; test -d /dev/shm && echo shm; echo x > /dev/null && echo nullok');
  const lines = out.trim().split('\n');
  assert.deepEqual(lines.slice(0, 6), [
    '/dev/null 1:3 666 character special file',
    '/dev/zero 1:5 666 character special file',
    '/dev/full 1:7 666 character special file',
    '/dev/random 1:8 666 character special file',
    '/dev/urandom 1:9 666 character special file',
    '/dev/tty 5:0 666 character special file',
  ]);
  assert.deepEqual(lines.slice(6), ['pts/ptmx', '/proc/self/fd', '/proc/self/fd/0', '/proc/self/fd/1', '/proc/self/fd/2', 'pts', 'shm', 'nullok']);
});

test('linux.devices are created with their mode and owner', () => {
  const out = inside('stat -c "%n %t:%T %a %u:%g %F" /dev/mydev /dev/myfifo', (s) => {
    s.linux.devices = [
      { path: '/dev/mydev', type: 'c', major: 1, minor: 3, fileMode: 0o640, uid: 7, gid: 8 },
      { path: '/dev/myfifo', type: 'p', major: 0, minor: 0 },
    ];
  });
  assert.deepEqual(out.trim().split('\n'), ['/dev/mydev 1:3 640 7:8 character special file', '/dev/myfifo 0:0 666 0:0 fifo']);
});

test('masked and readonly paths', () => {
  const out = inside('cat /proc/timer_list 2>&1 | wc -c; ls /sys/firmware | wc -l; echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo writable || echo ro; test -e /proc/nonexistent-mask || echo fine', (s) => {
    s.linux.maskedPaths.push('/proc/nonexistent-mask');
  });
  assert.deepEqual(out.trim().split('\n'), ['0', '0', 'ro', 'fine']);
});

test('hostname, domainname and sysctl', () => {
  const out = inside('hostname; cat /proc/sys/kernel/domainname; cat /proc/sys/net/ipv4/ip_forward', (s) => {
    s.hostname = 'box';
    s.domainname = 'example.org';
    s.linux.readonlyPaths = s.linux.readonlyPaths.filter((p: string) => p !== '/proc/sys');
    s.linux.sysctl = { 'net.ipv4.ip_forward': '1' };
  });
  assert.deepEqual(out.trim().split('\n'), ['box', 'example.org', '1']);
});

test('process: env, cwd (created), user, groups, umask', () => {
  const out = inside('echo $FOO; pwd; id -u; id -g; id -G; umask', (s) => {
    s.process.env.push('FOO=bar');
    s.process.cwd = '/work/dir';
    s.root.readonly = false;
    s.process.user = { uid: 1000, gid: 1001, additionalGids: [5, 6], umask: 0o027 };
  });
  assert.deepEqual(out.trim().split('\n'), ['bar', '/work/dir', '1000', '1001', '1001 5 6', '0027']);
});

test('rlimits, oomScoreAdj, noNewPrivileges and capabilities', () => {
  const out = inside('ulimit -n; ulimit -Hn; cat /proc/self/oom_score_adj; grep -E "^(NoNewPrivs|CapBnd|CapEff|CapPrm|CapInh|CapAmb)" /proc/self/status', (s) => {
    s.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 123, hard: 456 }];
    s.process.oomScoreAdj = 100;
    // ambient capabilities must also be inheritable (and permitted), or the kernel refuses them
    s.process.capabilities.inheritable = s.process.capabilities.bounding;
  });
  const lines = out.trim().split('\n');
  assert.deepEqual(lines.slice(0, 3), ['123', '456', '100']);
  const status = Object.fromEntries(lines.slice(3).map((l) => l.split(/:\s+/)));
  // CAP_AUDIT_WRITE(29), CAP_KILL(5), CAP_NET_BIND_SERVICE(10)
  const want = ((1n << 29n) | (1n << 5n) | (1n << 10n)).toString(16).padStart(16, '0');
  assert.equal(status.NoNewPrivs, '1');
  for (const k of ['CapBnd', 'CapEff', 'CapPrm', 'CapInh', 'CapAmb']) assert.equal(status[k], want, k);
});

test('--preserve-fds passes extra fds, and no other host fd leaks in', () => {
  const b = sb.bundle(baseSpec(['sh', '-c', 'ls /proc/self/fd | sort -n | tr "\\n" " "; cat <&3']));
  const fd3 = join(sb.dir, 'fd3');
  writeFileSync(fd3, 'via fd 3\n');
  // fd 3 is preserved; fd 4 is open in the caller too and must not arrive.
  const run = spawnSync('sh', ['-c', 'exec 3<"$1" 4</dev/null; shift; exec "$@"', 'sh', fd3, process.execPath, RUNTS, '--root', sb.root, 'run', '--preserve-fds', '1', '-b', b, sb.id()], { encoding: 'utf8', env: cleanEnv() });
  assert.equal(run.status, 0, run.stderr);
  // 0-2, the preserved 3, and the directory fd ls itself opens (4)
  assert.equal(run.stdout, '0 1 2 3 4 via fd 3\n');
});

test('--no-pivot runs the container with MS_MOVE + chroot', () => {
  const b = sb.bundle(baseSpec(['sh', '-c', 'echo $$; ls /bin/busybox']));
  const r = sb.runts(['run', '--no-pivot', '-b', b, sb.id()]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '1\n/bin/busybox\n');
});

test('cgroup and time namespaces; time offsets apply', () => {
  const hostCg = spawnSync('readlink', ['/proc/self/ns/cgroup'], { encoding: 'utf8' }).stdout.trim();
  const out = inside('readlink /proc/self/ns/cgroup; cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime', (s) => {
    s.linux.namespaces.push({ type: 'cgroup' }, { type: 'time' });
    s.linux.timeOffsets = { boottime: { secs: 86400 * 365, nanosecs: 0 }, monotonic: { secs: 3600, nanosecs: 5 } };
  });
  const [cg, off1, off2, uptime] = out.trim().split('\n');
  assert.notEqual(cg, hostCg);
  assert.deepEqual([off1, off2].map((l) => l!.trim().split(/\s+/)).sort(), [['boottime', '31536000', '0'], ['monotonic', '3600', '5']]);
  assert.ok(Number(uptime) >= 86400 * 365, `uptime ${uptime} includes the boottime offset`);
});

test('rootfsPropagation and bind propagation options are applied', () => {
  const out = inside('grep -E " / | /data " /proc/self/mountinfo', (s) => {
    s.linux.rootfsPropagation = 'private';
    s.mounts.push({ destination: '/data', type: 'tmpfs', source: 'tmpfs', options: ['rshared'] });
  });
  const lines = out.trim().split('\n');
  const root = lines.find((l) => l.split(' ')[4] === '/')!;
  const data = lines.find((l) => l.split(' ')[4] === '/data')!;
  assert.ok(!/shared:|master:/.test(root.split(' - ')[0]!), `root is private: ${root}`);
  assert.match(data.split(' - ')[0]!, /shared:\d+/);
});

test('a cgroup mount shows the container\'s cgroups read-only', () => {
  const out = inside('ls /sys/fs/cgroup | head -3 | wc -l; touch /sys/fs/cgroup/x 2>/dev/null && echo rw || echo ro', (s) => {
    s.mounts.push({ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] });
  });
  assert.deepEqual(out.trim().split('\n'), ['3', 'ro']);
});
