// User namespaces: mappings, their checks, and what they change elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Spec } from '../../src/spec/types.ts';
import { assertOnlyError, errors, plan, withUserns } from './plan-fixtures.ts';

test('a new user namespace with one range: maps copied, devices bind-mounted', () => {
  const p = plan(withUserns);
  assert.deepEqual(p.uidMappings, [{ containerID: 0, hostID: 100000, size: 65536 }]);
  assert.deepEqual(p.gidMappings, [{ containerID: 0, hostID: 100000, size: 65536 }]);
  assert.equal(p.bindDevices, true);
  assert.deepEqual(
    p.namespaces.map((n) => n.type),
    ['user', 'pid', 'network', 'ipc', 'uts', 'mount'],
  );
});

test('several ranges, including rootless-style single-id maps', () => {
  const p = plan((s) => {
    withUserns(s);
    s.linux!.uidMappings = [
      { containerID: 0, hostID: 1000, size: 1 },
      { containerID: 1, hostID: 100000, size: 65535 },
    ];
    s.process!.user = { uid: 1000, gid: 0, additionalGids: [5] };
  });
  assert.equal(p.uidMappings.length, 2);
  assert.equal(p.process.uid, 1000);
});

test('a user namespace without maps is an error for each missing map', () => {
  assert.deepEqual(
    errors((s) => s.linux!.namespaces!.push({ type: 'user' })),
    [
      'config.json: /linux/uidMappings: required with a new user namespace',
      'config.json: /linux/gidMappings: required with a new user namespace',
    ],
  );
  assertOnlyError(
    (s) => {
      withUserns(s);
      delete s.linux!.gidMappings;
    },
    'config.json: /linux/gidMappings: required with a new user namespace',
  );
});

test('maps without a user namespace are an error (runc ignores them silently)', () => {
  assert.deepEqual(
    errors((s) => {
      withUserns(s);
      s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'user');
    }),
    [
      'config.json: /linux/uidMappings: uid mappings need a user namespace in /linux/namespaces',
      'config.json: /linux/gidMappings: gid mappings need a user namespace in /linux/namespaces',
    ],
  );
});

test('a joined user namespace needs no maps, and given maps are not passed on', () => {
  const joined = (s: Spec) => s.linux!.namespaces!.push({ type: 'user', path: '/proc/1234/ns/user' });
  const p = plan(joined);
  assert.deepEqual(p.uidMappings, []);
  assert.deepEqual(p.namespaces[0], { type: 'user', path: '/proc/1234/ns/user' });
  assert.equal(p.bindDevices, true);
  const q = plan((s) => {
    withUserns(s);
    s.linux!.namespaces = s.linux!.namespaces!.map((n) => (n.type === 'user' ? { type: 'user', path: '/proc/1234/ns/user' } : n));
  });
  assert.deepEqual([q.uidMappings, q.gidMappings], [[], []]);
});

test('zero-sized, overflowing and overlapping ranges', () => {
  assert.deepEqual(
    errors((s) => {
      withUserns(s);
      s.linux!.uidMappings = [
        { containerID: 0, hostID: 100000, size: 0 },
        { containerID: 0, hostID: 4294967290, size: 10 },
        { containerID: 5, hostID: 200000, size: 10 },
      ];
      s.linux!.gidMappings = [
        { containerID: 0, hostID: 100000, size: 1000 },
        { containerID: 1000, hostID: 100500, size: 10 },
      ];
    }),
    [
      'config.json: /linux/uidMappings/0/size: mapping size must be greater than 0',
      'config.json: /linux/uidMappings/1/size: host ids 4294967290+10 run past 4294967294',
      'config.json: /linux/uidMappings/2/containerID: container id range overlaps /linux/uidMappings/1',
      'config.json: /linux/gidMappings/1/hostID: host id range overlaps /linux/gidMappings/0',
    ],
  );
});

test('more than 340 map lines is an error', () => {
  assertOnlyError(
    (s) => {
      withUserns(s);
      s.linux!.uidMappings = Array.from({ length: 341 }, (_, i) => ({ containerID: i, hostID: 100000 + i, size: 1 }));
    },
    'config.json: /linux/uidMappings: 341 mappings; the kernel accepts at most 340',
  );
});

test('the process ids must be mapped', () => {
  assert.deepEqual(
    errors((s) => {
      withUserns(s);
      s.process!.user = { uid: 70000, gid: 70000, additionalGids: [1, 99999] };
    }),
    [
      'config.json: /process/user/uid: uid 70000 is not mapped by /linux/uidMappings',
      'config.json: /process/user/gid: gid 70000 is not mapped by /linux/gidMappings',
      'config.json: /process/user/additionalGids/1: gid 99999 is not mapped by /linux/gidMappings',
    ],
  );
});

test('proc, sysfs and mqueue need their own namespace under a new user namespace', () => {
  assert.deepEqual(
    errors((s) => {
      withUserns(s);
      s.linux!.namespaces = s.linux!.namespaces!.filter((n) => !['pid', 'network', 'ipc'].includes(n.type));
    }),
    [
      'config.json: /mounts/0/type: proc cannot be mounted from a new user namespace unless the container also has its own pid namespace (add {"type": "pid"} or bind-mount it)',
      'config.json: /mounts/4/type: mqueue cannot be mounted from a new user namespace unless the container also has its own ipc namespace (add {"type": "ipc"} or bind-mount it)',
      'config.json: /mounts/5/type: sysfs cannot be mounted from a new user namespace unless the container also has its own network namespace (add {"type": "network"} or bind-mount it)',
    ],
  );
});

test('a bind of /sys is fine without a network namespace (what rootless configs do)', () => {
  const p = plan((s) => {
    withUserns(s);
    s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'network');
    s.mounts![5] = { destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] };
  });
  assert.equal(p.mounts[5]?.bind, true);
});
