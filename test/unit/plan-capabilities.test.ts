// Capability names <-> numbers, and how process.capabilities is planned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CAPABILITY_NAMES, capabilityName, capabilityNumber } from '../../src/plan/capabilities.ts';
import { assertOnlyError, errors, fakeEnv, plan, warnings, messages } from './plan-fixtures.ts';

// From <linux/capability.h>, written out independently of the module's table.
const KERNEL: Record<string, number> = {
  CAP_CHOWN: 0,
  CAP_DAC_OVERRIDE: 1,
  CAP_DAC_READ_SEARCH: 2,
  CAP_FOWNER: 3,
  CAP_FSETID: 4,
  CAP_KILL: 5,
  CAP_SETGID: 6,
  CAP_SETUID: 7,
  CAP_SETPCAP: 8,
  CAP_LINUX_IMMUTABLE: 9,
  CAP_NET_BIND_SERVICE: 10,
  CAP_NET_BROADCAST: 11,
  CAP_NET_ADMIN: 12,
  CAP_NET_RAW: 13,
  CAP_IPC_LOCK: 14,
  CAP_IPC_OWNER: 15,
  CAP_SYS_MODULE: 16,
  CAP_SYS_RAWIO: 17,
  CAP_SYS_CHROOT: 18,
  CAP_SYS_PTRACE: 19,
  CAP_SYS_PACCT: 20,
  CAP_SYS_ADMIN: 21,
  CAP_SYS_BOOT: 22,
  CAP_SYS_NICE: 23,
  CAP_SYS_RESOURCE: 24,
  CAP_SYS_TIME: 25,
  CAP_SYS_TTY_CONFIG: 26,
  CAP_MKNOD: 27,
  CAP_LEASE: 28,
  CAP_AUDIT_WRITE: 29,
  CAP_AUDIT_CONTROL: 30,
  CAP_SETFCAP: 31,
  CAP_MAC_OVERRIDE: 32,
  CAP_MAC_ADMIN: 33,
  CAP_SYSLOG: 34,
  CAP_WAKE_ALARM: 35,
  CAP_BLOCK_SUSPEND: 36,
  CAP_AUDIT_READ: 37,
  CAP_PERFMON: 38,
  CAP_BPF: 39,
  CAP_CHECKPOINT_RESTORE: 40,
};

test('the table has all 41 capabilities, CAP_CHOWN=0 .. CAP_CHECKPOINT_RESTORE=40', () => {
  assert.equal(CAPABILITY_NAMES.length, 41);
  assert.deepEqual(Object.fromEntries(CAPABILITY_NAMES.map((n, i) => [n, i])), KERNEL);
});

for (const [name, n] of Object.entries(KERNEL)) {
  test(`${name} <-> ${n}`, () => {
    assert.equal(capabilityNumber(name), n);
    assert.equal(capabilityName(n), name);
    const p = plan((s) => {
      s.process!.capabilities = { bounding: [name], permitted: [name], effective: [name], inheritable: [name], ambient: [name] };
    });
    assert.deepEqual(p.process.capabilities, { bounding: [n], effective: [n], permitted: [n], inheritable: [n], ambient: [n] });
  });
}

test('names are exact: lower case or without CAP_ is unknown', () => {
  assert.equal(capabilityNumber('cap_kill'), undefined);
  assert.equal(capabilityNumber('KILL'), undefined);
  assert.equal(capabilityName(41), undefined);
});

test('an unknown capability is an error naming its path', () => {
  assertOnlyError(
    (s) => s.process!.capabilities!.bounding!.push('CAP_TEST'),
    'config.json: /process/capabilities/bounding/3: unknown capability "CAP_TEST"',
  );
});

test('near misses get a suggestion', () => {
  assert.deepEqual(
    errors((s) => {
      s.process!.capabilities!.permitted!.push('cap_sys_admin');
      s.process!.capabilities!.inheritable = ['NET_RAW'];
    }),
    [
      'config.json: /process/capabilities/permitted/3: unknown capability "cap_sys_admin" (did you mean "CAP_SYS_ADMIN"?)',
      'config.json: /process/capabilities/inheritable/0: unknown capability "NET_RAW" (did you mean "CAP_NET_RAW"?)',
    ],
  );
});

test('sets are sorted and de-duplicated; missing sets are empty', () => {
  const p = plan((s) => {
    s.process!.capabilities = { bounding: ['CAP_SYS_ADMIN', 'CAP_CHOWN', 'CAP_SYS_ADMIN'], permitted: ['CAP_KILL'] };
  });
  assert.deepEqual(p.process.capabilities, { bounding: [0, 21], effective: [], permitted: [5], inheritable: [], ambient: [] });
});

test('no capabilities object: capabilities are left alone (null)', () => {
  assert.equal(plan((s) => delete s.process!.capabilities).process.capabilities, null);
});

test('effective but not permitted is an error (capset would fail with EPERM, as runc does)', () => {
  assertOnlyError(
    (s) => s.process!.capabilities!.effective!.push('CAP_SYS_ADMIN'),
    'config.json: /process/capabilities/effective/3: "CAP_SYS_ADMIN" is effective but not permitted (capset(2) would fail)',
  );
});

test('ambient needs permitted and inheritable: others are dropped with a debug note (runc drops them silently)', () => {
  const edit = (s: import('../../src/spec/types.ts').Spec) => {
    s.process!.capabilities = {
      permitted: ['CAP_KILL', 'CAP_CHOWN'],
      inheritable: ['CAP_KILL', 'CAP_NET_RAW'],
      ambient: ['CAP_KILL', 'CAP_CHOWN', 'CAP_NET_RAW'],
    };
  };
  assert.deepEqual(plan(edit).process.capabilities?.ambient, [5]);
  assert.deepEqual(messages(edit).debug, ['ignoring ambient capabilities not both permitted and inheritable: CAP_CHOWN, CAP_NET_RAW']);
});

test('capabilities newer than the running kernel are dropped from every set with one warning', () => {
  const warned: string[] = [];
  const p = plan(
    (s) => {
      for (const set of ['bounding', 'effective', 'permitted'] as const) s.process!.capabilities![set]!.push('CAP_CHECKPOINT_RESTORE', 'CAP_BPF');
    },
    {},
    { ...fakeEnv, capLast: 38, warn: (m) => warned.push(m) },
  );
  assert.deepEqual(warned, ['capabilities this kernel does not know are dropped: CAP_BPF, CAP_CHECKPOINT_RESTORE (cap_last_cap is 38)']);
  for (const set of ['bounding', 'effective', 'permitted'] as const) assert.ok(p.process.capabilities![set].every((n) => n <= 38), set);
  assert.ok(plan((s) => s.process!.capabilities!.bounding!.push('CAP_BPF')).process.capabilities!.bounding.includes(39));
});
