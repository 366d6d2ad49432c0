// HOME for the container process: when process.env has none, runts-init sets
// it once it is in the container's root, from the uid's entry in the
// container's /etc/passwd ("/" without one), as runc does; a HOME in the
// config is left alone. Each case runs under runts and, where it is
// installed, under runc on the same bundle: the same output.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { baseSpec, Sandbox, type Json } from './helpers.ts';

const haveRunc = spawnSync('runc', ['--version']).status === 0;
let sb: Sandbox;
before(() => {
  sb = new Sandbox();
});
after(() => sb?.cleanup());

// $HOME, and how many HOME entries the environment holds (exactly one).
const PRINT_HOME = ['sh', '-c', 'echo "$HOME|$(env | grep -c ^HOME=)"'];

interface Case {
  name: string;
  edit: (spec: Json) => void;
  /** Run on the bundle's rootfs before the run. */
  rootfs?: (dir: string) => void;
  flags?: string[];
  home: string;
}

const asUid = (uid: number) => (s: Json) => (s.process.user = { uid, gid: uid });

const CASES: Case[] = [
  { name: 'uid 0: root\'s home from /etc/passwd', edit: () => {}, home: '/root' },
  { name: 'uid 1000: its entry\'s home', edit: asUid(1000), home: '/home/u' },
  { name: 'a uid without an entry: /', edit: asUid(4242), home: '/' },
  { name: 'HOME in the config is kept', edit: (s) => (asUid(1000)(s), s.process.env.push('HOME=/custom')), home: '/custom' },
  { name: 'no /etc/passwd at all: /', edit: () => {}, rootfs: (d) => rmSync(join(d, 'etc', 'passwd')), home: '/' },
  { name: 'with --no-pivot: still the container\'s /etc/passwd', edit: asUid(1000), flags: ['--no-pivot'], home: '/home/u' },
  {
    name: 'in a user namespace (the file belongs to an unmapped owner)',
    edit: (s) => {
      asUid(1000)(s);
      s.linux.namespaces.push({ type: 'user' });
      s.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      s.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    },
    home: '/home/u',
  },
];

function bundle(c: Case): string {
  const spec = baseSpec(PRINT_HOME);
  c.edit(spec);
  const b = sb.bundle(spec);
  const rootfs = join(b, 'rootfs');
  appendFileSync(join(rootfs, 'etc', 'passwd'), 'u:x:1000:1000:u:/home/u:/bin/sh\n');
  c.rootfs?.(rootfs);
  // The sandbox is mkdtemp's 0700: the container's root, mapped or not, must reach the rootfs.
  chmodSync(sb.dir, 0o711);
  return b;
}

for (const c of CASES) {
  test(`HOME for create: ${c.name}`, () => {
    const b = bundle(c);
    const r = sb.runts(['run', ...(c.flags ?? []), '-b', b, sb.id()]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${c.home}|1\n`);
    if (haveRunc) {
      const rc = sb.runc(['run', ...(c.flags ?? []), '-b', b, sb.id('rc')]);
      assert.equal(rc.status, 0, rc.stderr);
      assert.equal(r.stdout, rc.stdout, 'runc prints the same');
    }
  });
}
