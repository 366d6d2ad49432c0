// runts next to runc on the same bundle: the same output, exit codes, state
// at each step and misuse errors. runc is the reference; skipped without it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, makeRootfs, RUNTS, Sandbox, waitFor, type Json } from './helpers.ts';

const haveRunc = spawnSync('runc', ['--version']).status === 0;
let sb: Sandbox;
before(() => {
  sb = new Sandbox();
});
after(() => sb?.cleanup());

/** A bundle whose config.json is exactly what `runc spec` writes, with args (and optionally terminal) changed. */
function runcSpecBundle(args: string[], terminal?: boolean, edit: (spec: Json) => void = () => {}): string {
  const b = join(sb.dir, `runcspec-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(b);
  makeRootfs(join(b, 'rootfs'));
  const r = spawnSync('runc', ['spec'], { cwd: b, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const spec = JSON.parse(readFileSync(join(b, 'config.json'), 'utf8')) as Json;
  spec.process.args = args;
  if (terminal !== undefined) spec.process.terminal = terminal;
  edit(spec);
  writeFileSync(join(b, 'config.json'), JSON.stringify(spec, null, '\t'));
  return b;
}

/** The message of runc's last logrus error line. */
function runcMessage(stderr: string): string {
  const m = [...stderr.matchAll(/level=error msg="((?:[^"\\]|\\.)*)"/g)].at(-1);
  return m ? (JSON.parse(`"${m[1]}"`) as string) : stderr;
}

/** The error runts printed ("runts: <message>"); warning lines are not part of it. */
function runtsMessage(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('runts: '))
    .map((l) => l.slice('runts: '.length))
    .join('\n');
}

test('the unmodified `runc spec` config (terminal) runs under both, in a pty', { skip: !haveRunc }, () => {
  const b = runcSpecBundle(['sh', '-c', 'echo hi from $(hostname); tty; exit 4']);
  const runOne = (cmd: string): { out: string; status: number | null } => {
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', cwd: b, env: cleanEnv(), input: '' });
    // script may echo its empty stdin as ^@ or ^D into the pty; that is script's doing, not the runtime's
    return { out: r.stdout.replace(/\r/g, '').replace(/\^[@D]/g, ''), status: r.status };
  };
  const runc = runOne(`runc --root ${join(sb.dir, 'runc-state')} run ${sb.id('rc')}`);
  const runts = runOne(`${process.execPath} ${RUNTS} --root ${sb.root} run ${sb.id('rt')}`);
  assert.equal(runc.out, 'hi from runc\n/dev/pts/0\n');
  // (the config's device cgroup rule is enforced: no warning either)
  assert.equal(runts.out, runc.out);
  assert.equal(runc.status, 4);
  assert.equal(runts.status, runc.status);
});

test('same output and exit status for a non-terminal run', { skip: !haveRunc }, () => {
  // Without linux.resources: runts warns on stderr that it does not enforce them yet.
  const b = runcSpecBundle(['sh', '-c', 'echo out; echo err >&2; id; cat /proc/self/status | grep -E "^(Cap|NoNewPrivs)"; exit 9'], false, (s) => delete s.linux.resources);
  const rc = sb.runc(['run', '-b', b, sb.id('rc')]);
  const rt = sb.runts(['run', '-b', b, sb.id('rt')]);
  assert.equal(rt.status, rc.status);
  assert.equal(rt.stdout, rc.stdout);
  assert.equal(rt.stderr, rc.stderr);
});

test('state and status agree at each lifecycle step, and so do misuse errors', { skip: !haveRunc }, async () => {
  const b = runcSpecBundle(['sleep', '60'], false);
  const ids = { runc: sb.id('rc'), runts: sb.id('rt') };
  const call = (who: 'runc' | 'runts', args: string[]): { status: number | null; msg: string; stdout: string } => {
    const r = who === 'runc' ? sb.runc(args) : sb.runts(args);
    return { status: r.status, msg: who === 'runc' ? runcMessage(r.stderr) : runtsMessage(r.stderr), stdout: r.stdout };
  };
  const both = (args: (id: string) => string[]): { runc: ReturnType<typeof call>; runts: ReturnType<typeof call> } => ({
    runc: call('runc', args(ids.runc)),
    runts: call('runts', args(ids.runts)),
  });
  const sameState = (): string => {
    const rc = JSON.parse(sb.runc(['state', ids.runc]).stdout);
    const rt = JSON.parse(sb.runts(['state', ids.runts]).stdout);
    for (const k of ['status', 'bundle', 'rootfs', 'owner']) assert.equal(rt[k], rc[k], k);
    assert.deepEqual(Object.keys(rt), Object.keys(rc));
    assert.equal(rt.pid === 0, rc.pid === 0, 'pid is 0 exactly when runc says so');
    return rt.status as string;
  };
  const sameResult = (r: ReturnType<typeof both>, what: string): void => {
    assert.equal(r.runts.status, r.runc.status, `${what}: exit status`);
    assert.equal(r.runts.msg.replace(ids.runts, 'ID'), r.runc.msg.replace(ids.runc, 'ID'), `${what}: message`);
  };

  sameResult(both((id) => ['create', '-b', b, id]), 'create');
  assert.equal(sameState(), 'created');
  // delete of a created container kills it in both
  sameResult(both((id) => ['delete', id]), 'delete created');
  sameResult(both(() => ['state', 'nonexistent']), 'state of a missing container');
  sameResult(both((id) => ['create', '-b', b, id]), 'create again');
  sameResult(both((id) => ['start', id]), 'start');
  assert.equal(sameState(), 'running');
  sameResult(both((id) => ['start', id]), 'start twice');
  sameResult(both((id) => ['delete', id]), 'delete running');
  sameResult(both((id) => ['kill', id, 'KILL']), 'kill');
  assert.ok(await waitFor(() => JSON.parse(sb.runc(['state', ids.runc]).stdout).status === 'stopped'));
  assert.ok(await waitFor(() => JSON.parse(sb.runts(['state', ids.runts]).stdout).status === 'stopped'));
  assert.equal(sameState(), 'stopped');
  sameResult(both((id) => ['kill', id, 'KILL']), 'kill stopped');
  sameResult(both((id) => ['start', id]), 'start stopped');
  sameResult(both((id) => ['delete', id]), 'delete stopped');
  sameResult(both((id) => ['kill', id]), 'kill missing');
  sameResult(both((id) => ['delete', id]), 'delete missing');
  sameResult(both((id) => ['delete', '--force', id]), 'delete --force missing');
});
