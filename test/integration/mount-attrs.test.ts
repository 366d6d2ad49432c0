// Recursive mount attributes (rro, rnosuid, ... via mount_setattr with
// AT_RECURSIVE) and idmapped bind mounts (idmap, ridmap), checked from inside
// real containers. The host trees have a tmpfs submount of their own, made
// here and unmounted in after(), so "recursive" is visible.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { baseSpec, cleanEnv, RUNTS, Sandbox, type Json } from './helpers.ts';

let sb: Sandbox;
const mounted: string[] = [];
/** A host dir with a file and a tmpfs submount "sub" (with a file too). */
let tree: string;
/** The same, everything owned by 1000:1000, for the idmap tests. */
let owned: string;

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
}

// The sandbox (and its tmpfs submounts) is on tmpfs, which takes idmapped mounts from Linux 6.3.
const [major, minor] = release().split('.').map(Number) as [number, number];
const noTmpfsIdmap = (major < 6 || (major === 6 && minor < 3)) && `Linux ${release()}: tmpfs has no idmapped mounts before 6.3`;

function tmpfsAt(dir: string, opts: string): void {
  mkdirSync(dir, { recursive: true });
  sh('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir]);
  mounted.push(dir);
}

before(() => {
  sb = new Sandbox();
  tree = join(sb.dir, 'tree');
  mkdirSync(tree);
  writeFileSync(join(tree, 'top'), 'top\n');
  tmpfsAt(join(tree, 'sub'), 'size=1m,mode=755');
  writeFileSync(join(tree, 'sub', 'file'), 'sub\n');
  // Read-only as a mount (the filesystem itself stays writable), as rrw can undo.
  tmpfsAt(join(tree, 'rosub'), 'size=1m,mode=755');
  sh('mount', ['-o', 'remount,bind,ro', join(tree, 'rosub')]);

  owned = join(sb.dir, 'owned');
  mkdirSync(owned);
  writeFileSync(join(owned, 'f'), 'f\n');
  chownSync(owned, 1000, 1000);
  chownSync(join(owned, 'f'), 1000, 1000);
  tmpfsAt(join(owned, 'sub'), 'size=1m,mode=755,uid=1000,gid=1000');
  writeFileSync(join(owned, 'sub', 's'), 's\n');
  chownSync(join(owned, 'sub', 's'), 1000, 1000);
});

after(() => {
  // Unmounted before the sandbox dir is removed, or rm would descend into them.
  for (const dir of mounted.reverse()) {
    if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]);
  }
  sb.cleanup();
});

/** Runs `script` in a container with `mount` added (and `edit` applied); returns its stdout. */
function inside(script: string, mount: Json, edit: (spec: Json, bundle: string) => void = () => {}): string {
  const spec = baseSpec(['sh', '-c', script]);
  spec.mounts.push(mount);
  const b = sb.bundle(spec);
  edit(spec, b);
  sb.writeSpec(b, spec);
  const r = sb.runts(['run', '-b', b, sb.id()]);
  assert.equal(r.status, 0, `container failed: ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

const WRITABLE = 'for p in /mnt/w /mnt/sub/w /mnt/rosub/w; do if touch $p 2>/dev/null; then echo "$p rw"; rm $p; else echo "$p ro"; fi; done';

/** The mount options (6th field) of the mountinfo line for `point`, inside the container. */
function optionsOf(mountinfo: string, point: string): string[] {
  const line = mountinfo.split('\n').find((l) => l.split(' ')[4] === point);
  assert.ok(line, `${point} not in mountinfo:\n${mountinfo}`);
  return line.split(' ')[5]!.split(',');
}

test('rro makes the whole rbind tree read-only; plain ro only its top', () => {
  const bind = (options: string[]) => ({ destination: '/mnt', type: 'bind', source: tree, options });
  assert.deepEqual(inside(WRITABLE, bind(['rbind', 'rro'])).trim().split('\n'), ['/mnt/w ro', '/mnt/sub/w ro', '/mnt/rosub/w ro']);
  assert.deepEqual(inside(WRITABLE, bind(['rbind', 'ro'])).trim().split('\n'), ['/mnt/w ro', '/mnt/sub/w rw', '/mnt/rosub/w ro']);
  // rrw clears read-only on every mount, the host's ro submount included (in the container's copy only).
  assert.deepEqual(inside(WRITABLE, bind(['rbind', 'ro', 'rrw'])).trim().split('\n'), ['/mnt/w rw', '/mnt/sub/w rw', '/mnt/rosub/w rw']);
  assert.ok(optionsOf(spawnSync('cat', ['/proc/self/mountinfo'], { encoding: 'utf8' }).stdout, join(tree, 'rosub')).includes('ro'));
  assert.deepEqual(readdirSync(tree).sort(), ['rosub', 'sub', 'top']);
});

test('rnosuid, rnoexec, rnodev and rnoatime reach the submount; without them it keeps its own flags', () => {
  const bind = (options: string[]) => ({ destination: '/mnt', type: 'bind', source: tree, options });
  const rec = inside('cat /proc/self/mountinfo', bind(['rbind', 'rnosuid', 'rnoexec', 'rnodev', 'rnoatime']));
  for (const point of ['/mnt', '/mnt/sub']) {
    const opts = optionsOf(rec, point);
    for (const o of ['nosuid', 'noexec', 'nodev', 'noatime']) assert.ok(opts.includes(o), `${point}: ${o} missing in ${opts}`);
    assert.ok(opts.includes('rw'), `${point}: ${opts}`);
  }
  // Non-recursive nosuid: the top only.
  const plain = inside('cat /proc/self/mountinfo', bind(['rbind', 'nosuid', 'noexec']));
  assert.ok(optionsOf(plain, '/mnt').includes('nosuid'));
  const sub = optionsOf(plain, '/mnt/sub');
  assert.ok(!sub.includes('nosuid') && !sub.includes('noexec'), `submount: ${sub}`);
});

test('a recursive option on a fresh (non-bind) mount applies to it', () => {
  const out = inside('cat /proc/self/mountinfo', { destination: '/mnt', type: 'tmpfs', source: 'tmpfs', options: ['rro', 'rnosuid', 'size=1m'] });
  const opts = optionsOf(out, '/mnt');
  assert.ok(opts.includes('ro') && opts.includes('nosuid'), `${opts}`);
});

// Mappings are in the user-namespace format, read as crun (1.8.1 here) reads
// them: an id stored on disk as containerID shows in the mount as hostID.
const ONE_THOUSAND_IS_ROOT = [{ containerID: 1000, hostID: 0, size: 1 }];

test('idmap: files of uid 1000 show as root inside, and root\'s new files land as 1000 on the host', { skip: noTmpfsIdmap }, () => {
  rmSync(join(owned, 'new'), { force: true });
  const out = inside('stat -c "%u:%g %n" /mnt /mnt/f /mnt/sub/s; touch /mnt/new && echo created; cat /proc/self/mountinfo', {
    destination: '/mnt',
    type: 'bind',
    source: owned,
    options: ['rbind', 'idmap'],
    uidMappings: ONE_THOUSAND_IS_ROOT,
    gidMappings: ONE_THOUSAND_IS_ROOT,
  });
  const lines = out.split('\n');
  // idmap maps only the top: the submount shows its real owner.
  assert.deepEqual(lines.slice(0, 4), ['0:0 /mnt', '0:0 /mnt/f', '1000:1000 /mnt/sub/s', 'created']);
  assert.ok(optionsOf(out, '/mnt').includes('idmapped'));
  assert.ok(!optionsOf(out, '/mnt/sub').includes('idmapped'));
  const st = statSync(join(owned, 'new'));
  assert.deepEqual([st.uid, st.gid], [1000, 1000]);
  rmSync(join(owned, 'new'));
});

test('ridmap: the submount is idmapped too', { skip: noTmpfsIdmap }, () => {
  rmSync(join(owned, 'sub', 'new'), { force: true });
  const out = inside('stat -c "%u:%g %n" /mnt/f /mnt/sub/s; touch /mnt/sub/new && echo created; cat /proc/self/mountinfo', {
    destination: '/mnt',
    type: 'bind',
    source: owned,
    options: ['rbind', 'ridmap'],
    uidMappings: ONE_THOUSAND_IS_ROOT,
    gidMappings: ONE_THOUSAND_IS_ROOT,
  });
  assert.deepEqual(out.split('\n').slice(0, 3), ['0:0 /mnt/f', '0:0 /mnt/sub/s', 'created']);
  assert.ok(optionsOf(out, '/mnt/sub').includes('idmapped'));
  const st = statSync(join(owned, 'sub', 'new'));
  assert.deepEqual([st.uid, st.gid], [1000, 1000]);
  rmSync(join(owned, 'sub', 'new'));
});

test('idmap with rro: mapped and read-only all the way down', { skip: noTmpfsIdmap }, () => {
  const out = inside('stat -c "%u %n" /mnt/f /mnt/sub/s; touch /mnt/x 2>/dev/null || echo top-ro; touch /mnt/sub/x 2>/dev/null || echo sub-ro', {
    destination: '/mnt',
    type: 'bind',
    source: owned,
    options: ['rbind', 'ridmap', 'rro'],
    uidMappings: ONE_THOUSAND_IS_ROOT,
    gidMappings: ONE_THOUSAND_IS_ROOT,
  });
  assert.deepEqual(out.trim().split('\n'), ['0 /mnt/f', '0 /mnt/sub/s', 'top-ro', 'sub-ro']);
});

test('idmap without mappings uses the container\'s user namespace: host root\'s files are its root\'s', { skip: noTmpfsIdmap }, () => {
  const data = join(sb.dir, 'rootowned');
  mkdirSync(data);
  writeFileSync(join(data, 'r'), 'r\n');
  const out = inside(
    'id -u; stat -c "%u:%g %n" /mnt /mnt/r; touch /mnt/new && echo created',
    { destination: '/mnt', type: 'bind', source: data, options: ['bind', 'idmap'] },
    (spec, b) => {
      spec.linux.namespaces.push({ type: 'user' });
      spec.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      spec.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      // The container's root is host uid 100000: it must reach the rootfs
      // (the sandbox dir is 0700) and cannot create /mnt in it.
      chmodSync(sb.dir, 0o755);
      mkdirSync(join(b, 'rootfs', 'mnt'));
    },
  );
  assert.deepEqual(out.trim().split('\n'), ['0', '0:0 /mnt', '0:0 /mnt/r', 'created']);
  const st = statSync(join(data, 'new'));
  assert.deepEqual([st.uid, st.gid], [0, 0]);
});

test('an idmap destination that is an absolute symlink is resolved inside the rootfs', { skip: noTmpfsIdmap }, () => {
  // On the host the link points into the sandbox; inside the rootfs it means <rootfs><landing>.
  const landing = join(sb.dir, 'landing');
  const out = inside(
    `ls /evil; ls ${landing}; grep -c " ${landing} " /proc/self/mountinfo`,
    { destination: '/evil', type: 'bind', source: owned, options: ['bind', 'idmap'], uidMappings: ONE_THOUSAND_IS_ROOT, gidMappings: ONE_THOUSAND_IS_ROOT },
    (_spec, b) => symlinkSync(landing, join(b, 'rootfs', 'evil')),
  );
  assert.equal(out, 'f\nsub\nf\nsub\n1\n');
  assert.ok(!existsSync(landing));
});

test('without mount_setattr (ENOSYS) the create fails naming the mount and the option, and leaves nothing', { skip: spawnSync('strace', ['-V']).status !== 0 && 'no strace' }, () => {
  const maps = { uidMappings: ONE_THOUSAND_IS_ROOT, gidMappings: ONE_THOUSAND_IS_ROOT };
  for (const [mount, want] of [
    [{ options: ['rbind', 'rro', 'rnosuid'] }, 'runts: mount_setattr: /mnt: Function not implemented (applying rro, rnosuid; mount_setattr needs Linux 5.12 or later)'],
    [{ options: ['bind', 'idmap'], ...maps }, `runts: mount_setattr: /mnt: Function not implemented (idmapping ${owned}; mount_setattr needs Linux 5.12 or later)`],
  ] as const) {
    const spec = baseSpec(['true']);
    spec.mounts.push({ destination: '/mnt', type: 'bind', source: owned, ...mount });
    const b = sb.bundle(spec);
    const id = sb.id();
    const r = spawnSync(
      'strace',
      ['-f', '-qq', '-o', '/dev/null', '-e', 'trace=mount_setattr', '-e', 'inject=mount_setattr:error=ENOSYS', process.execPath, RUNTS, '--root', sb.root, 'create', '-b', b, id],
      { encoding: 'utf8', env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 },
    );
    assert.notEqual(r.status, 0);
    assert.ok(r.stderr.split('\n').includes(want), r.stderr);
    assert.ok(!existsSync(join(sb.root, id)), 'state dir left behind');
  }
});
