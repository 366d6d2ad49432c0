// Hooks without a container: how the plan normalises and checks them, the
// state document hooks read, and the runner in the runts process (a real
// /bin/sh and real processes, but no root and no namespaces).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planHooks } from '../../src/plan/hooks.ts';
import { PLAN_VERSION } from '../../src/plan/types.ts';
import { hookState } from '../../src/hooks/state.ts';
import { HookError, runHook, runHooks } from '../../src/hooks/run-hook.ts';
import type { PlanHook } from '../../src/plan/types.ts';
import { assertOnlyError, errors, plan } from './plan-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'runts-hooks-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

const hook = (path: string, over: Partial<PlanHook> = {}): PlanHook => ({ path, args: [path], env: [], timeout: null, ...over });

test('plan: no hooks -> no pause, empty lists, the state template', () => {
  const p = plan((s) => (s.annotations = { a: 'b' }));
  assert.equal(p.version, PLAN_VERSION);
  assert.equal(p.pauseForRuntimeHooks, false);
  assert.deepEqual(p.createContainerHooks, []);
  assert.deepEqual(p.startContainerHooks, []);
  assert.deepEqual(p.hookState, { ociVersion: '1.3.0', bundle: '/bundles/c1', annotations: { a: 'b' } });
});

test('plan: prestart or createRuntime hooks make the init pause; container hooks are normalised', () => {
  assert.equal(plan((s) => (s.hooks = { prestart: [{ path: '/x' }] })).pauseForRuntimeHooks, true);
  assert.equal(plan((s) => (s.hooks = { createRuntime: [{ path: '/x' }] })).pauseForRuntimeHooks, true);
  const only = plan((s) => (s.hooks = { poststart: [{ path: '/x' }], poststop: [{ path: '/y' }] }));
  assert.equal(only.pauseForRuntimeHooks, false);
  const p = plan(
    (s) =>
      (s.hooks = {
        createContainer: [{ path: '/bin/a', args: ['a0', '-x'], env: ['K=V', 'E='], timeout: 5 }, { path: '/bin/b' }],
        startContainer: [{ path: '/bin/c', args: [] }],
      }),
  );
  assert.deepEqual(p.createContainerHooks, [
    { path: '/bin/a', args: ['a0', '-x'], env: ['K=V', 'E='], timeout: 5 },
    { path: '/bin/b', args: ['/bin/b'], env: [], timeout: null },
  ]);
  assert.deepEqual(p.startContainerHooks, [{ path: '/bin/c', args: ['/bin/c'], env: [], timeout: null }]);
});

test('plan: every kind, in config order', () => {
  const set = planHooks({
    prestart: [{ path: '/p' }],
    createRuntime: [{ path: '/r1' }, { path: '/r2' }],
    poststop: [{ path: '/s', args: ['s', '1'] }],
  });
  assert.deepEqual(Object.keys(set), ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']);
  assert.deepEqual(set.createRuntime.map((h) => h.path), ['/r1', '/r2']);
  assert.deepEqual(set.poststop[0]!.args, ['s', '1']);
  assert.deepEqual(set.poststart, []);
});

test('plan: relative paths, NUL bytes, env without "=" and bad timeouts are refused, all at once', () => {
  assertOnlyError((s) => (s.hooks = { poststop: [{ path: 'bin/x' }] }), 'config.json: /hooks/poststop/0/path: "bin/x" must be an absolute path');
  assert.deepEqual(
    errors(
      (s) =>
        (s.hooks = {
          prestart: [{ path: '/ok' }, { path: '/a\0b', args: ['x', 'y\0'], env: ['NOEQUALS', 'A=\0'], timeout: 0 }],
          startContainer: [{ path: '/ok', timeout: 1.5 }],
        }),
    ),
    [
      'config.json: /hooks/prestart/1/path: must not contain a NUL byte',
      'config.json: /hooks/prestart/1/args/1: must not contain a NUL byte',
      'config.json: /hooks/prestart/1/env/0: "NOEQUALS" is not of the form NAME=value',
      'config.json: /hooks/prestart/1/env/1: must not contain a NUL byte',
      'config.json: /hooks/prestart/1/timeout: 0 must be an integer greater than zero',
      'config.json: /hooks/startContainer/0/timeout: 1.5 must be an integer greater than zero',
    ],
  );
});

test('state document: runc field order, pid dropped once stopped, annotations only when present', () => {
  const base = { ociVersion: '1.3.0', id: 'c1', bundle: '/b', annotations: {} };
  assert.equal(JSON.stringify(hookState(base, 'creating', 42)), '{"ociVersion":"1.3.0","id":"c1","status":"creating","pid":42,"bundle":"/b"}');
  assert.equal(JSON.stringify(hookState(base, 'stopped', 42)), '{"ociVersion":"1.3.0","id":"c1","status":"stopped","bundle":"/b"}');
  assert.equal(
    JSON.stringify(hookState({ ...base, annotations: { k: 'v' } }, 'running', 7)),
    '{"ociVersion":"1.3.0","id":"c1","status":"running","pid":7,"bundle":"/b","annotations":{"k":"v"}}',
  );
});

test('runner: exact argv (argv[0] included), exact env, state on stdin, cwd, real pipes', async () => {
  const out = join(dir, 'rec');
  // busybox-style argv[0] cannot be checked through a script ($0 is the
  // script's path); /proc/self/cmdline of the shell shows what execve got
  // only for the interpreter, so record the args and env instead, and check
  // argv[0] with `sh -c 'echo $0' NAME`.
  await runHook('poststart', 0, hook('/bin/sh', { args: ['my-argv0', '-c', `{ echo "0=$0 1=$1"; env | sort; cat; echo; pwd; readlink /proc/self/fd/0; readlink /proc/self/fd/2; } > ${out}`, 'the-argv0', 'one two'], env: ['B=2', 'A=1 x'] }), { id: 'c' }, { cwd: dir });
  const lines = readFileSync(out, 'utf8').split('\n');
  assert.equal(lines[0], '0=the-argv0 1=one two');
  const env = lines.slice(1, lines.indexOf('{"id":"c"}')).filter((l) => !/^(PWD|SHLVL|_)=/.test(l));
  assert.deepEqual(env, ['A=1 x', 'B=2']);
  assert.equal(lines[lines.indexOf('{"id":"c"}') + 1], dir);
  assert.match(lines[lines.indexOf('{"id":"c"}') + 2]!, /^pipe:/);
  assert.match(lines[lines.indexOf('{"id":"c"}') + 3]!, /^pipe:/);
  // argv[0] itself, as the kernel recorded it.
  const cmdline = join(dir, 'cmdline');
  await runHook('poststart', 0, hook('/bin/sh', { args: ['zz-argv0', '-c', `tr '\\0' ' ' < /proc/$$/cmdline > ${cmdline}`] }), {}, { cwd: '/' });
  assert.ok(readFileSync(cmdline, 'utf8').startsWith('zz-argv0 -c '), readFileSync(cmdline, 'utf8'));
});

test('runner: failure message names kind, index, path, status and the first stderr line', async () => {
  const p = script('fail', 'echo on-stdout; echo >&2; echo "  first bad line  " > /dev/stderr; echo second >&2; exit 3');
  await assert.rejects(runHook('createRuntime', 2, hook(p), {}, { cwd: '/' }), (e: unknown) => {
    assert.ok(e instanceof HookError);
    assert.equal(e.message, `createRuntime hook #2 (${p}): exit status 3: first bad line`);
    assert.equal(e.kind, 'createRuntime');
    assert.equal(e.index, 2);
    return true;
  });
  const quiet = script('quiet', 'exit 1');
  await assert.rejects(runHook('poststop', 0, hook(quiet), {}, { cwd: '/' }), { message: `poststop hook #0 (${quiet}): exit status 1` });
  const killed = script('killed', 'kill -TERM $$');
  await assert.rejects(runHook('poststart', 0, hook(killed), {}, { cwd: '/' }), { message: `poststart hook #0 (${killed}): killed by signal SIGTERM` });
  await assert.rejects(runHook('prestart', 1, hook('/nonexistent/hook'), {}, { cwd: '/' }), {
    message: 'prestart hook #1 (/nonexistent/hook): exec: no such file or directory',
  });
});

test('runner: a hook past its timeout is killed and reported', async () => {
  const t0 = Date.now();
  const p = script('slow', 'exec sleep 30');
  await assert.rejects(runHook('createRuntime', 0, hook(p, { timeout: 1 }), {}, { cwd: '/' }), {
    message: `createRuntime hook #0 (${p}): timed out after 1s`,
  });
  assert.ok(Date.now() - t0 < 5000);
});

test('runner: a hook that ignores stdin, a big state, and a daemon holding stderr do not hang it', async () => {
  const p = script('ignore', 'exit 0');
  await runHook('poststop', 0, hook(p), { big: 'x'.repeat(1 << 20) }, { cwd: '/' });
  const d = script('daemon', '(sleep 5 &) ; exit 0');
  const t0 = Date.now();
  await runHook('poststop', 0, hook(d), {}, { cwd: '/' });
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
});

test('runHooks: in order, stops at the first failure', async () => {
  const log = join(dir, 'order');
  const ok = (n: string): PlanHook => hook('/bin/sh', { args: ['sh', '-c', `echo ${n} >> ${log}`] });
  const bad = hook('/bin/sh', { args: ['sh', '-c', 'exit 4'] });
  await assert.rejects(runHooks('createRuntime', [ok('a'), ok('b'), bad, ok('c')], {}, { cwd: '/' }), {
    message: 'createRuntime hook #2 (/bin/sh): exit status 4',
  });
  assert.equal(readFileSync(log, 'utf8'), 'a\nb\n');
});

test('features: all six kinds are announced', async () => {
  const { SUPPORTED_HOOKS } = await import('../../src/features/features.ts');
  assert.deepEqual([...SUPPORTED_HOOKS], ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']);
});
