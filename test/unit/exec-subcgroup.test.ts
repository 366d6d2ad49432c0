import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subCgroupProcs } from '../../src/container/exec-subcgroup.ts';

function tree(fn: (root: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'runts-subcg-'));
  try {
    fn(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('v1: controller:path picks hierarchies, a plain path applies to all', () => {
  tree((root) => {
    const paths = { memory: join(root, 'memory/c'), cpu: join(root, 'cpu/c'), cpuacct: join(root, 'cpu/c') };
    for (const d of ['memory/c/s', 'cpu/c/s']) mkdirSync(join(root, d), { recursive: true });
    const saved = { version: 1 as const, paths, created: [] };
    assert.deepEqual(subCgroupProcs(saved, ['memory:s']), [join(root, 'memory/c/s/cgroup.procs'), join(root, 'cpu/c/cgroup.procs')]);
    assert.deepEqual(subCgroupProcs(saved, ['s']), [join(root, 'memory/c/s/cgroup.procs'), join(root, 'cpu/c/s/cgroup.procs')]);
    assert.deepEqual(subCgroupProcs(saved, ['cpu,cpuacct:s/']), [join(root, 'memory/c/cgroup.procs'), join(root, 'cpu/c/s/cgroup.procs')]);
    assert.throws(() => subCgroupProcs(saved, ['memory:t']), /memory\/c\/t \(memory\): no such cgroup/);
    assert.throws(() => subCgroupProcs(saved, ['pids:s']), /the container has no "pids" cgroup/);
  });
});

test('paths stay inside the container\'s cgroup; v2 takes no controller names; no saved cgroups is an error', () => {
  tree((root) => {
    mkdirSync(join(root, 'c/s'), { recursive: true });
    const v2 = { version: 2 as const, paths: { '': join(root, 'c') }, created: [] };
    assert.deepEqual(subCgroupProcs(v2, ['s']), [join(root, 'c/s/cgroup.procs')]);
    for (const bad of ['..', '../x', 's/../..', '/abs', '.']) {
      assert.throws(() => subCgroupProcs(v2, [bad]), /must be a path inside the container's cgroup/, bad);
    }
    assert.throws(() => subCgroupProcs(v2, ['memory:s']), /on cgroup v2 give the path alone/);
    assert.throws(() => subCgroupProcs(undefined, ['s']), /no cgroups of its own/);
  });
});
