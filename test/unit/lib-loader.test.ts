// loadLib: a bundle is loaded once, from its V8 code cache when V8 takes it;
// a missing or rejected cache is written anew, and the bundle still loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
