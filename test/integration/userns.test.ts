// User namespaces with real containers: the maps a new one gets, the host ids
// its files land as, joining an existing one by path (the joined namespace's
// maps then apply: README "User namespaces"), and the configs that are
// refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { baseSpec, chownRootfs, Sandbox, strayInits, waitFor, type Json } from './helpers.ts';

let sb: Sandbox;
before(() => {
  sb = new Sandbox();
});
after(() => sb?.cleanup());

const ROOT = 300000; // the host id of the container's root
const UIDS = [
  { containerID: 0, hostID: ROOT, size: 1000 },
  { containerID: 1000, hostID: 400000, size: 1000 },
];
const GIDS = [
  { containerID: 0, hostID: ROOT, size: 2000 },
  { containerID: 5000, hostID: 450000, size: 10 },
];

/** A config with a new user namespace mapped by UIDS/GIDS, and /data bound to `data`. */
function usernsSpec(args: string[], data: string): Json {
  const spec = baseSpec(args);
  spec.linux.namespaces.push({ type: 'user' });
  spec.linux.uidMappings = UIDS;
  spec.linux.gidMappings = GIDS;
  spec.mounts.push({ destination: '/data', type: 'bind', source: data, options: ['rbind'] });
  return spec;
}

/** A host directory anyone may write into (the container's ids are unprivileged on the host). */
function dataDir(name: string): string {
  const d = join(sb.dir, name);
  mkdirSync(d);
  chmodSync(d, 0o777);
  return d;
}

/** The lines of a map file with the columns' padding taken out. */
const mapLines = (text: string) => text.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
const asText = (maps: typeof UIDS) => maps.map((m) => `${m.containerID} ${m.hostID} ${m.size}`);

test('a new user namespace: uid_map and gid_map are the config\'s; files the container makes belong to the mapped host ids', () => {
  const data = dataDir('new-data');
  const script = 'cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; id -u; touch /data/by-root; mkdir /data/dir; touch /data/chowned; chown 1000:5000 /data/chowned';
  const first = usernsSpec(['sh', '-c', script], data);
  for (const set of ['bounding', 'effective', 'permitted']) first.process.capabilities[set].push('CAP_CHOWN');
  const b = sb.bundle(first);
  chownRootfs(sb, b, ROOT);
  const r = sb.runts(['run', '-b', b, sb.id()]);
  assert.equal(r.status, 0, r.stderr);
  const [uidMap, gidMap, id] = r.stdout.split('--\n');
  assert.deepEqual(mapLines(uidMap!), asText(UIDS));
  assert.deepEqual(mapLines(gidMap!), asText(GIDS));
  assert.equal(id, '0\n');
  const owner = (f: string) => { const st = statSync(join(data, f)); return [st.uid, st.gid]; };
  assert.deepEqual(owner('by-root'), [ROOT, ROOT]);
  assert.deepEqual(owner('dir'), [ROOT, ROOT]);
  assert.deepEqual(owner('chowned'), [400000, 450000]);

  // A non-root process user: its files are its mapped ids.
  const spec = usernsSpec(['sh', '-c', 'id -u; id -g; touch /data/by-user'], data);
  spec.process.user = { uid: 1500, gid: 5003 };
  const b2 = sb.bundle(spec);
  chownRootfs(sb, b2, ROOT);
  const r2 = sb.runts(['run', '-b', b2, sb.id()]);
  assert.equal(r2.status, 0, r2.stderr);
  assert.equal(r2.stdout, '1500\n5003\n');
  assert.deepEqual(owner('by-user'), [400500, 450003]);
});

test('joining a user namespace by path: its maps apply, /dev and the bind mount work, the exec fifo belongs to its root', async () => {
  const data = dataDir('joined-data');
  const first = sb.id();
  const holder = sb.bundle(usernsSpec(['sleep', '1000'], data));
  chownRootfs(sb, holder, ROOT);
  const r0 = sb.runts(['run', '-d', '-b', holder, first]);
  assert.equal(r0.status, 0, r0.stderr);
  const holderPid = sb.state(first).pid as number;
  const userns = readlinkSync(`/proc/${holderPid}/ns/user`);

  // The second container has namespaces of its own, except the user one.
  const spec = baseSpec(['sh', '-c', 'readlink /proc/self/ns/user; cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; id -u; test -c /dev/null && test -d /dev/pts && echo dev-ok; touch /data/joined; echo x > /dev/null && echo null-ok']);
  spec.linux.namespaces.push({ type: 'user', path: `/proc/${holderPid}/ns/user` });
  spec.mounts.push({ destination: '/data', type: 'bind', source: data, options: ['rbind'] });
  const b = sb.bundle(spec);
  chownRootfs(sb, b, ROOT);
  const id = sb.id();
  const c = sb.runts(['create', '-b', b, id]);
  assert.equal(c.status, 0, c.stderr);
  const fifo = statSync(join(sb.root, id, 'exec.fifo'));
  assert.deepEqual([fifo.uid, fifo.gid], [ROOT, ROOT], 'the exec fifo belongs to the joined namespace\'s root');
  const pid = sb.state(id).pid as number;
  assert.equal(readlinkSync(`/proc/${pid}/ns/user`), userns);
  assert.notEqual(readlinkSync(`/proc/${pid}/ns/mnt`), readlinkSync(`/proc/${holderPid}/ns/mnt`));
  // exec into it: the joined user namespace is the container's
  const e = sb.runts(['exec', id, 'sh', '-c', 'readlink /proc/self/ns/user; id -u']);
  assert.equal(e.status, 0, e.stderr);
  assert.equal(e.stdout, `${userns}\n0\n`);

  // Its output goes where create's stdout went: read it back through `run` instead.
  assert.equal(sb.runts(['delete', '-f', id]).status, 0);
  const r = sb.runts(['run', '-b', b, sb.id()]);
  assert.equal(r.status, 0, r.stderr);
  const [ns, uidMap, gidMap, rest] = [r.stdout.split('\n')[0], ...r.stdout.split('\n').slice(1).join('\n').split('--\n')];
  assert.equal(ns, userns);
  assert.deepEqual(mapLines(uidMap!), asText(UIDS));
  assert.deepEqual(mapLines(gidMap!), asText(GIDS));
  assert.equal(rest, '0\ndev-ok\nnull-ok\n');
  assert.deepEqual([statSync(join(data, 'joined')).uid, statSync(join(data, 'joined')).gid], [ROOT, ROOT]);
  assert.equal(sb.runts(['delete', '-f', first]).status, 0);
  assert.ok(await waitFor(() => !existsSync(`/proc/${holderPid}`) || readFileSync(`/proc/${holderPid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z')));
});

test('a joined user namespace that does not map root is refused clearly, leaving nothing', { skip: spawnSync('unshare', ['--help'], { encoding: 'utf8' }).stdout.includes('--map-user') ? false : 'unshare has no --map-user' }, async () => {
  // uid and gid 1000 inside are the host's root; 0 is not mapped.
  const holder = spawn('unshare', ['--user', '--map-user=1000', '--map-group=1000', 'sleep', '1000'], { stdio: 'ignore' });
  try {
    assert.ok(await waitFor(() => existsSync(`/proc/${holder.pid}/uid_map`) && readFileSync(`/proc/${holder.pid}/uid_map`, 'utf8').trim() !== '' && readlinkSync(`/proc/${holder.pid}/exe`).endsWith('sleep')));
    const inits = strayInits();
    const spec = baseSpec(['true']);
    spec.linux.namespaces.push({ type: 'user', path: `/proc/${holder.pid}/ns/user` });
    const id = sb.id();
    const r = sb.runts(['run', '-b', sb.bundle(spec), id]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /set[ug]id: 0: [ug]id 0 is not mapped in the container's user namespace/, r.stderr);
    assert.ok(!existsSync(join(sb.root, id)));
    assert.deepEqual(strayInits().filter((p) => !inits.includes(p)), []);
  } finally {
    holder.kill('SIGKILL');
  }
});

test('a new user namespace without maps, or maps without one, is a config error', () => {
  const cases: [(s: Json) => void, string[]][] = [
    [(s) => s.linux.namespaces.push({ type: 'user' }), ['/linux/uidMappings: required with a new user namespace', '/linux/gidMappings: required with a new user namespace']],
    [
      (s) => {
        s.linux.uidMappings = UIDS;
        s.linux.gidMappings = GIDS;
      },
      ['/linux/uidMappings: uid mappings need a user namespace in /linux/namespaces', '/linux/gidMappings: gid mappings need a user namespace in /linux/namespaces'],
    ],
    [
      (s) => {
        s.linux.namespaces.push({ type: 'user' });
        s.linux.uidMappings = UIDS;
        s.linux.gidMappings = GIDS;
        s.process.user = { uid: 2500, gid: 0 };
      },
      ['/process/user/uid: uid 2500 is not mapped by /linux/uidMappings'],
    ],
  ];
  for (const [edit, want] of cases) {
    const spec = baseSpec(['true']);
    edit(spec);
    const id = sb.id();
    const r = sb.runts(['run', '-b', sb.bundle(spec), id]);
    assert.notEqual(r.status, 0);
    for (const w of want) assert.ok(r.stderr.includes(w), `${w} not in ${r.stderr}`);
    assert.ok(!existsSync(join(sb.root, id)));
  }
});

/** Whether runts runs with CAP_SYS_RESOURCE (24), which a negative oomScoreAdj needs. */
const sysResource = (BigInt(`0x${/CapEff:\s*(\w+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]}`) >> 24n) & 1n;

test('oomScoreAdj applies in a user namespace, a negative one too (the init\'s own /proc files are not its to write)', () => {
  for (const adj of sysResource ? [300, -200] : [300]) {
    const spec = usernsSpec(['cat', '/proc/self/oom_score_adj'], dataDir(`oom${adj}`));
    spec.process.oomScoreAdj = adj;
    const b = sb.bundle(spec);
    chownRootfs(sb, b, ROOT);
    const r = sb.runts(['run', '-b', b, sb.id()]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${adj}\n`);
  }
});
