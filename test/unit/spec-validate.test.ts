// Wording of validation errors (every error reported, JSON path, allowed enum
// values) and loadSpec's failure modes. The bad-fixture table pins, for each
// broken config in test/fixtures/configs/bad, the one line we must print.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatErrors, validateConfig, validateFeatures, validateState } from '../../src/spec/validate.ts';
import { loadSpec, parseSpec, SpecError } from '../../src/spec/load.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/configs');
const readFixture = (rel: string): unknown => JSON.parse(readFileSync(join(FIXTURES, rel), 'utf8'));
const minimal = () => ({ ociVersion: '1.3.0', root: { path: 'rootfs' }, process: { cwd: '/', args: ['sh'] } });

// [file in bad/, JSON pointer of the error, start of the message]
const BAD: [string, string, string][] = [
  ['ociversion-missing.json', '/', "must have required property 'ociVersion'"],
  ['ociversion-number.json', '/ociVersion', 'must be string'],
  ['root-path-missing.json', '/root', "must have required property 'path'"],
  ['root-readonly-string.json', '/root/readonly', 'must be boolean'],
  ['mounts-not-array.json', '/mounts', 'must be array'],
  ['mount-destination-missing.json', '/mounts/1', "must have required property 'destination'"],
  ['mount-options-string.json', '/mounts/1/options', 'must be array'],
  ['mount-idmap-size-negative.json', '/mounts/0/uidMappings/0/size', 'must be >= 0'],
  ['process-not-object.json', '/process', 'must be object'],
  ['process-cwd-missing.json', '/process', "must have required property 'cwd'"],
  ['process-args-string.json', '/process/args', 'must be array'],
  ['process-env-number.json', '/process/env/1', 'must be string'],
  ['process-terminal-string.json', '/process/terminal', 'must be boolean'],
  ['consolesize-width-missing.json', '/process/consoleSize', "must have required property 'width'"],
  ['user-uid-negative.json', '/process/user/uid', 'must be >= 0'],
  ['user-gid-too-big.json', '/process/user/gid', 'must be <= 4294967295'],
  ['user-additionalgids-string.json', '/process/user/additionalGids/0', 'must be integer'],
  ['user-umask-fraction.json', '/process/user/umask', 'must be integer'],
  ['capabilities-bounding-string.json', '/process/capabilities/bounding', 'must be array'],
  ['capabilities-effective-number.json', '/process/capabilities/effective/0', 'must be string'],
  ['rlimit-type-pattern.json', '/process/rlimits/0/type', 'must match pattern "^RLIMIT_[A-Z]+$"'],
  ['rlimit-hard-missing.json', '/process/rlimits/0', "must have required property 'hard'"],
  ['rlimit-soft-too-big.json', '/process/rlimits/0/soft', 'must be <= 18446744073709551615'],
  ['nonewprivileges-string.json', '/process/noNewPrivileges', 'must be boolean'],
  ['oomscoreadj-fraction.json', '/process/oomScoreAdj', 'must be integer'],
  ['scheduler-policy-unknown.json', '/process/scheduler/policy', 'must be equal to one of the allowed values (SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE)'],
  ['scheduler-nice-too-big.json', '/process/scheduler/nice', 'must be <= 2147483647'],
  ['iopriority-class-unknown.json', '/process/ioPriority/class', 'must be equal to one of the allowed values (IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE)'],
  ['execcpuaffinity-pattern.json', '/process/execCPUAffinity/initial', 'must match pattern'],
  ['hostname-number.json', '/hostname', 'must be string'],
  ['hooks-path-missing.json', '/hooks/prestart/0', "must have required property 'path'"],
  ['hooks-timeout-zero.json', '/hooks/poststart/0/timeout', 'must be >= 1'],
  ['hooks-not-array.json', '/hooks/createRuntime', 'must be array'],
  ['annotations-value-number.json', '/annotations/com.example.count', 'must be string'],
  ['linux-not-object.json', '/linux', 'must be object'],
  ['namespaces-type-unknown.json', '/linux/namespaces/2/type', 'must be equal to one of the allowed values (mount, pid, network, uts, ipc, user, cgroup, time)'],
  ['namespaces-type-missing.json', '/linux/namespaces/1', "must have required property 'type'"],
  ['uidmappings-hostid-missing.json', '/linux/uidMappings/0', "must have required property 'hostID'"],
  ['gidmappings-size-string.json', '/linux/gidMappings/0/size', 'must be integer'],
  ['timeoffsets-nanosecs-negative.json', '/linux/timeOffsets/monotonic/nanosecs', 'must be >= 0'],
  ['devices-type-unknown.json', '/linux/devices/0/type', 'must match pattern "^[cbup]$"'],
  ['devices-filemode-too-big.json', '/linux/devices/0/fileMode', 'must be <= 511'],
  ['devices-path-missing.json', '/linux/devices/0', "must have required property 'path'"],
  ['devices-major-too-big.json', '/linux/devices/0/major', 'must be <= 9223372036854775807'],
  ['cgroupspath-number.json', '/linux/cgroupsPath', 'must be string'],
  ['resources-devices-allow-missing.json', '/linux/resources/devices/0', "must have required property 'allow'"],
  ['resources-memory-limit-string.json', '/linux/resources/memory/limit', 'must be integer'],
  ['resources-memory-swappiness-negative.json', '/linux/resources/memory/swappiness', 'must be >= 0'],
  ['resources-memory-oomkiller-string.json', '/linux/resources/memory/disableOOMKiller', 'must be boolean'],
  ['resources-cpu-shares-negative.json', '/linux/resources/cpu/shares', 'must be >= 0'],
  ['resources-cpu-cpus-number.json', '/linux/resources/cpu/cpus', 'must be string'],
  ['resources-cpu-quota-too-small.json', '/linux/resources/cpu/quota', 'must be >= -9223372036854775808'],
  ['resources-blockio-weight-too-big.json', '/linux/resources/blockIO/weight', 'must be <= 65535'],
  ['resources-blockio-weightdevice-minor-missing.json', '/linux/resources/blockIO/weightDevice/0', "must have required property 'minor'"],
  ['resources-blockio-throttle-major-missing.json', '/linux/resources/blockIO/throttleReadBpsDevice/0', "must have required property 'major'"],
  ['resources-blockio-throttle-rate-negative.json', '/linux/resources/blockIO/throttleWriteIOPSDevice/0/rate', 'must be >= 0'],
  ['resources-hugepage-pagesize-lowercase.json', '/linux/resources/hugepageLimits/0/pageSize', 'must match pattern "^[1-9][0-9]*[KMG]B$"'],
  ['resources-hugepage-limit-missing.json', '/linux/resources/hugepageLimits/0', "must have required property 'limit'"],
  ['resources-network-priority-missing.json', '/linux/resources/network/priorities/0', "must have required property 'priority'"],
  ['resources-network-classid-negative.json', '/linux/resources/network/classID', 'must be >= 0'],
  ['resources-pids-limit-missing.json', '/linux/resources/pids', "must have required property 'limit'"],
  ['resources-rdma-handles-string.json', '/linux/resources/rdma/mlx5_1/hcaHandles', 'must be integer'],
  ['resources-unified-value-number.json', '/linux/resources/unified/memory.high', 'must be string'],
  ['intelrdt-membwschema-pattern.json', '/linux/intelRdt/memBwSchema', 'must match pattern'],
  ['memorypolicy-mode-unknown.json', '/linux/memoryPolicy/mode', 'must be equal to one of the allowed values (MPOL_DEFAULT,'],
  ['memorypolicy-flag-unknown.json', '/linux/memoryPolicy/flags/0', 'must be equal to one of the allowed values (MPOL_F_NUMA_BALANCING, MPOL_F_RELATIVE_NODES, MPOL_F_STATIC_NODES)'],
  ['sysctl-value-number.json', '/linux/sysctl/net.ipv4.ip_forward', 'must be string'],
  ['seccomp-defaultaction-missing.json', '/linux/seccomp', "must have required property 'defaultAction'"],
  ['seccomp-defaultaction-unknown.json', '/linux/seccomp/defaultAction', 'must be equal to one of the allowed values (SCMP_ACT_KILL,'],
  ['seccomp-defaulterrnoret-negative.json', '/linux/seccomp/defaultErrnoRet', 'must be >= 0'],
  ['seccomp-architecture-unknown.json', '/linux/seccomp/architectures/0', 'must be equal to one of the allowed values (SCMP_ARCH_X86,'],
  ['seccomp-flag-unknown.json', '/linux/seccomp/flags/0', 'must be equal to one of the allowed values (SECCOMP_FILTER_FLAG_TSYNC,'],
  ['seccomp-listenerpath-number.json', '/linux/seccomp/listenerPath', 'must be string'],
  ['seccomp-syscall-names-empty.json', '/linux/seccomp/syscalls/0/names', 'must NOT have fewer than 1 items'],
  ['seccomp-syscall-action-missing.json', '/linux/seccomp/syscalls/0', "must have required property 'action'"],
  ['seccomp-syscall-errnoret-too-big.json', '/linux/seccomp/syscalls/0/errnoRet', 'must be <= 4294967295'],
  ['seccomp-arg-op-unknown.json', '/linux/seccomp/syscalls/0/args/0/op', 'must be equal to one of the allowed values (SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ)'],
  ['seccomp-arg-value-missing.json', '/linux/seccomp/syscalls/0/args/0', "must have required property 'value'"],
  ['seccomp-arg-index-negative.json', '/linux/seccomp/syscalls/0/args/0/index', 'must be >= 0'],
  ['rootfspropagation-unknown.json', '/linux/rootfsPropagation', 'must be equal to one of the allowed values (private, shared, slave, unbindable, rprivate, rshared, rslave, runbindable)'],
  ['maskedpaths-string.json', '/linux/maskedPaths', 'must be array'],
  ['readonlypaths-number.json', '/linux/readonlyPaths/0', 'must be string'],
  ['mountlabel-number.json', '/linux/mountLabel', 'must be string'],
  ['personality-domain-unknown.json', '/linux/personality/domain', 'must be equal to one of the allowed values (LINUX, LINUX32)'],
  ['netdevices-name-number.json', '/linux/netDevices/eth0/name', 'must be string'],
  ['windows-not-object.json', '/windows', 'must be object'],
  ['not-an-object.json', '/', 'must be object'],
  // Official schema accepts this (its map pattern ".{1,}" skips the empty key); see spec-oracle.
  ['annotations-empty-key-number.json', '/annotations/', 'must be string'],
];

test('every bad fixture has a table row and vice versa', () => {
  const files = readdirSync(join(FIXTURES, 'bad')).filter((f) => f.endsWith('.json')).sort();
  assert.deepEqual(files, BAD.map(([f]) => f).sort());
  assert.ok(files.length >= 30);
});

for (const [file, path, message] of BAD) {
  test(`bad/${file}: one error at ${path}`, () => {
    const errors = validateConfig(readFixture(`bad/${file}`));
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.ok(errors[0]!.startsWith(`config.json: ${path}: ${message}`), errors[0]);
  });
}

test('good fixtures validate', () => {
  for (const f of readdirSync(join(FIXTURES, 'good'))) {
    assert.deepEqual(validateConfig(readFixture(`good/${f}`)), [], f);
  }
});

test('all errors are reported, not only the first (in schema order)', () => {
  const doc = readFixture('good/runc-spec.json') as any;
  doc.process.args = 'sh';
  doc.process.user.uid = -1;
  doc.linux.namespaces[2].type = 'net';
  doc.linux.resources.devices[0].allow = 'no';
  delete doc.root.path;
  assert.deepEqual(validateConfig(doc), [
    "config.json: /root: must have required property 'path'",
    'config.json: /process/user/uid: must be >= 0',
    'config.json: /process/args: must be array',
    'config.json: /linux/namespaces/2/type: must be equal to one of the allowed values (mount, pid, network, uts, ipc, user, cgroup, time)',
    'config.json: /linux/resources/devices/0/allow: must be boolean',
  ]);
});

test('a document that is not an object is reported at "/"', () => {
  assert.deepEqual(validateConfig(null), ['config.json: /: must be object']);
  assert.deepEqual(validateConfig('{}'), ['config.json: /: must be object']);
});

test('64-bit bounds are printed exactly, not as rounded doubles', () => {
  const doc = minimal() as any;
  doc.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 2 ** 65, hard: 1 }];
  doc.linux = { resources: { memory: { limit: 2 ** 64 }, cpu: { quota: -(2 ** 64) } } };
  assert.deepEqual(validateConfig(doc), [
    'config.json: /process/rlimits/0/soft: must be <= 18446744073709551615',
    'config.json: /linux/resources/memory/limit: must be <= 9223372036854775807',
    'config.json: /linux/resources/cpu/quota: must be >= -9223372036854775808',
  ]);
});

test('keys are JSON-pointer escaped in paths', () => {
  const doc = { ...minimal(), annotations: { 'a/b~c': 1 } };
  assert.deepEqual(validateConfig(doc), ['config.json: /annotations/a~1b~0c: must be string']);
});

test('unknown properties are ignored, as config.md requires', () => {
  const doc = { ...minimal(), futureField: { x: 1 }, process: { cwd: '/', somethingNew: true } };
  assert.deepEqual(validateConfig(doc), []);
});

test('state: prefix, status enum, pid required once created', () => {
  const ok = { ociVersion: '1.3.0', id: 'c1', status: 'running', pid: 42, bundle: '/b' };
  assert.deepEqual(validateState(ok), []);
  assert.deepEqual(validateState({ ...ok, status: 'creating', pid: undefined }), []);
  assert.deepEqual(validateState({ ...ok, status: 'paused' }), [
    'state: /status: must be equal to one of the allowed values (creating, created, running, stopped)',
  ]);
  assert.deepEqual(validateState({ ...ok, status: 'created', pid: undefined }), ["state: /: must have required property 'pid'"]);
  assert.deepEqual(validateState({ ociVersion: '1.3.0', id: 'c1', status: 'stopped', pid: -1 }), [
    "state: /: must have required property 'bundle'",
    'state: /pid: must be >= 0',
  ]);
});

test('features: prefix, required versions, null allowed for optional properties', () => {
  assert.deepEqual(validateFeatures({ ociVersionMin: '1.0.0' }), ["features: /: must have required property 'ociVersionMax'"]);
  assert.deepEqual(validateFeatures({ ociVersionMin: '1.0.0', ociVersionMax: '1.3.0', hooks: null, linux: { seccomp: null, cgroup: { v2: null } } }), []);
  assert.deepEqual(validateFeatures({ ociVersionMin: '1.0.0', ociVersionMax: '1.3.0', hooks: 'prestart', linux: { namespaces: ['net'] } }), [
    'features: /hooks: must be array or null',
    'features: /linux/namespaces/0: must be equal to one of the allowed values (mount, pid, network, uts, ipc, user, cgroup, time)',
  ]);
});

// formatErrors is also fed shapes our schemas do not produce today
// (additionalProperties, anyOf/oneOf), so a future schema change stays readable.
const err = (instancePath: string, keyword: string, params: Record<string, unknown>, message = '') => ({
  instancePath,
  schemaPath: '#',
  keyword,
  params,
  message,
});

test('formatErrors: additionalProperties names the property, required names the property', () => {
  assert.deepEqual(
    formatErrors('config.json', [
      err('/process', 'additionalProperties', { additionalProperty: 'argz' }, 'must NOT have additional properties'),
      err('', 'required', { missingProperty: 'ociVersion' }),
    ]),
    ["config.json: /process: must NOT have additional property 'argz'", "config.json: /: must have required property 'ociVersion'"],
  );
});

test('formatErrors: anyOf noise is folded into one useful line', () => {
  assert.deepEqual(
    formatErrors('config.json', [
      err('/x', 'type', { type: 'string' }),
      err('/x', 'type', { type: 'integer' }),
      err('/x', 'anyOf', {}, 'must match a schema in anyOf'),
      err('/y/0', 'required', { missingProperty: 'type' }),
      err('/y', 'oneOf', { passingSchemas: null }, 'must match exactly one schema in oneOf'),
      err('', 'if', { failingKeyword: 'then' }, 'must match "then" schema'),
    ]),
    ['config.json: /x: must be string or integer', "config.json: /y/0: must have required property 'type'"],
  );
});

test('formatErrors: a wrapper error with nothing more specific is kept; duplicates are dropped', () => {
  assert.deepEqual(
    formatErrors('state', [
      err('/a', 'oneOf', { passingSchemas: [0, 1] }, 'must match exactly one schema in oneOf'),
      err('/b', 'anyOf', {}, 'must match a schema in anyOf'),
      err('/c', 'minItems', { limit: 1 }, 'must NOT have fewer than 1 items'),
      err('/c', 'minItems', { limit: 1 }, 'must NOT have fewer than 1 items'),
    ]),
    [
      'state: /a: must match exactly one schema in oneOf',
      'state: /b: must match a schema in anyOf',
      'state: /c: must NOT have fewer than 1 items',
    ],
  );
  assert.deepEqual(formatErrors('state', null), []);
});

test('loadSpec returns the parsed config of a valid bundle', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'runts-spec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config.json'), readFileSync(join(FIXTURES, 'good/runc-spec.json')));
  const spec = loadSpec(dir);
  assert.equal(spec.process?.args?.[0], 'sh');
  assert.equal(spec.linux?.namespaces?.length, 5);
});

test('loadSpec: missing config.json reads like Go', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'runts-spec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.throws(
    () => loadSpec(dir),
    (e: unknown) => e instanceof SpecError && e.message === `config.json: open ${join(dir, 'config.json')}: no such file or directory`,
  );
  mkdirSync(join(dir, 'config.json'));
  assert.throws(() => loadSpec(dir), /^SpecError: config\.json: open .*config\.json: illegal operation on a directory$/);
});

test('loadSpec: invalid JSON', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'runts-spec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config.json'), '{]');
  assert.throws(() => loadSpec(dir), (e: unknown) => e instanceof SpecError && /^config\.json: invalid JSON: .+/.test(e.message));
});

test('loadSpec: schema failures come as one SpecError listing every line', () => {
  const text = JSON.stringify({ ociVersion: 1, process: { args: 'sh' } });
  try {
    parseSpec(text);
    assert.fail('expected a SpecError');
  } catch (e) {
    assert.ok(e instanceof SpecError);
    assert.deepEqual(e.errors, [
      'config.json: /ociVersion: must be string',
      "config.json: /process: must have required property 'cwd'",
      'config.json: /process/args: must be array',
    ]);
    assert.equal(e.message, e.errors.join('\n'));
  }
});
