// The lifecycle through the runtime's CLI: state at each step (creating is
// only seen by hooks), start, kill and delete semantics, --pid-file, ids,
// a failed create leaving nothing behind, and runc's exec/run/list as
// callers use them.
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { eq, fail, ok, until, type Ctx } from '../context.ts';
import type { Case } from '../case.ts';
import { cgroupMounts } from '../cgroupfs.ts';
import type { Json } from '../bundle.ts';

const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
};

const status = (t: Ctx, id: string): string => t.state(id).status as string;

function waitStatus(t: Ctx, id: string, want: string): void {
  if (!until(() => status(t, id) === want)) fail(`status stayed ${status(t, id)}, want ${want}`);
}

/** Fails unless the runtime kept nothing of container `id`: no state, state dir, cgroup or process. */
export function nothingLeft(t: Ctx, id: string, pid?: number): void {
  ok(t.cli(['state', id]).status !== 0, `state ${id} still answers`);
  ok(!existsSync(join(t.rt.root, id)), `its state directory ${join(t.rt.root, id)} is left`);
  const cg = [...new Set(cgroupMounts().values())].map((m) => join(m, t.cgroupsPath(id))).filter((d) => existsSync(d));
  ok(cg.length === 0, `cgroups left: ${cg.join(' ')}`);
  if (pid !== undefined) ok(!alive(pid), `its process ${pid} is alive`);
}

const writable = (s: Json): void => {
  s.root.readonly = false;
};

/** A create expected to fail: it must, and leave nothing behind. */
function failedCreate(t: Ctx, edit: (s: Json) => void): void {
  const id = t.id();
  const spec = t.spec('echo should not run', id);
  edit(spec);
  const b = t.bundle(spec);
  const r = t.cli(['create', '--bundle', b, id]);
  ok(r.status !== 0, 'create succeeded');
  ok(r.stderr.trim() !== '', 'create failed without a message on stderr');
  nothingLeft(t, id);
}

export const lifecycleCases: Case[] = [
  {
    name: 'lifecycle/create-state-created',
    run: (t) => {
      const c = t.create('touch /started; sleep 1000', (s) => {
        writable(s);
        s.annotations = { 'org.example.conf': 'yes' };
      });
      const st = t.state(c.id);
      eq([st.id, st.status], [c.id, 'created'], 'id and status after create');
      ok(typeof st.ociVersion === 'string' && st.ociVersion !== '', 'no ociVersion');
      ok(isAbsolute(st.bundle) && st.bundle === c.bundle, `bundle ${st.bundle}`);
      ok(Number.isInteger(st.pid) && st.pid > 0 && alive(st.pid), `pid ${st.pid}`);
      eq(st.annotations, { 'org.example.conf': 'yes' }, 'annotations');
      ok(!existsSync(join(c.bundle, 'rootfs', 'started')), 'the process ran before start');
    },
  },
  {
    name: 'lifecycle/start-running',
    run: (t) => {
      const c = t.create('touch /started; sleep 1000', writable);
      const pid = t.state(c.id).pid;
      t.must(['start', c.id]);
      ok(until(() => existsSync(join(c.bundle, 'rootfs', 'started'))), 'the process did not run after start');
      const st = t.state(c.id);
      eq([st.status, st.pid], ['running', pid], 'status and pid after start');
    },
  },
  {
    name: 'lifecycle/stopped-after-exit',
    run: (t) => {
      const c = t.create('exit 0');
      t.must(['start', c.id]);
      waitStatus(t, c.id, 'stopped');
    },
  },
  {
    name: 'lifecycle/delete-stopped',
    run: (t) => {
      const c = t.create('exit 0');
      const pid = t.state(c.id).pid;
      t.must(['start', c.id]);
      waitStatus(t, c.id, 'stopped');
      t.must(['delete', c.id]);
      nothingLeft(t, c.id, pid);
    },
  },
  {
    name: 'lifecycle/delete-running-needs-force',
    run: (t) => {
      const c = t.create('sleep 1000');
      const pid = t.state(c.id).pid;
      t.must(['start', c.id]);
      ok(t.cli(['delete', c.id]).status !== 0, 'delete of a running container succeeded');
      eq(status(t, c.id), 'running', 'status after the refused delete');
      ok(alive(pid), 'the process died');
      t.must(['delete', '--force', c.id]);
      nothingLeft(t, c.id, pid);
    },
  },
  {
    name: 'lifecycle/delete-force-created',
    run: (t) => {
      const c = t.create('sleep 1000');
      const pid = t.state(c.id).pid;
      t.must(['delete', '--force', c.id]);
      nothingLeft(t, c.id, pid);
    },
  },
  {
    name: 'lifecycle/create-duplicate-id',
    run: (t) => {
      const c = t.create('sleep 1000');
      const pid = t.state(c.id).pid;
      ok(t.cli(['create', '--bundle', c.bundle, c.id]).status !== 0, 'a second create with the same id succeeded');
      const st = t.state(c.id);
      eq([st.status, st.pid], ['created', pid], 'the first container after the refused create');
    },
  },
  {
    name: 'lifecycle/start-twice-fails',
    run: (t) => {
      const c = t.create('sleep 1000');
      t.must(['start', c.id]);
      ok(t.cli(['start', c.id]).status !== 0, 'start of a running container succeeded');
      eq(status(t, c.id), 'running', 'status');
    },
  },
  {
    name: 'lifecycle/start-stopped-fails',
    run: (t) => {
      const c = t.create('exit 0');
      t.must(['start', c.id]);
      waitStatus(t, c.id, 'stopped');
      ok(t.cli(['start', c.id]).status !== 0, 'start of a stopped container succeeded');
    },
  },
  {
    name: 'lifecycle/unknown-id-errors',
    run: (t) => {
      const id = t.id();
      for (const args of [['state', id], ['start', id], ['kill', id, 'KILL'], ['delete', id]]) {
        const r = t.cli(args);
        ok(r.status !== 0, `${args[0]} of an unknown container succeeded`);
      }
    },
  },
  {
    name: 'lifecycle/kill-created',
    run: (t) => {
      const c = t.create('sleep 1000');
      t.must(['kill', c.id, 'KILL']);
      waitStatus(t, c.id, 'stopped');
    },
  },
  {
    name: 'lifecycle/kill-default-sigterm',
    run: (t) => {
      const c = t.create("trap 'exit 0' TERM; while :; do sleep 0.05; done");
      t.must(['start', c.id]);
      t.must(['kill', c.id]);
      waitStatus(t, c.id, 'stopped');
    },
  },
  {
    name: 'lifecycle/kill-signal-forms',
    run: (t) => {
      const c = t.create("n=0; trap 'n=$((n+1)); echo $n > /n' USR1; touch /ready; while :; do sleep 0.05; done", writable);
      t.must(['start', c.id]);
      const n = join(c.bundle, 'rootfs', 'n');
      ok(until(() => existsSync(join(c.bundle, 'rootfs', 'ready'))), 'the process did not start');
      ['USR1', 'SIGUSR1', '10'].forEach((sig, i) => {
        t.must(['kill', c.id, sig]);
        ok(until(() => existsSync(n) && readFileSync(n, 'utf8').trim() === String(i + 1), 5000), `signal ${sig} not delivered`);
      });
    },
  },
  {
    name: 'lifecycle/kill-stopped-fails',
    run: (t) => {
      const c = t.create('exit 0');
      t.must(['start', c.id]);
      waitStatus(t, c.id, 'stopped');
      ok(t.cli(['kill', c.id, 'KILL']).status !== 0, 'kill of a stopped container succeeded');
      eq(status(t, c.id), 'stopped', 'status');
    },
  },
  {
    name: 'lifecycle/pid-file',
    run: (t) => {
      const f = join(t.tmp('pidfile'), 'pid');
      const c = t.create('sleep 1000', undefined, ['--pid-file', f]);
      eq(readFileSync(f, 'utf8').trim(), String(t.state(c.id).pid), '--pid-file contents');
    },
  },
  {
    name: 'lifecycle/pid-file-relative',
    run: (t) => {
      const d = t.tmp('pidrel');
      const id = t.id();
      const b = t.bundle(t.spec('sleep 1000', id));
      t.must(['create', '--bundle', b, '--pid-file', 'rel.pid', id], { cwd: d });
      eq(readFileSync(join(d, 'rel.pid'), 'utf8').trim(), String(t.state(id).pid), 'a relative --pid-file (from the caller cwd)');
    },
  },
  {
    name: 'lifecycle/bad-config-leaves-nothing',
    run: (t) => failedCreate(t, (s) => s.linux.namespaces.push({ type: 'network', path: '/proc/self/ns/no-such-ns' })),
  },
  {
    name: 'lifecycle/missing-binary-leaves-nothing',
    run: (t) => failedCreate(t, (s) => (s.process.args = ['/no/such/binary'])),
  },
  {
    name: 'lifecycle/bad-mount-leaves-nothing',
    run: (t) => failedCreate(t, (s) => s.mounts.push({ destination: '/x', type: 'bind', source: '/no/such/source', options: ['bind'] })),
  },
  {
    name: 'lifecycle/bad-cwd-leaves-nothing',
    run: (t) => failedCreate(t, (s) => (s.process.cwd = 'relative/dir')),
  },
  {
    name: 'lifecycle/run-detached',
    run: (t) => {
      const id = t.id();
      const b = t.bundle(t.spec('sleep 1000', id));
      t.must(['run', '-d', '--bundle', b, id]);
      eq(status(t, id), 'running', 'status after run -d');
    },
  },
  {
    name: 'lifecycle/list',
    run: (t) => {
      const c = t.create('sleep 1000');
      const r = t.must(['list', '-q']);
      ok(r.stdout.split('\n').includes(c.id), `list -q: ${r.stdout}`);
    },
  },
  {
    name: 'exec/basic',
    run: (t) => {
      const c = t.create('sleep 1000');
      t.must(['start', c.id]);
      const r = t.must(['exec', c.id, 'sh', '-c', 'echo hi; hostname; readlink /proc/self/ns/pid']);
      const pid = t.state(c.id).pid as number;
      eq(r.stdout.trim().split('\n'), ['hi', 'conformance', readlinkSync(`/proc/${pid}/ns/pid`)], 'exec output');
    },
  },
  {
    name: 'exec/user-env-cwd',
    run: (t) => {
      const c = t.create('sleep 1000');
      t.must(['start', c.id]);
      const r = t.must(['exec', '--user', '1000:1000', '--env', 'FOO=bar', '--cwd', '/tmp', c.id, 'sh', '-c', 'echo $(id -u):$(id -g) $FOO $(pwd)']);
      eq(r.stdout.trim(), '1000:1000 bar /tmp', 'exec output');
    },
  },
  {
    name: 'exec/process-json',
    run: (t) => {
      const c = t.create('sleep 1000');
      t.must(['start', c.id]);
      const p = join(t.tmp('process'), 'process.json');
      writeFileSync(p, JSON.stringify({ ...c.spec.process, args: ['sh', '-c', 'echo from-json; exit 3'], cwd: '/' }));
      const r = t.cli(['exec', '--process', p, c.id]);
      eq([r.status, r.stdout.trim()], [3, 'from-json'], 'exit status and output');
    },
  },
  {
    name: 'exec/stopped-fails',
    run: (t) => {
      const c = t.create('exit 0');
      t.must(['start', c.id]);
      waitStatus(t, c.id, 'stopped');
      ok(t.cli(['exec', c.id, 'true']).status !== 0, 'exec in a stopped container succeeded');
    },
  },
];

