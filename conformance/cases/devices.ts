// devices: the default nodes and /dev links, linux.devices of each type with
// their mode and owner, and the device cgroup's deny and allow rules.
import { eq, ok, type Ctx } from '../context.ts';
import type { Case } from '../case.ts';
import type { Json } from '../bundle.ts';

const stat = (t: Ctx, paths: string[], edit: (s: Json) => void = () => {}): string[] =>
  t.run(paths.map((p) => `stat -c '%n %F %t:%T %a %u %g' ${p}`).join('; '), edit).stdout.trim().split('\n');

export const deviceCases: Case[] = [
  {
    name: 'devices/defaults',
    run: (t) => {
      const got = stat(t, ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty']);
      eq(got, [
        '/dev/null character special file 1:3 666 0 0',
        '/dev/zero character special file 1:5 666 0 0',
        '/dev/full character special file 1:7 666 0 0',
        '/dev/random character special file 1:8 666 0 0',
        '/dev/urandom character special file 1:9 666 0 0',
        '/dev/tty character special file 5:0 666 0 0',
      ], 'default devices');
    },
  },
  {
    name: 'devices/default-links',
    run: (t) => {
      const r = t.run('for l in fd stdin stdout stderr ptmx; do echo $l=$(readlink /dev/$l); done');
      eq(r.stdout.trim().split('\n'), ['fd=/proc/self/fd', 'stdin=/proc/self/fd/0', 'stdout=/proc/self/fd/1', 'stderr=/proc/self/fd/2', 'ptmx=pts/ptmx'], '/dev links');
    },
  },
  {
    name: 'devices/default-usable',
    run: (t) => {
      const r = t.run('echo x > /dev/null && head -c 4 /dev/zero | wc -c && head -c 4 /dev/urandom | wc -c');
      eq(r.stdout.trim().split('\n'), ['4', '4'], 'bytes read from /dev/zero and /dev/urandom');
    },
  },
  {
    name: 'devices/char',
    run: (t) => {
      const got = stat(t, ['/dev/conf-null'], (s) => (s.linux.devices = [{ path: '/dev/conf-null', type: 'c', major: 1, minor: 3, fileMode: 0o640, uid: 1000, gid: 2000 }]));
      eq(got, ['/dev/conf-null character special file 1:3 640 1000 2000'], 'the node');
    },
  },
  {
    name: 'devices/block',
    run: (t) => {
      const got = stat(t, ['/dev/conf-loop'], (s) => (s.linux.devices = [{ path: '/dev/conf-loop', type: 'b', major: 7, minor: 200, fileMode: 0o600 }]));
      eq(got, ['/dev/conf-loop block special file 7:c8 600 0 0'], 'the node');
    },
  },
  {
    name: 'devices/fifo',
    run: (t) => {
      const r = t.run("stat -c '%F %a' /dev/conf-fifo", (s) => (s.linux.devices = [{ path: '/dev/conf-fifo', type: 'p', fileMode: 0o620 }]));
      eq(r.stdout.trim(), 'fifo 620', 'the fifo');
    },
  },
  {
    name: 'devices/nested-path',
    run: (t) => {
      const got = stat(t, ['/dev/conf/dir/zero'], (s) => (s.linux.devices = [{ path: '/dev/conf/dir/zero', type: 'c', major: 1, minor: 5 }]));
      ok(got[0]?.startsWith('/dev/conf/dir/zero character special file 1:5'), `the node: ${got[0]}`);
    },
  },
  {
    name: 'devices/cgroup-denies-by-default',
    run: (t) => {
      // /dev/fuse (10:229) is not among the default allowed devices; the node itself is made in the container.
      const r = t.run('mknod -m 666 /dev/fz c 10 229 && (: < /dev/fz); echo rc=$?', (s) => {
        for (const set of ['bounding', 'effective', 'permitted']) s.process.capabilities[set].push('CAP_MKNOD');
      });
      ok(!r.stdout.includes('rc=0') && /not permitted/.test(r.stderr), `opening /dev/fuse: ${r.stdout.trim()} ${r.stderr.trim()}`);
    },
  },
  {
    name: 'devices/cgroup-allow-rule',
    run: (t) => {
      const r = t.run('(: < /dev/fz); echo read=$?; (: > /dev/fz) 2>/dev/null; echo write=$?', (s) => {
        s.linux.devices = [{ path: '/dev/fz', type: 'c', major: 10, minor: 229, fileMode: 0o666 }];
        s.linux.resources = { devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 10, minor: 229, access: 'r' }] };
      });
      eq(r.stdout.trim().split('\n').map((l) => l.replace(/=[1-9]\d*$/, '=fail')), ['read=0', 'write=fail'], 'opening /dev/fuse (allowed "r") to read, to write');
    },
  },
];
