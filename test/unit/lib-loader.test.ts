// loadLib: a bundle is loaded once, from its V8 code cache when V8 takes it;
// a missing or rejected cache is written anew, and the bundle still loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLib } from '../../src/cli/lib-loader.ts';

test('loads a CJS bundle once, writes its code cache, and replaces a cache V8 rejects', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runts-lib-'));
  try {
    writeFileSync(join(dir, 'one.js'), 'exports.value = 41 + 1; exports.dir = __dirname; exports.fn = require("node:path").basename(__filename);');
    const mod = loadLib(dir, 'one') as { value: number; dir: string; fn: string };
    assert.deepEqual(mod, { value: 42, dir, fn: 'one.js' });
    assert.equal(loadLib(dir, 'one'), mod, 'loaded once');
    assert.ok(existsSync(join(dir, 'one.js.cache')), 'no cache written');

    writeFileSync(join(dir, 'two.js'), 'exports.value = "two";');
    writeFileSync(join(dir, 'two.js.cache'), 'not a code cache');
    assert.deepEqual(loadLib(dir, 'two'), { value: 'two' });
    assert.notEqual(readFileSync(join(dir, 'two.js.cache'), 'utf8'), 'not a code cache', 'the rejected cache was kept');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Training happens at exit, so it is watched from a child process.
test('a successful exit writes <name>.js.trained.cache, holding the functions the run compiled; a failed one does not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runts-lib-'));
  const loader = join(import.meta.dirname, '..', '..', 'src', 'cli', 'lib-loader.ts');
  const run = (code: number): number | null =>
    spawnSync(process.execPath, ['--import', 'tsx', '-e', `import { loadLib } from ${JSON.stringify(loader)}; const m = loadLib(${JSON.stringify(dir)}, 'three'); m.run(); process.exitCode = ${code};`], {
      stdio: 'inherit',
    }).status;
  try {
    writeFileSync(join(dir, 'three.js'), 'function used() { return [1, 2, 3].map((x) => x * 2); }\nexports.run = () => used();');
    const trained = join(dir, 'three.js.trained.cache');
    assert.equal(run(3), 3);
    assert.ok(existsSync(join(dir, 'three.js.cache')), 'the plain cache is written at load');
    assert.ok(!existsSync(trained), 'a failed run trained the cache');
    assert.equal(run(0), 0);
    assert.ok(existsSync(trained), 'no trained cache after a successful run');
    assert.ok(readFileSync(trained).length > readFileSync(join(dir, 'three.js.cache')).length, 'the trained cache holds no more code than the plain one');
    // A trained cache is loaded as it is, and a rejected one is replaced.
    writeFileSync(trained, 'not a code cache');
    assert.equal(run(0), 0);
    assert.notEqual(readFileSync(trained, 'utf8'), 'not a code cache', 'the rejected trained cache was kept');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// loadLib reads bundles as latin1, so the build must never ship a non-ASCII one.
test('the build\'s code-cache step refuses a non-ASCII bundle, naming the file and line, and caches ASCII ones', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runts-lib-'));
  const script = join(import.meta.dirname, '..', '..', 'scripts', 'code-cache.cjs');
  try {
    writeFileSync(join(dir, 'ok.js'), 'exports.unit = "\\u00b5s";\n');
    const good = spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
    assert.equal(good.status, 0, good.stderr);
    assert.ok(existsSync(join(dir, 'ok.js.cache')));
    writeFileSync(join(dir, 'bad.js'), 'exports.a = 1;\nexports.unit = /\u00b5s/;\n');
    const bad = spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /bad\.js:2: a non-ASCII character/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
