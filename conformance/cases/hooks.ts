// Hooks: the six kinds in the spec's order, each given the state on stdin
// (id, bundle, status at its moment, pid), exactly its args and env; a
// failing or hanging create-time hook fails create and leaves nothing.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq, fail, ok, until, type Ctx } from '../context.ts';
import type { Case } from '../case.ts';
import type { Json } from '../bundle.ts';
import { nothingLeft } from './lifecycle.ts';

const KINDS = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'] as const;
type Kind = (typeof KINDS)[number];

/**
 * Hooks of every kind writing `<dir>/<kind>.json` (their stdin) and a line to
 * `<dir>/order`. The dir is bind-mounted at the same path in the container,
 * so startContainer (run in the container's root) writes to it too.
 */
function addHooks(s: Json, dir: string): void {
  s.mounts.push({ destination: dir, type: 'bind', source: dir, options: ['bind'] });
  s.hooks = {};
  for (const k of KINDS) {
    s.hooks[k] = [{ path: '/bin/sh', args: ['sh', '-c', `cat > ${dir}/${k}.json; echo ${k} >> ${dir}/order`] }];
  }
}

/** create, start, wait for the exit, delete: the whole lifecycle with hooks of every kind. */
function lifecycle(t: Ctx): { dir: string; id: string; bundle: string; pid: number } {
  const dir = t.tmp('hooks');
  const c = t.create('sleep 0.2', (s) => addHooks(s, dir));
  const pid = t.state(c.id).pid as number;
  t.must(['start', c.id]);
  if (!until(() => t.state(c.id).status === 'stopped')) fail('the container did not stop');
  t.must(['delete', c.id]);
  return { dir, id: c.id, bundle: c.bundle, pid };
}

const EXPECTED_STATUS: Record<Kind, string> = {
  prestart: 'creating',
  createRuntime: 'creating',
  createContainer: 'creating',
  startContainer: 'created',
  poststart: 'running',
  poststop: 'stopped',
};

const stdinCase = (kind: Kind): Case => ({
  name: `hooks/stdin-${kind}`,
  run: (t) => {
    const l = lifecycle(t);
    const f = join(l.dir, `${kind}.json`);
    ok(existsSync(f), `the ${kind} hook did not run`);
    const st = JSON.parse(readFileSync(f, 'utf8'));
    eq([st.id, st.bundle, st.status], [l.id, l.bundle, EXPECTED_STATUS[kind]], `id, bundle, status given to ${kind}`);
    ok(typeof st.ociVersion === 'string', 'no ociVersion');
    // The runtime-namespace hooks get the container's host pid.
    if (kind === 'prestart' || kind === 'createRuntime' || kind === 'poststart') eq(st.pid, l.pid, 'pid');
  },
});

export const hookCases: Case[] = [
  {
    name: 'hooks/order',
    run: (t) => {
      const l = lifecycle(t);
      eq(readFileSync(join(l.dir, 'order'), 'utf8').trim().split('\n'), [...KINDS], 'the order hooks ran in');
    },
  },
  ...KINDS.map(stdinCase),
  {
    name: 'hooks/args-and-env',
    run: (t) => {
      const dir = t.tmp('hookargs');
      const c = t.create('true', (s) => {
        s.hooks = { prestart: [{ path: '/bin/sh', args: ['hook-argv0', '-c', `tr '\\0' ' ' < /proc/$$/cmdline > ${dir}/argv; env > ${dir}/env`, 'zero', 'one'], env: ['FOO=hook', 'BAR=2'] }] };
      });
      eq(readFileSync(join(dir, 'argv'), 'utf8').trim().split(' ')[0], 'hook-argv0', 'argv[0]');
      const env = readFileSync(join(dir, 'env'), 'utf8').trim().split('\n').filter((l) => !/^(PWD|OLDPWD|SHLVL|_)=/.test(l));
      eq(env.sort(), ['BAR=2', 'FOO=hook'], 'the hook environment (the shell\'s own PWD aside)');
    },
  },
  {
    name: 'hooks/failing-prestart-fails-create',
    run: (t) => {
      const id = t.id();
      const s = t.spec('true', id);
      s.hooks = { prestart: [{ path: '/bin/sh', args: ['sh', '-c', 'echo boom >&2; exit 3'] }] };
      const r = t.cli(['create', '--bundle', t.bundle(s), id]);
      ok(r.status !== 0, 'create succeeded');
      nothingLeft(t, id);
    },
  },
  {
    name: 'hooks/failing-createContainer-fails-create',
    run: (t) => {
      const id = t.id();
      const s = t.spec('true', id);
      s.hooks = { createContainer: [{ path: '/bin/sh', args: ['sh', '-c', 'exit 1'] }] };
      const r = t.cli(['create', '--bundle', t.bundle(s), id]);
      ok(r.status !== 0, 'create succeeded');
      nothingLeft(t, id);
    },
  },
  {
    name: 'hooks/timeout',
    run: (t) => {
      const id = t.id();
      const s = t.spec('true', id);
      s.hooks = { createRuntime: [{ path: '/bin/sh', args: ['sh', '-c', 'sleep 20'], timeout: 1 }] };
      const t0 = Date.now();
      const r = t.cli(['create', '--bundle', t.bundle(s), id]);
      ok(r.status !== 0, 'create succeeded');
      ok(Date.now() - t0 < 15_000, `create took ${Date.now() - t0} ms with a 1 s hook timeout`);
      nothingLeft(t, id);
    },
  },
  {
    name: 'hooks/poststop-on-delete',
    run: (t) => {
      const dir = t.tmp('poststop');
      const c = t.create('sleep 1000', (s) => (s.hooks = { poststop: [{ path: '/bin/sh', args: ['sh', '-c', `touch ${dir}/ran`] }] }));
      t.must(['start', c.id]);
      ok(!existsSync(join(dir, 'ran')), 'poststop ran before delete');
      t.must(['delete', '--force', c.id]);
      ok(existsSync(join(dir, 'ran')), 'poststop did not run at delete --force');
    },
  },
];
