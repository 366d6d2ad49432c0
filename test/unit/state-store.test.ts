import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ociState, StateStore, validateId, type StoredState } from '../../src/container/state-store.ts';
import { readProcStat } from '../../src/container/proc.ts';

function withStore(fn: (s: StateStore) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'runts-store-'));
  try {
    fn(new StateStore(join(dir, 'root')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function stateFor(id: string, pid: number, startTime: string): StoredState {
  return { ociVersion: '1.3.0', id, pid, pidStartTime: startTime, bundle: '/b', rootfs: '/b/rootfs', created: '2026-01-01T00:00:00Z', annotations: {}, ownPidNamespace: true };
}

test('ids follow runc\'s format', () => {
  for (const id of ['a', 'my-ctr_1.2+x']) validateId(id);
  for (const id of ['', '.', '..', 'a/b', 'a b', 'ü']) assert.throws(() => validateId(id), /invalid container ID format/, id);
});

test('create is exclusive and read of a missing container says it does not exist', () => {
  withStore((s) => {
    s.create('c1');
    assert.throws(() => s.create('c1'), /container with id c1 already exists/);
    assert.equal(s.read('c1'), null, 'no state yet: creating');
    assert.equal(s.status(null), 'creating');
    assert.throws(() => s.read('c2'), /container does not exist/);
  });
});

test('state is written atomically and read back', () => {
  withStore((s) => {
    s.create('c1');
    const st = stateFor('c1', process.pid, readProcStat(process.pid)!.startTime);
    s.write(st);
    assert.deepEqual(s.read('c1'), st);
    assert.deepEqual(readdirSync(s.dir('c1')), ['state.json'], 'no temp file left');
    assert.deepEqual(s.list(), ['c1']);
  });
});

test('status: alive pid with matching start time is running, or created while the fifo exists', () => {
  withStore((s) => {
    s.create('c1');
    const st = stateFor('c1', process.pid, readProcStat(process.pid)!.startTime);
    assert.equal(s.status(st), 'running');
    writeFileSync(s.fifoPath('c1'), '');
    assert.equal(s.status(st), 'created');
  });
});

test('a recycled pid (same pid, other start time) reads as stopped', () => {
  withStore((s) => {
    const st = stateFor('c1', process.pid, '1');
    assert.equal(s.status(st), 'stopped');
    assert.equal(s.status(stateFor('c1', 2 ** 22 + 5, '1')), 'stopped');
  });
});

test('the state document has runc\'s fields in runc\'s order; pid is 0 once stopped', () => {
  const st = stateFor('c1', 42, '7');
  assert.deepEqual(Object.keys(ociState(st, 'running')), ['ociVersion', 'id', 'pid', 'status', 'bundle', 'rootfs', 'created', 'owner']);
  assert.equal(ociState(st, 'stopped').pid, 0);
  const annotated = { ...st, annotations: { a: 'b' } };
  assert.deepEqual(Object.keys(ociState(annotated, 'running')).slice(-2), ['annotations', 'owner']);
});

test('remove takes the directory with its files, also an unexpected subdirectory, and a missing one is no error', () => {
  withStore((s) => {
    s.create('c1');
    s.write(stateFor('c1', process.pid, readProcStat(process.pid)!.startTime));
    writeFileSync(join(s.dir('c1'), 'exec.fifo'), '');
    s.remove('c1');
    assert.deepEqual(readdirSync(s.root), []);
    s.create('c2');
    mkdirSync(join(s.dir('c2'), 'sub', 'deeper'), { recursive: true });
    writeFileSync(join(s.dir('c2'), 'sub', 'f'), 'x');
    s.remove('c2');
    assert.deepEqual(readdirSync(s.root), []);
    s.remove('c3');
  });
});
