// The shim's OOM watcher against fake cgroup files under a temp dir: one
// notice per increase of the kernel's oom_kill counter, from the v1 poll,
// the v2 file watch, and the check at exit; nothing once unwatched.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OomWatcher } from '../../src/shim/oom.ts';

const root = mkdtempSync(join(tmpdir(), 'runts-shim-oom-'));
after(() => rmSync(root, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(fn: () => boolean, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) return false;
    await sleep(5);
  }
  return true;
}

test('v1: memory.oom_control polled; one notice per increase; none after unwatch', async () => {
  const dir = join(root, 'v1', 'memory', 'c1');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'memory.oom_control');
  const set = (n: number) => writeFileSync(file, `oom_kill_disable 0\nunder_oom 0\noom_kill ${n}\n`);
  set(2);
  const seen: string[] = [];
  const w = new OomWatcher((id) => seen.push(id), 10);
  try {
    w.watch('c1', { version: 1, paths: { memory: dir, cpu: join(root, 'v1', 'cpu', 'c1') }, created: [] });
    await sleep(40);
    assert.deepEqual(seen, [], 'the count at watch time is not an OOM');
    set(3);
    assert.ok(await until(() => seen.length === 1));
    await sleep(40);
    assert.deepEqual(seen, ['c1']);
    // Two kills between looks: one notice, as `runts events` reports them.
    set(5);
    assert.ok(await until(() => seen.length === 2));
    // check() (the exit path) sees an increase at once.
    set(6);
    w.check('c1');
    assert.equal(seen.length, 3);
    w.unwatch('c1');
    set(9);
    await sleep(40);
    w.check('c1');
    assert.equal(seen.length, 3);
  } finally {
    w.close();
  }
});

test('v2: memory.events watched; a container without the counter never notifies', async () => {
  const dir = join(root, 'v2', 'c2');
  const bare = join(root, 'v2', 'bare');
  mkdirSync(dir, { recursive: true });
  mkdirSync(bare, { recursive: true });
  const file = join(dir, 'memory.events');
  const set = (oomKill: number) => writeFileSync(file, `low 0\nhigh 0\nmax 4\noom 1\noom_kill ${oomKill}\n`);
  set(0);
  const seen: string[] = [];
  // A poll interval far beyond the test: only the file watch can notice.
  const w = new OomWatcher((id) => seen.push(id), 60_000);
  try {
    w.watch('c2', { version: 2, paths: { '': dir }, created: [] });
    w.watch('bare', { version: 2, paths: { '': bare }, created: [] });
    set(1);
    assert.ok(await until(() => seen.length === 1), 'no notice from the watch');
    // A change of another line is not an OOM kill.
    writeFileSync(file, 'low 0\nhigh 3\nmax 4\noom 1\noom_kill 1\n');
    await sleep(50);
    w.check('bare');
    assert.deepEqual(seen, ['c2']);
  } finally {
    w.close();
  }
});
