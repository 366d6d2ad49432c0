// mounts: the default set with its types and flags, tmpfs options, bind
// mounts (ro, rw, files, recursive or not), order, created destinations,
// atime flags, the cgroup mount, destinations resolved inside the rootfs,
// and the root's propagation.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq, fail, ok, skip, type Ctx } from '../context.ts';
import type { Case } from '../case.ts';
import { mountAt, parseMountinfo, type MountInfo } from '../linux.ts';
import type { Json } from '../bundle.ts';

function mountinfo(t: Ctx, edit: (s: Json) => void, after = ''): { mounts: MountInfo[]; out: string } {
  const r = t.run(`cat /proc/self/mountinfo; echo ===; ${after || 'true'}`, edit);
  const [mi, rest] = r.stdout.split('===\n');
  return { mounts: parseMountinfo(mi ?? ''), out: rest ?? '' };
}

function need(mounts: MountInfo[], path: string): MountInfo {
  return mountAt(mounts, path) ?? fail(`nothing mounted at ${path}`);
}

/** Per-mount flags the options in a config ask for, as mountinfo's options field says them. */
const FLAG_OPTS = ['ro', 'nosuid', 'nodev', 'noexec', 'noatime', 'nodiratime', 'relatime', 'nosymfollow'];

function checkFlags(m: MountInfo, options: string[]): void {
  for (const o of options) if (FLAG_OPTS.includes(o)) ok(m.opts.includes(o), `${m.mountPoint}: ${o} missing from ${m.opts.join(',')}`);
  if (!options.includes('ro')) ok(m.opts.includes('rw'), `${m.mountPoint}: not rw (${m.opts.join(',')})`);
}

function hostDir(t: Ctx, files: Record<string, string> = {}): string {
  const d = t.tmp('hostdir');
  for (const [f, c] of Object.entries(files)) writeFileSync(join(d, f), c);
  return d;
}

/** A tmpfs mounted on the host under `dir` for the length of the case. */
function hostSubmount(t: Ctx, dir: string): void {
  mkdirSync(join(dir, 'sub'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'conf-sub', join(dir, 'sub')]);
  t.defer(() => execFileSync('umount', ['-l', join(dir, 'sub')]));
  writeFileSync(join(dir, 'sub', 'inner'), 'inner\n');
}

/** Whether the host mount holding `path` is shared (else a slave of it is just private). */
function hostMountShared(path: string): boolean {
  const mounts = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
  const holder = mounts.filter((m) => path === m.mountPoint || path.startsWith(m.mountPoint === '/' ? '/' : `${m.mountPoint}/`)).sort((a, b) => b.mountPoint.length - a.mountPoint.length)[0];
  return holder?.optional.some((o) => o.startsWith('shared:')) ?? false;
}

function propagationCase(name: string, prop: string, check: (m: MountInfo) => string | null): Case {
  return {
    name,
    run: (t) => {
      if (prop === 'slave' && !hostMountShared(t.dir)) skip("the host mount under the bundle is not shared: a slave of it cannot be told from private");
      const { mounts } = mountinfo(t, (s) => (s.linux.rootfsPropagation = prop));
      const why = check(need(mounts, '/'));
      if (why) fail(`/ with rootfsPropagation ${prop}: ${why} (optional fields: ${need(mounts, '/').optional.join(' ') || 'none'})`);
    },
  };
}

export const mountCases: Case[] = [
  {
    name: 'mounts/defaults',
    run: (t) => {
      let spec: Json;
      const { mounts } = mountinfo(t, (s) => (spec = s));
      for (const m of spec.mounts as Json[]) {
        const got = need(mounts, m.destination);
        eq(got.fstype, m.type, `type of ${m.destination}`);
        checkFlags(got, m.options ?? []);
      }
      const dev = need(mounts, '/dev');
      ok(dev.superOpts.includes('mode=755') && dev.superOpts.includes('size=65536k'), `/dev tmpfs options: ${dev.superOpts.join(',')}`);
      const pts = need(mounts, '/dev/pts');
      ok(['gid=5', 'mode=620', 'ptmxmode=666'].every((o) => pts.superOpts.includes(o)), `/dev/pts options: ${pts.superOpts.join(',')}`);
    },
  },
  {
    name: 'mounts/tmpfs-options',
    run: (t) => {
      const options = ['nosuid', 'nodev', 'noexec', 'mode=700', 'size=1m', 'uid=1000', 'gid=1000'];
      const { mounts, out } = mountinfo(t, (s) => s.mounts.push({ destination: '/conf', type: 'tmpfs', source: 'conf', options }), 'stat -c "%a %u %g" /conf');
      const m = need(mounts, '/conf');
      eq(m.fstype, 'tmpfs', 'type');
      checkFlags(m, options);
      ok(m.superOpts.includes('size=1024k'), `size: ${m.superOpts.join(',')}`);
      eq(out.trim(), '700 1000 1000', 'mode uid gid of the tmpfs root');
    },
  },
  {
    name: 'mounts/bind-ro',
    run: (t) => {
      const d = hostDir(t, { hello: 'from host\n' });
      const { mounts, out } = mountinfo(t, (s) => s.mounts.push({ destination: '/data', type: 'bind', source: d, options: ['bind', 'ro'] }), 'cat /data/hello; touch /data/x 2>/dev/null; echo touch=$?');
      checkFlags(need(mounts, '/data'), ['ro']);
      eq(out.trim().split('\n'), ['from host', 'touch=1'], 'content and a write');
    },
  },
  {
    name: 'mounts/bind-rw-shared-with-host',
    run: (t) => {
      const d = hostDir(t);
      t.run('echo written > /data/out', (s) => s.mounts.push({ destination: '/data', type: 'none', source: d, options: ['bind'] }));
      eq(readFileSync(join(d, 'out'), 'utf8'), 'written\n', 'the file the container wrote, on the host');
    },
  },
  {
    name: 'mounts/bind-file',
    run: (t) => {
      const d = hostDir(t, { 'motd': 'bound file\n' });
      const r = t.run('cat /etc/motd', (s) => s.mounts.push({ destination: '/etc/motd', type: 'bind', source: join(d, 'motd'), options: ['bind', 'ro'] }));
      eq(r.stdout, 'bound file\n', 'the bound file');
    },
  },
  {
    name: 'mounts/bind-flags',
    run: (t) => {
      const d = hostDir(t);
      const options = ['bind', 'nosuid', 'nodev', 'noexec'];
      const { mounts } = mountinfo(t, (s) => s.mounts.push({ destination: '/data', type: 'bind', source: d, options }));
      checkFlags(need(mounts, '/data'), options);
    },
  },
  {
    name: 'mounts/rbind-submounts',
    run: (t) => {
      const d = hostDir(t);
      hostSubmount(t, d);
      const r = t.run('cat /data/sub/inner', (s) => s.mounts.push({ destination: '/data', type: 'bind', source: d, options: ['rbind'] }));
      eq(r.stdout, 'inner\n', 'a submount through rbind');
    },
  },
  {
    name: 'mounts/bind-no-submounts',
    run: (t) => {
      const d = hostDir(t);
      hostSubmount(t, d);
      const r = t.run('ls -A /data/sub | wc -l', (s) => s.mounts.push({ destination: '/data', type: 'bind', source: d, options: ['bind'] }));
      eq(r.stdout.trim(), '0', 'entries of the (not recursively bound) submount');
    },
  },
  {
    name: 'mounts/order',
    run: (t) => {
      const { mounts } = mountinfo(t, (s) => {
        s.mounts.push({ destination: '/conf', type: 'tmpfs', source: 'one', options: ['size=1m'] });
        s.mounts.push({ destination: '/conf', type: 'tmpfs', source: 'two', options: ['size=2m'] });
      });
      const m = need(mounts, '/conf');
      eq([m.source, m.superOpts.find((o) => o.startsWith('size='))], ['two', 'size=2048k'], 'the later mount on top');
    },
  },
  {
    name: 'mounts/destination-created',
    run: (t) => {
      const { mounts } = mountinfo(t, (s) => s.mounts.push({ destination: '/a/b/c', type: 'tmpfs', source: 'deep', options: [] }));
      eq(need(mounts, '/a/b/c').fstype, 'tmpfs', 'type at a destination missing from the rootfs');
    },
  },
  {
    name: 'mounts/atime-flags',
    run: (t) => {
      const { mounts } = mountinfo(t, (s) => {
        s.mounts.push({ destination: '/na', type: 'tmpfs', source: 'na', options: ['noatime', 'nodiratime'] });
        s.mounts.push({ destination: '/st', type: 'tmpfs', source: 'st', options: ['strictatime'] });
      });
      checkFlags(need(mounts, '/na'), ['noatime', 'nodiratime']);
      const st = need(mounts, '/st');
      ok(!st.opts.includes('relatime') && !st.opts.includes('noatime'), `strictatime: ${st.opts.join(',')}`);
    },
  },
  {
    name: 'mounts/nosymfollow',
    run: (t) => {
      const { mounts } = mountinfo(t, (s) => s.mounts.push({ destination: '/ns', type: 'tmpfs', source: 'ns', options: ['nosymfollow'] }));
      checkFlags(need(mounts, '/ns'), ['nosymfollow']);
    },
  },
  {
    name: 'mounts/remount-ro-tmpfs',
    run: (t) => {
      const { mounts } = mountinfo(t, (s) => s.mounts.push({ destination: '/ro', type: 'tmpfs', source: 'ro', options: ['ro', 'size=1m'] }));
      checkFlags(need(mounts, '/ro'), ['ro']);
    },
  },
  {
    name: 'mounts/symlink-destination-stays-in-rootfs',
    run: (t) => {
      // /escape in the rootfs points at a host path; the mount must land at
      // that path inside the rootfs (created there), never on the host's.
      const host = hostDir(t);
      const id = t.id();
      const spec = t.spec('stat -f -c %T /escape/; ls -A /escape | wc -l', id);
      spec.root.readonly = false;
      spec.mounts.push({ destination: '/escape', type: 'tmpfs', source: 'esc', options: ['size=1m'] });
      const b = t.bundle(spec);
      symlinkSync(host, join(b, 'rootfs', 'escape'));
      const r = t.cli(['run', '--bundle', b, id]);
      if (r.status !== 0) fail(`run: ${r.stderr.trim()}`);
      eq(r.stdout.trim().split('\n'), ['tmpfs', '0'], 'what /escape is inside');
    },
  },
  {
    name: 'mounts/cgroup-v1',
    run: (t) => {
      if (!readFileSync('/proc/self/mountinfo', 'utf8').includes(' /sys/fs/cgroup/memory ')) skip('no cgroup v1 memory hierarchy on this host');
      const limit = 64 << 20;
      const r = t.run('cat /sys/fs/cgroup/memory/memory.limit_in_bytes; grep " /sys/fs/cgroup/memory " /proc/self/mountinfo', (s) => {
        s.mounts.push({ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] });
        s.linux.resources = { memory: { limit } };
      });
      const [value, line] = r.stdout.trim().split('\n');
      eq(value, String(limit), 'memory.limit_in_bytes inside');
      ok(line !== undefined && parseMountinfo(line)[0]?.opts.includes('ro'), `the memory hierarchy is not mounted ro: ${line}`);
    },
  },
  propagationCase('root/propagation-private', 'private', (m) => (m.optional.some((o) => /^(shared|master):/.test(o)) ? 'propagates' : null)),
  propagationCase('root/propagation-slave', 'slave', (m) => (!m.optional.some((o) => o.startsWith('master:')) ? 'not a slave' : m.optional.some((o) => o.startsWith('shared:')) ? 'shared' : null)),
  propagationCase('root/propagation-shared', 'shared', (m) => (!m.optional.some((o) => o.startsWith('shared:')) ? 'not shared' : null)),
  propagationCase('root/propagation-unbindable', 'unbindable', (m) => (!m.optional.includes('unbindable') ? 'not unbindable' : null)),
];
