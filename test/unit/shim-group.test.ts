// Which server a container goes to (group.ts) and when a server exits (lifetime.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { groupId, groupMode, NAMESPACE_GROUP, readAnnotations } from '../../src/shim/group.ts';
import { FORCE_MS, GRACE_MS, Lifetime } from '../../src/shim/lifetime.ts';
import { socketPath } from '../../src/shim/address.ts';

test('RUNTS_SHIM_GROUP: unset or empty is pod; container and namespace; anything else is refused', () => {
  assert.equal(groupMode(undefined), 'pod');
  assert.equal(groupMode(''), 'pod');
  assert.equal(groupMode('pod'), 'pod');
  assert.equal(groupMode('container'), 'container');
  assert.equal(groupMode('namespace'), 'namespace');
  assert.throws(() => groupMode('Namespace'), /RUNTS_SHIM_GROUP=Namespace/);
});

test('pod mode: the runc group label, then the CRI sandbox id, else the container id', () => {
  const sandbox = { 'io.kubernetes.cri.sandbox-id': 'pod1', other: 'x' };
  assert.equal(groupId('c1', sandbox, 'pod'), 'pod1');
  assert.equal(groupId('c1', { ...sandbox, 'io.containerd.runc.v2.group': 'g' }, 'pod'), 'g');
  assert.equal(groupId('c1', {}, 'pod'), 'c1');
  assert.equal(groupId('c1', { 'io.kubernetes.cri.sandbox-id': '' }, 'pod'), 'c1');
});

test('container mode ignores the annotations; namespace mode has one group that no id can name', () => {
  const sandbox = { 'io.kubernetes.cri.sandbox-id': 'pod1' };
  assert.equal(groupId('c1', sandbox, 'container'), 'c1');
  assert.equal(groupId('c1', sandbox, 'namespace'), NAMESPACE_GROUP);
  assert.equal(groupId('c2', {}, 'namespace'), NAMESPACE_GROUP);
  // containerd's identifier rule: [A-Za-z0-9]+ joined by single . _ -
  assert.doesNotMatch(NAMESPACE_GROUP, /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/);
  // The namespace and containerd's address are still part of the socket address.
  assert.notEqual(socketPath('/run/containerd/containerd.sock', 'a', NAMESPACE_GROUP), socketPath('/run/containerd/containerd.sock', 'b', NAMESPACE_GROUP));
});

test('readAnnotations reads config.json, keeping string values', () => {
  const d = mkdtempSync(join(tmpdir(), 'runts-group-'));
  try {
    writeFileSync(join(d, 'config.json'), JSON.stringify({ ociVersion: '1.0.2', annotations: { a: 'b', n: 3 } }));
    assert.deepEqual(readAnnotations(d), { a: 'b' });
    writeFileSync(join(d, 'config.json'), JSON.stringify({ ociVersion: '1.0.2' }));
    assert.deepEqual(readAnnotations(d), {});
    rmSync(join(d, 'config.json'));
    assert.throws(() => readAnnotations(d), /ENOENT/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

function lifetime(state: { containers: number; connections: number }) {
  let t = 0;
  let exits = 0;
  const l = new Lifetime({ containers: () => state.containers, connections: () => state.connections, exit: () => exits++, now: () => t });
  return { l, at: (ms: number) => (t = ms), exits: () => exits };
}

test('a server exits once no container, no connection, and no connection for GRACE_MS', () => {
  const s = { containers: 0, connections: 1 };
  const { l, at, exits } = lifetime(s);
  // containerd connects right after start, creates, ... deletes, sends Shutdown.
  s.containers = 1;
  at(GRACE_MS * 3);
  l.check();
  assert.equal(exits(), 0);
  s.containers = 0;
  l.shutdownRequested();
  assert.equal(exits(), 0, 'the client is still connected');
  s.connections = 0;
  l.check();
  assert.equal(exits(), 1);
  l.check();
  assert.equal(exits(), 1, 'exits once');
});

test('a start that found the server a moment before the last Shutdown keeps it alive', () => {
  const s = { containers: 1, connections: 1 };
  const { l, at, exits } = lifetime(s);
  at(5000);
  l.connected(); // the probe of a start for the next container of the group
  s.containers = 0;
  s.connections = 0;
  at(5010);
  l.shutdownRequested();
  assert.equal(exits(), 0);
  // containerd connects and creates the next container.
  at(5020);
  l.connected();
  s.connections = 1;
  s.containers = 1;
  at(5000 + GRACE_MS * 2);
  l.check();
  assert.equal(exits(), 0);
});

test('a fresh server waits GRACE_MS for containerd; a silent client is dropped FORCE_MS after Shutdown', () => {
  const s = { containers: 0, connections: 0 };
  const { l, at, exits } = lifetime(s);
  at(GRACE_MS - 1);
  l.check();
  assert.equal(exits(), 0);
  s.connections = 1;
  l.connected();
  at(GRACE_MS * 2);
  l.shutdownRequested();
  assert.equal(exits(), 0);
  at(GRACE_MS * 2 + FORCE_MS);
  l.check();
  assert.equal(exits(), 1);
});
