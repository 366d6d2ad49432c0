// Every mount option runts understands, and how mounts are planned from them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../src/plan/linux-constants.ts';
import * as A from '../../src/plan/mount-options.ts';
import { parseMountOptions, SUPPORTED_MOUNT_OPTIONS } from '../../src/plan/mount-options.ts';
import { assertOnlyError, errors, plan, warnings, withUserns } from './plan-fixtures.ts';

/** What parseMountOptions reports for the mount_setattr part when no recursive or idmap option is given. */
const NO_ATTRS = { attrSet: 0, attrClr: 0, attrRecursive: false, idmap: null };

test('linux-constants carry the kernel ABI values', () => {
  assert.deepEqual(
    [C.MS_RDONLY, C.MS_NOSUID, C.MS_NODEV, C.MS_NOEXEC, C.MS_SYNCHRONOUS, C.MS_REMOUNT, C.MS_MANDLOCK, C.MS_DIRSYNC],
    [1, 2, 4, 8, 16, 32, 64, 128],
  );
  assert.deepEqual(
    [C.MS_NOSYMFOLLOW, C.MS_NOATIME, C.MS_NODIRATIME, C.MS_BIND, C.MS_MOVE, C.MS_REC, C.MS_SILENT],
    [256, 1024, 2048, 4096, 8192, 16384, 32768],
  );
  assert.deepEqual(
    [C.MS_UNBINDABLE, C.MS_PRIVATE, C.MS_SLAVE, C.MS_SHARED, C.MS_RELATIME, C.MS_I_VERSION, C.MS_STRICTATIME, C.MS_LAZYTIME],
    [1 << 17, 1 << 18, 1 << 19, 1 << 20, 1 << 21, 1 << 23, 1 << 24, 1 << 25],
  );
});

// [option, its flag, the option that clears it]
const PAIRS: [string, number, string][] = [
  ['ro', C.MS_RDONLY, 'rw'],
  ['nosuid', C.MS_NOSUID, 'suid'],
  ['nodev', C.MS_NODEV, 'dev'],
  ['noexec', C.MS_NOEXEC, 'exec'],
  ['sync', C.MS_SYNCHRONOUS, 'async'],
  ['mand', C.MS_MANDLOCK, 'nomand'],
  ['nosymfollow', C.MS_NOSYMFOLLOW, 'symfollow'],
  ['noatime', C.MS_NOATIME, 'atime'],
  ['nodiratime', C.MS_NODIRATIME, 'diratime'],
  ['relatime', C.MS_RELATIME, 'norelatime'],
  ['strictatime', C.MS_STRICTATIME, 'nostrictatime'],
  ['iversion', C.MS_I_VERSION, 'noiversion'],
  ['lazytime', C.MS_LAZYTIME, 'nolazytime'],
  ['silent', C.MS_SILENT, 'loud'],
];

for (const [set, flag, clear] of PAIRS) {
  test(`option "${set}" sets its flag and "${clear}" clears it again`, () => {
    assert.equal(parseMountOptions([set]).flags, flag);
    assert.equal(parseMountOptions([set, clear]).flags, 0);
    assert.equal(parseMountOptions([clear, set]).flags, flag);
    assert.equal(parseMountOptions([clear]).flags, 0);
    assert.equal(parseMountOptions([set]).data, '');
  });
}

test('dirsync and remount set their flags; defaults sets none', () => {
  assert.equal(parseMountOptions(['dirsync']).flags, C.MS_DIRSYNC);
  assert.equal(parseMountOptions(['remount']).flags, C.MS_REMOUNT);
  assert.deepEqual(parseMountOptions(['defaults']), { flags: 0, propagation: [], data: '', bind: false, ...NO_ATTRS, problems: [] });
});

test('bind and rbind', () => {
  assert.deepEqual(parseMountOptions(['bind']), { flags: C.MS_BIND, propagation: [], data: '', bind: true, ...NO_ATTRS, problems: [] });
  assert.deepEqual(parseMountOptions(['rbind']), { flags: C.MS_BIND | C.MS_REC, propagation: [], data: '', bind: true, ...NO_ATTRS, problems: [] });
});

test('propagation options are listed separately, in order', () => {
  const all = ['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate', 'unbindable', 'runbindable'];
  const r = parseMountOptions(all);
  assert.equal(r.flags, 0);
  assert.deepEqual(r.propagation, [
    C.MS_SHARED,
    C.MS_SHARED | C.MS_REC,
    C.MS_SLAVE,
    C.MS_SLAVE | C.MS_REC,
    C.MS_PRIVATE,
    C.MS_PRIVATE | C.MS_REC,
    C.MS_UNBINDABLE,
    C.MS_UNBINDABLE | C.MS_REC,
  ]);
});

test('unknown options are filesystem data, in order, comma-joined; empty entries dropped', () => {
  const r = parseMountOptions(['nosuid', 'mode=755', '', 'size=65536k', 'newinstance']);
  assert.equal(r.flags, C.MS_NOSUID);
  assert.equal(r.data, 'mode=755,size=65536k,newinstance');
});

test('unsupported options are reported by index, not passed as data', () => {
  const r = parseMountOptions(['ro', 'tmpcopyup', 'size=1m']);
  assert.equal(r.data, 'size=1m');
  assert.deepEqual(r.problems, [[1, 'mount option "tmpcopyup" is not supported yet by runts (copying the directory contents into a tmpfs)']]);
});

test('MOUNT_ATTR_* carry the kernel ABI values (include/uapi/linux/mount.h)', () => {
  assert.deepEqual(
    [A.MOUNT_ATTR_RDONLY, A.MOUNT_ATTR_NOSUID, A.MOUNT_ATTR_NODEV, A.MOUNT_ATTR_NOEXEC, A.MOUNT_ATTR__ATIME, A.MOUNT_ATTR_RELATIME],
    [0x1, 0x2, 0x4, 0x8, 0x70, 0x0],
  );
  assert.deepEqual(
    [A.MOUNT_ATTR_NOATIME, A.MOUNT_ATTR_STRICTATIME, A.MOUNT_ATTR_NODIRATIME, A.MOUNT_ATTR_IDMAP, A.MOUNT_ATTR_NOSYMFOLLOW],
    [0x10, 0x20, 0x80, 0x100000, 0x200000],
  );
});

// Every recursive option alone: [option, attrSet, attrClr].
const ATIME = A.MOUNT_ATTR__ATIME;
const RECURSIVE: [string, number, number][] = [
  ['rro', A.MOUNT_ATTR_RDONLY, 0],
  ['rrw', 0, A.MOUNT_ATTR_RDONLY],
  ['rnosuid', A.MOUNT_ATTR_NOSUID, 0],
  ['rsuid', 0, A.MOUNT_ATTR_NOSUID],
  ['rnodev', A.MOUNT_ATTR_NODEV, 0],
  ['rdev', 0, A.MOUNT_ATTR_NODEV],
  ['rnoexec', A.MOUNT_ATTR_NOEXEC, 0],
  ['rexec', 0, A.MOUNT_ATTR_NOEXEC],
  ['rnodiratime', A.MOUNT_ATTR_NODIRATIME, 0],
  ['rdiratime', 0, A.MOUNT_ATTR_NODIRATIME],
  ['rnosymfollow', A.MOUNT_ATTR_NOSYMFOLLOW, 0],
  ['rsymfollow', 0, A.MOUNT_ATTR_NOSYMFOLLOW],
  // The atime mode is one field: clear all of it, set the mode.
  ['rnoatime', A.MOUNT_ATTR_NOATIME, ATIME],
  ['rstrictatime', A.MOUNT_ATTR_STRICTATIME, ATIME],
  ['rrelatime', A.MOUNT_ATTR_RELATIME, ATIME],
  // Undoing noatime or strictatime is the kernel default (relatime), as
  // atime and nostrictatime are in mount(8); not relatime is strictatime.
  ['ratime', A.MOUNT_ATTR_RELATIME, ATIME],
  ['rnostrictatime', A.MOUNT_ATTR_RELATIME, ATIME],
  ['rnorelatime', A.MOUNT_ATTR_STRICTATIME, ATIME],
];

for (const [option, set, clr] of RECURSIVE) {
  test(`recursive option "${option}" -> mount_setattr set 0x${set.toString(16)} clear 0x${clr.toString(16)}, AT_RECURSIVE`, () => {
    const r = parseMountOptions(['rbind', option]);
    assert.equal(r.attrSet, set);
    assert.equal(r.attrClr, clr);
    assert.equal(r.attrRecursive, true);
    // Nothing of it reaches mount(2).
    assert.equal(r.flags, C.MS_BIND | C.MS_REC);
    assert.equal(r.data, '');
    assert.deepEqual(r.problems, []);
  });
}

test('the recursive options cover the spec table: every per-mount flag option with an r in front', () => {
  assert.deepEqual(
    RECURSIVE.map(([o]) => o).sort(),
    ['ro', 'rw', 'suid', 'nosuid', 'dev', 'nodev', 'exec', 'noexec', 'atime', 'noatime', 'diratime', 'nodiratime', 'relatime', 'norelatime', 'strictatime', 'nostrictatime', 'symfollow', 'nosymfollow']
      .map((o) => `r${o}`)
      .sort(),
  );
});

test('recursive options: a later one wins over an earlier one, bit by bit', () => {
  const r = (...o: string[]) => {
    const p = parseMountOptions(o);
    return [p.attrSet, p.attrClr];
  };
  assert.deepEqual(r('rro', 'rrw'), [0, A.MOUNT_ATTR_RDONLY]);
  assert.deepEqual(r('rrw', 'rro'), [A.MOUNT_ATTR_RDONLY, 0]);
  assert.deepEqual(r('rro', 'rnosuid', 'rsuid', 'rnodev'), [A.MOUNT_ATTR_RDONLY | A.MOUNT_ATTR_NODEV, A.MOUNT_ATTR_NOSUID]);
  assert.deepEqual(r('rnoatime', 'rstrictatime'), [A.MOUNT_ATTR_STRICTATIME, ATIME]);
  assert.deepEqual(r('rstrictatime', 'rrelatime', 'rnodiratime'), [A.MOUNT_ATTR_RELATIME | A.MOUNT_ATTR_NODIRATIME, ATIME]);
});

test('recursive and per-mount options are independent: ro stays an MS_ flag, rnosuid an attribute', () => {
  const r = parseMountOptions(['bind', 'ro', 'rnosuid', 'nodev', 'rrw']);
  assert.equal(r.flags, C.MS_BIND | C.MS_RDONLY | C.MS_NODEV);
  assert.equal(r.attrSet, A.MOUNT_ATTR_NOSUID);
  assert.equal(r.attrClr, A.MOUNT_ATTR_RDONLY);
});

test('idmap and ridmap: the last one decides; neither reaches mount(2)', () => {
  assert.equal(parseMountOptions(['bind', 'idmap']).idmap, 'idmap');
  assert.equal(parseMountOptions(['rbind', 'ridmap']).idmap, 'ridmap');
  assert.equal(parseMountOptions(['ridmap', 'idmap']).idmap, 'idmap');
  const r = parseMountOptions(['rbind', 'ridmap']);
  assert.deepEqual([r.flags, r.data, r.attrSet, r.attrRecursive, r.problems], [C.MS_BIND | C.MS_REC, '', 0, false, []]);
});

test('SUPPORTED_MOUNT_OPTIONS (what `runts features` claims) has the recursive options and idmap, not tmpcopyup', () => {
  for (const [o] of RECURSIVE) assert.ok(SUPPORTED_MOUNT_OPTIONS.includes(o), o);
  for (const o of ['idmap', 'ridmap', 'ro', 'bind', 'rbind', 'rshared']) assert.ok(SUPPORTED_MOUNT_OPTIONS.includes(o), o);
  assert.ok(!SUPPORTED_MOUNT_OPTIONS.includes('tmpcopyup'));
  assert.deepEqual([...SUPPORTED_MOUNT_OPTIONS], [...SUPPORTED_MOUNT_OPTIONS].sort());
});

test('planned mounts carry the recursive attributes', () => {
  const p = plan((s) => {
    s.mounts!.push({ destination: '/data', source: '/srv/data', options: ['rbind', 'ro', 'rro', 'rnosuid', 'rnoexec', 'rprivate'] });
    s.mounts!.push({ destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['rnoatime'] });
  });
  assert.deepEqual(p.mounts[7], {
    destination: '/data',
    source: '/srv/data',
    fstype: '',
    bind: true,
    flags: C.MS_BIND | C.MS_REC | C.MS_RDONLY,
    propagation: [C.MS_PRIVATE | C.MS_REC],
    data: '',
    createAs: 'dir',
    attrSet: A.MOUNT_ATTR_RDONLY | A.MOUNT_ATTR_NOSUID | A.MOUNT_ATTR_NOEXEC,
    attrClr: 0,
    attrRecursive: true,
    idmap: null,
  });
  assert.deepEqual([p.mounts[8]?.attrSet, p.mounts[8]?.attrClr, p.mounts[8]?.attrRecursive], [A.MOUNT_ATTR_NOATIME, ATIME, true]);
  // Mounts without them ask for no mount_setattr call.
  for (const m of p.mounts.slice(0, 7)) assert.deepEqual([m.attrSet, m.attrClr, m.attrRecursive, m.idmap], [0, 0, false, null], m.destination);
});

const MAP = [{ containerID: 1000, hostID: 0, size: 1 }];
const GMAP = [{ containerID: 1000, hostID: 0, size: 2 }];

test('idmapped bind mounts: the mount\'s maps, recursive for ridmap', () => {
  const p = plan((s) => {
    s.mounts!.push({ destination: '/a', source: '/srv/a', options: ['bind', 'idmap'], uidMappings: MAP, gidMappings: GMAP });
    s.mounts!.push({ destination: '/b', source: '/srv/b', options: ['rbind', 'ridmap', 'rro'], uidMappings: MAP, gidMappings: MAP });
    // The maps alone make an idmapped mount (non-recursive).
    s.mounts!.push({ destination: '/c', type: 'bind', source: '/srv/c', uidMappings: MAP, gidMappings: MAP });
  });
  assert.deepEqual(p.mounts[7]?.idmap, { recursive: false, uidMappings: MAP, gidMappings: GMAP });
  assert.equal(p.mounts[7]?.flags, C.MS_BIND);
  assert.deepEqual(p.mounts[8]?.idmap, { recursive: true, uidMappings: MAP, gidMappings: MAP });
  assert.deepEqual([p.mounts[8]?.flags, p.mounts[8]?.attrSet, p.mounts[8]?.attrRecursive], [C.MS_BIND | C.MS_REC, A.MOUNT_ATTR_RDONLY, true]);
  assert.deepEqual(p.mounts[9]?.idmap, { recursive: false, uidMappings: MAP, gidMappings: MAP });
});

test('idmap without maps takes the container\'s user namespace (empty maps in the plan)', () => {
  const p = plan((s) => {
    withUserns(s);
    s.mounts!.push({ destination: '/a', source: '/srv/a', options: ['bind', 'idmap'] });
  });
  assert.deepEqual(p.mounts[7]?.idmap, { recursive: false, uidMappings: [], gidMappings: [] });
  // A joined user namespace supplies them too.
  const q = plan((s) => {
    s.linux!.namespaces!.push({ type: 'user', path: '/proc/1/ns/user' });
    s.mounts!.push({ destination: '/a', source: '/srv/a', options: ['rbind', 'ridmap'] });
  });
  assert.deepEqual(q.mounts[7]?.idmap, { recursive: true, uidMappings: [], gidMappings: [] });
});

test('idmap errors: not a bind mount, no maps and no user namespace, one map only, empty or bad maps', () => {
  assert.deepEqual(
    errors((s) => {
      s.mounts!.push({ destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['idmap'], uidMappings: MAP, gidMappings: MAP });
      s.mounts!.push({ destination: '/a', source: '/srv/a', options: ['bind', 'idmap'] });
      s.mounts!.push({ destination: '/b', source: '/srv/b', options: ['bind', 'idmap'], uidMappings: MAP });
      s.mounts!.push({ destination: '/c', source: '/srv/c', options: ['bind'], gidMappings: MAP });
      s.mounts!.push({ destination: '/d', source: '/srv/d', options: ['bind', 'idmap'], uidMappings: [], gidMappings: MAP });
      s.mounts!.push({
        destination: '/e',
        source: '/srv/e',
        options: ['bind', 'idmap'],
        uidMappings: [
          { containerID: 0, hostID: 1000, size: 10 },
          { containerID: 5, hostID: 2000, size: 1 },
        ],
        gidMappings: [{ containerID: 0, hostID: 0, size: 0 }],
      });
    }),
    [
      'config.json: /mounts/7/options: idmapped mounts ("idmap", "ridmap", uidMappings, gidMappings) need a bind mount ("bind" or "rbind")',
      'config.json: /mounts/8/options: an idmapped mount without uidMappings and gidMappings takes the container\'s user namespace mappings, and the container has no user namespace',
      'config.json: /mounts/9/uidMappings: must be given together with gidMappings',
      'config.json: /mounts/10/gidMappings: must be given together with uidMappings',
      'config.json: /mounts/11/uidMappings: must not be empty (leave both out to use the container\'s user namespace)',
      'config.json: /mounts/12/uidMappings/1/containerID: container id range overlaps /mounts/12/uidMappings/0',
      'config.json: /mounts/12/gidMappings/0/size: mapping size must be greater than 0',
    ],
  );
});

test('ridmap on a plain bind mount warns that only one mount is mapped', () => {
  const mine = (w: string[]) => w.filter((m) => m.startsWith('config.json: /mounts/'));
  assert.deepEqual(
    mine(warnings((s) => s.mounts!.push({ destination: '/a', source: '/srv/a', options: ['bind', 'ridmap'], uidMappings: MAP, gidMappings: MAP }))),
    ['config.json: /mounts/7/options: "ridmap" on a non-recursive bind mount maps just that one mount (use "rbind" to take its submounts along)'],
  );
  assert.deepEqual(mine(warnings((s) => s.mounts!.push({ destination: '/a', source: '/srv/a', options: ['rbind', 'ridmap'], uidMappings: MAP, gidMappings: MAP }))), []);
});

test('a mount with tmpcopyup is refused with its path', () => {
  assertOnlyError(
    (s) => s.mounts!.push({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'tmpcopyup'] }),
    'config.json: /mounts/7/options/1: mount option "tmpcopyup" is not supported yet by runts (copying the directory contents into a tmpfs)',
  );
});

test('bind mounts: source resolved against the bundle, fstype empty, file or dir', () => {
  const p = plan((s) => {
    s.mounts!.push({ destination: '/data', source: 'shared', options: ['rbind', 'ro', 'nosuid', 'rprivate'] });
    s.mounts!.push({ destination: '/etc/resolv.conf', source: '/etc/../etc/resolv.file', options: ['bind', 'ro'] });
    s.mounts!.push({ destination: '/plain', type: 'bind', source: '/srv/x' });
  });
  assert.deepEqual(p.mounts.slice(7), [
    {
      destination: '/data',
      source: '/bundles/c1/shared',
      fstype: '',
      bind: true,
      flags: C.MS_BIND | C.MS_REC | C.MS_RDONLY | C.MS_NOSUID,
      propagation: [C.MS_PRIVATE | C.MS_REC],
      data: '',
      createAs: 'dir',
      ...NO_ATTRS,
    },
    {
      destination: '/etc/resolv.conf',
      source: '/etc/resolv.file',
      fstype: '',
      bind: true,
      flags: C.MS_BIND | C.MS_RDONLY,
      propagation: [],
      data: '',
      createAs: 'file',
      ...NO_ATTRS,
    },
    // type "bind" alone is a bind mount (runc 1.1.5 fails it with ENODEV).
    { destination: '/plain', source: '/srv/x', fstype: '', bind: true, flags: C.MS_BIND, propagation: [], data: '', createAs: 'dir', ...NO_ATTRS },
  ]);
});

test('without a sourceKind probe that knows, a bind destination is a directory', () => {
  const p = plan((s) => s.mounts!.push({ destination: '/x', source: '/nonexistent/source', options: ['bind'] }), {}, {
    sourceKind: () => null,
  });
  assert.equal(p.mounts[7]?.createAs, 'dir');
});

test('the default probe stats the source', () => {
  const p = plan(
    (s) => {
      s.mounts!.push({ destination: '/a', source: process.execPath, options: ['bind'] });
      s.mounts!.push({ destination: '/b', source: '/', options: ['bind'] });
    },
    {},
    {},
  );
  assert.deepEqual(
    p.mounts.slice(7).map((m) => m.createAs),
    ['file', 'dir'],
  );
});

test('mount destinations are cleaned; a relative one is taken from "/" with a warning', () => {
  const edit = (s: import('../../src/spec/types.ts').Spec) => {
    s.mounts!.push({ destination: '//var///lib/./x/../y/', type: 'tmpfs', source: 'tmpfs' });
    s.mounts!.push({ destination: 'relative/dir', type: 'tmpfs', source: 'tmpfs' });
    s.mounts!.push({ destination: '/../../etc', type: 'tmpfs', source: 'tmpfs' });
  };
  assert.deepEqual(
    plan(edit).mounts.slice(7).map((m) => m.destination),
    ['/var/lib/y', '/relative/dir', '/etc'],
  );
  assert.ok(
    warnings(edit).includes('config.json: /mounts/8/destination: mount destination "relative/dir" is not absolute; using it relative to "/"'),
  );
});

test('propagation options on a mount', () => {
  const p = plan((s) => s.mounts!.push({ destination: '/data', type: 'tmpfs', source: 'tmpfs', options: ['rshared', 'mode=700'] }));
  assert.deepEqual(p.mounts[7]?.propagation, [C.MS_SHARED | C.MS_REC]);
  assert.equal(p.mounts[7]?.data, 'mode=700');
  assert.equal(p.mounts[7]?.flags, 0);
});

test('a bind-mounted /dev turns off dev links and nodes under /dev', () => {
  const p = plan((s) => {
    s.mounts = s.mounts!.filter((m) => !m.destination.startsWith('/dev'));
    s.mounts.push({ destination: '/dev', source: '/dev', options: ['rbind'] });
    s.linux!.devices = [{ path: '/opt/null', type: 'c', major: 1, minor: 3 }];
  });
  assert.equal(p.setupDevLinks, false);
  assert.deepEqual(
    p.devices.map((d) => d.path),
    ['/opt/null'],
  );
});

test('a tmpfs /dev keeps dev links; so does no /dev mount at all', () => {
  assert.equal(plan().setupDevLinks, true);
  assert.equal(plan((s) => (s.mounts = s.mounts!.filter((m) => m.destination !== '/dev'))).setupDevLinks, true);
});

test('allowed /proc sub-mounts (LXCFS files) pass', () => {
  assert.deepEqual(
    errors((s) => {
      s.mounts!.push({ destination: '/proc/cpuinfo', source: '/var/lib/lxcfs/proc/cpuinfo', options: ['bind'] });
      s.mounts!.push({ destination: '/proc/foo', type: 'tmpfs', source: 'tmpfs' });
    }),
    [
      'config.json: /mounts/8/destination: "/proc/foo" is inside /proc, where only /proc/cpuinfo, /proc/diskstats, /proc/meminfo, /proc/stat, /proc/swaps, /proc/uptime, /proc/loadavg, /proc/slabinfo, /proc/net/dev, /proc/sys/kernel/ns_last_pid may be mounted',
    ],
  );
});
