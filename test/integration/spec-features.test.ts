// `runts spec` writes a config that runs unmodified; `runts features` claims
// only what runs here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, makeRootfs, RUNTS, Sandbox, type Json } from './helpers.ts';
import { validateFeatures } from '../../src/spec/validate.ts';
import { OFFICIAL, officialValidators } from '../unit/official-schemas.ts';

let sb: Sandbox;
before(() => {
  sb = new Sandbox();
});
after(() => sb.cleanup());

function specBundle(flags: string[]): string {
  const b = join(sb.dir, `spec-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(b);
  makeRootfs(join(b, 'rootfs'));
  const r = sb.runts(['spec', ...flags], { cwd: b });
  assert.equal(r.status, 0, r.stderr);
  return b;
}

test('the config `runts spec` writes runs unmodified (a shell on a terminal)', () => {
  const b = specBundle([]);
  const spec = JSON.parse(readFileSync(join(b, 'config.json'), 'utf8')) as Json;
  assert.equal(spec.process.terminal, true);
  assert.deepEqual(spec.process.args, ['sh']);
  // the shell reads its commands from the terminal
  const r = spawnSync('script', ['-qec', `${process.execPath} ${RUNTS} --root ${sb.root} run ${sb.id()}`, '/dev/null'], {
    cwd: b,
    env: cleanEnv(),
    input: 'echo "in $(hostname) as $(id -u)"; exit 6\n',
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.match(r.stdout.replace(/\r/g, ''), /in runts as 0\n/);
  assert.equal(r.status, 6);
});

test('`runts spec --rootless` maps the caller to root in a user namespace and runs', () => {
  const b = specBundle(['--rootless']);
  const spec = JSON.parse(readFileSync(join(b, 'config.json'), 'utf8')) as Json;
  spec.process.terminal = false;
  spec.process.args = ['sh', '-c', 'cat /proc/self/uid_map; readlink /proc/self/ns/user'];
  writeFileSync(join(b, 'config.json'), JSON.stringify(spec));
  const r = sb.runts(['run', '-b', b, sb.id()]);
  assert.equal(r.status, 0, r.stderr);
  const [map, userNs] = r.stdout.trim().split('\n');
  assert.deepEqual(map!.trim().split(/\s+/), ['0', String(process.getuid!()), '1']);
  assert.notEqual(userNs, spawnSync('readlink', ['/proc/self/ns/user'], { encoding: 'utf8' }).stdout.trim());
});

test('`runts spec` refuses to overwrite and names a missing bundle', () => {
  const b = specBundle([]);
  let r = sb.runts(['spec'], { cwd: b });
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'runts: File config.json exists. Remove it first\n');
  r = sb.runts(['spec', '-b', join(sb.dir, 'nope')]);
  assert.equal(r.stderr, `runts: chdir ${join(sb.dir, 'nope')}: no such file or directory\n`);
  assert.equal(existsSync(join(sb.dir, 'nope')), false);
});

test('`runts features` is valid and each namespace it claims works, all at once', { skip: existsSync(join(OFFICIAL, 'features-schema.json')) ? false : 'no official schemas' }, () => {
  const r = sb.runts(['features']);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as Json;
  assert.deepEqual(validateFeatures(doc), []);
  assert.equal(officialValidators().features(doc), true);
  const b = specBundle(['--rootless']);
  const spec = JSON.parse(readFileSync(join(b, 'config.json'), 'utf8')) as Json;
  spec.process.terminal = false;
  spec.process.args = ['sh', '-c', 'for n in cgroup ipc mnt net pid time user uts; do readlink /proc/self/ns/$n; done'];
  spec.linux.namespaces = (doc.linux.namespaces as string[]).map((type) => ({ type }));
  writeFileSync(join(b, 'config.json'), JSON.stringify(spec));
  const run = sb.runts(['run', '-b', b, sb.id()]);
  assert.equal(run.status, 0, run.stderr);
  const inside = run.stdout.trim().split('\n');
  assert.equal(inside.length, 8);
  for (const line of inside) {
    const type = line.split(':')[0]!;
    assert.notEqual(line, spawnSync('readlink', [`/proc/self/ns/${type}`], { encoding: 'utf8' }).stdout.trim(), type);
  }
});
