// The compiled-profile cache: a hit skips the compiler but not the kernel
// flag check; another libseccomp, another profile or a damaged entry
// compiles afresh; no library identity, no cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedCompiler, libseccompIdentity } from '../../src/seccomp/cache.ts';
import type { SeccompProfile } from '../../src/plan/seccomp.ts';

const PROFILE: SeccompProfile = { defaultAction: 0x7fff0000, flags: 0, architectures: [], rules: [{ syscall: 'mkdir', action: 0x50001, conditions: [] }] };

function setup() {
  const dir = join(mkdtempSync(join(tmpdir(), 'runts-sc-')), '@seccomp');
  let compiles = 0;
  let checks = 0;
  const compile = () => {
    compiles++;
    return { program: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), unknown: ['nosuch'] };
  };
  const check = () => void checks++;
  return { dir, compile, check, counts: () => ({ compiles, checks }), done: () => rmSync(join(dir, '..'), { recursive: true, force: true }) };
}

test('a hit returns the same program and unknown names without compiling, and still checks the flags', () => {
  const s = setup();
  try {
    const c = cachedCompiler(s.dir, s.compile, s.check, 'lib-a');
    const first = c(PROFILE);
    const second = c(PROFILE);
    assert.deepEqual([...second.program], [...first.program]);
    assert.deepEqual(second.unknown, ['nosuch']);
    assert.deepEqual(s.counts(), { compiles: 1, checks: 1 });
    assert.equal(readdirSync(s.dir).length, 1);
  } finally {
    s.done();
  }
});

test('another library, another profile or a damaged entry compiles afresh; no identity, no cache', () => {
  const s = setup();
  try {
    cachedCompiler(s.dir, s.compile, s.check, 'lib-a')(PROFILE);
    cachedCompiler(s.dir, s.compile, s.check, 'lib-b')(PROFILE);
    cachedCompiler(s.dir, s.compile, s.check, 'lib-a')({ ...PROFILE, defaultAction: 0 });
    assert.equal(s.counts().compiles, 3);
    for (const f of readdirSync(s.dir)) writeFileSync(join(s.dir, f), '{"program": 5}');
    cachedCompiler(s.dir, s.compile, s.check, 'lib-a')(PROFILE);
    assert.equal(s.counts().compiles, 4);
    const none = cachedCompiler(join(s.dir, 'none'), s.compile, s.check, null);
    none(PROFILE);
    none(PROFILE);
    assert.equal(s.counts().compiles, 6);
  } finally {
    s.done();
  }
});

test('this host\'s libseccomp is found', () => {
  assert.match(libseccompIdentity() ?? '', /libseccomp\.so\.2[.\d]*:\d+:/);
});
