import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { buildFeatures, SUPPORTED_HOOKS } from '../../src/features/features.ts';
import { validateFeatures } from '../../src/spec/validate.ts';
import { buildPlan } from '../../src/plan/build-plan.ts';
import { defaultSpec } from '../../src/spec/default-spec.ts';
import { validateConfig } from '../../src/spec/validate.ts';
import { CAPABILITY_NAMES } from '../../src/plan/capabilities.ts';
import { OFFICIAL, officialValidators } from './official-schemas.ts';

const doc = buildFeatures({ version: '1.2.3', capLast: 40, lsm: { apparmor: false, selinux: false } }) as Record<string, any>;

test('features validate against our schema and the official one', { skip: existsSync(join(OFFICIAL, 'features-schema.json')) ? false : 'no official schemas' }, () => {
  assert.deepEqual(validateFeatures(doc), []);
  assert.equal(officialValidators().features(doc), true);
});

test('every mount option claimed is accepted by the plan builder', () => {
  const bundle = mkdtempSync(join(tmpdir(), 'runts-features-'));
  try {
    for (const option of doc.mountOptions as string[]) {
      const spec = defaultSpec({ rootless: false, uid: 0, gid: 0 });
      spec.process!.terminal = false;
      // idmap needs a bind mount and mappings (or a user namespace).
      const ids = [{ containerID: 0, hostID: 1000, size: 1 }];
      const idmapped = option === 'idmap' || option === 'ridmap';
      spec.mounts!.push(
        idmapped
          ? { destination: '/mnt', type: 'bind', source: bundle, options: ['rbind', option], uidMappings: ids, gidMappings: ids }
          : { destination: '/mnt', type: 'tmpfs', source: 'tmpfs', options: [option] },
      );
      assert.doesNotThrow(
        () => buildPlan(spec, { id: 'x', bundle, execFifo: '/x', consoleSocket: null, noPivot: false, noNewKeyring: false, preserveFds: 0, foreground: true }),
        option,
      );
    }
  } finally {
    rmSync(bundle, { recursive: true, force: true });
  }
});

test('capabilities are those the kernel knows, namespaces all eight', () => {
  assert.deepEqual(doc.linux.capabilities, CAPABILITY_NAMES.slice(0, 41));
  assert.deepEqual(buildFeatures({ version: 'x', capLast: 37 }).linux, { ...doc.linux, capabilities: CAPABILITY_NAMES.slice(0, 38) });
  assert.deepEqual(doc.linux.namespaces, ['cgroup', 'ipc', 'mount', 'network', 'pid', 'time', 'user', 'uts']);
});

test('nothing runts lacks is claimed', () => {
  assert.deepEqual(doc.linux.cgroup, { v1: true, v2: true, systemd: false, systemdUser: false, rdma: false });
  for (const k of ['apparmor', 'selinux', 'intelRdt', 'netDevices']) assert.equal(doc.linux[k].enabled, false, k);
  assert.equal(doc.linux.mountExtensions.idmap.enabled, true);
  assert.deepEqual(doc.hooks, [...SUPPORTED_HOOKS]);
  // tmpcopyup is refused by the plan builder
  const refused = ['tmpcopyup'];
  for (const o of refused) assert.ok(!(doc.mountOptions as string[]).includes(o), o);
});

test('the default spec (and its rootless variant) is valid and plans', () => {
  for (const rootless of [false, true]) {
    const spec = defaultSpec({ rootless, uid: 1000, gid: 1000 });
    assert.deepEqual(validateConfig(spec), [], `rootless=${rootless}`);
    assert.doesNotThrow(() => buildPlan(spec, { id: 'x', bundle: '/b', execFifo: '/x', consoleSocket: null, noPivot: false, noNewKeyring: false, preserveFds: 0, foreground: true }));
  }
  const rootless = defaultSpec({ rootless: true, uid: 1000, gid: 1001 });
  assert.deepEqual(rootless.linux!.uidMappings, [{ containerID: 0, hostID: 1000, size: 1 }]);
  assert.deepEqual(rootless.linux!.gidMappings, [{ containerID: 0, hostID: 1001, size: 1 }]);
  assert.ok(!rootless.linux!.namespaces!.some((n) => n.type === 'network'));
});

test('seccomp: every action and operator; archs and flags as libseccomp and the kernel take them', () => {
  const probe = { archKnown: (a: string) => a !== 'SCMP_ARCH_SHEB', flagSupported: (f: string) => f !== 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV' };
  const s = buildFeatures({ version: 'x', seccomp: probe }).linux as Record<string, any>;
  assert.equal(s.seccomp.enabled, true);
  assert.equal(s.seccomp.actions.length, 9);
  assert.equal(s.seccomp.operators.length, 7);
  assert.ok(!s.seccomp.archs.includes('SCMP_ARCH_SHEB') && s.seccomp.archs.includes('SCMP_ARCH_X86_64'));
  assert.equal(s.seccomp.knownFlags.length, 4);
  assert.deepEqual(s.seccomp.supportedFlags, ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW']);
  // This host: libseccomp knows its own architecture, the kernel takes LOG.
  assert.ok((doc.linux.seccomp.archs as string[]).includes('SCMP_ARCH_X86_64'));
  assert.ok((doc.linux.seccomp.supportedFlags as string[]).includes('SECCOMP_FILTER_FLAG_LOG'));
});
