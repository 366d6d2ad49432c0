// The device cgroup: rule folding (v1 kernel semantics), the v1 writes, and
// the v2 eBPF program, run through a small interpreter and compared with
// the model decision by decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ACC_ALL,
  ACC_MKNOD,
  ACC_READ,
  ACC_WRITE,
  DEFAULT_DEVICE_RULES,
  deviceAllowed,
  deviceTargetState,
  formatDevicesList,
  normalizeDeviceRules,
  parseDevicesList,
  v1DeviceWrites,
  type DeviceState,
} from '../../src/cgroups/devices.ts';
import {
  BPF_ALU64,
  BPF_AND,
  BPF_EXIT,
  BPF_JEQ,
  BPF_JMP,
  BPF_JNE,
  BPF_K,
  BPF_LDX,
  BPF_MEM,
  BPF_MOV,
  BPF_RSH,
  BPF_W,
  BPF_X,
  decodeBpf,
  deviceFilterProgram,
  encodeBpf,
  type BpfInsn,
} from '../../src/cgroups/devices-bpf.ts';
import type { LinuxDeviceCgroup } from '../../src/spec/types.ts';

const sortedLines = (text: string) => text.split('\n').filter(Boolean).sort();

function state(rules: LinuxDeviceCgroup[], withDefaults = true): DeviceState {
  const problems: string[] = [];
  const s = deviceTargetState(normalizeDeviceRules(rules, problems), withDefaults ? DEFAULT_DEVICE_RULES : []);
  assert.deepEqual(problems, []);
  return s;
}

/**
 * What `runc run` (1.1.5) left in devices.list on this host for the default
 * `runc spec` rule plus "allow c 10:200 rwm" (which is also a default).
 */
const RUNC_DEFAULT_LIST = sortedLines(readFileSync(join(import.meta.dirname, '../fixtures/cgroups/v1-runc/devices/devices.list'), 'utf8'));

test('devices: the runc spec default ("deny all") ends as runc 1.1.5 left devices.list', () => {
  const s = state([{ allow: false, access: 'rwm' }]);
  assert.equal(s.defaultAllow, false);
  assert.deepEqual(sortedLines(formatDevicesList(s)), RUNC_DEFAULT_LIST.sort());
  // No rules at all gives the same (runc starts from deny and appends its defaults).
  assert.deepEqual(formatDevicesList(state([])), formatDevicesList(s));
});

test('devices: config rules cannot deny a default; other rules as listed (runc probe on this host)', () => {
  const s = state([
    { allow: false, access: 'rwm' },
    { allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' },
    { allow: true, type: 'c', major: 4, access: 'r' },
  ]);
  // runc 1.1.5 printed exactly this set for the same rules.
  assert.deepEqual(sortedLines(formatDevicesList(s)), [...RUNC_DEFAULT_LIST, 'c 4:* r'].sort());
});

test('devices: v1 writes for a new cgroup under an allow-all parent: deny "a", then each allow in order', () => {
  const writes = v1DeviceWrites(parseDevicesList('a *:* rwm\n'), state([{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' }]));
  assert.deepEqual(
    writes.map((w) => `${w.file} ${w.value}`),
    [
      'devices.deny a',
      'devices.allow c 10:229 rw',
      'devices.allow c *:* m',
      'devices.allow b *:* m',
      'devices.allow c 1:3 rwm',
      'devices.allow c 1:8 rwm',
      'devices.allow c 1:7 rwm',
      'devices.allow c 5:0 rwm',
      'devices.allow c 1:5 rwm',
      'devices.allow c 1:9 rwm',
      'devices.allow c 136:* rwm',
      'devices.allow c 5:2 rwm',
      'devices.allow c 10:200 rwm',
    ],
  );
});

test('devices: privileged (allow all) is one "a" to devices.allow; denials after it go to devices.deny', () => {
  assert.deepEqual(v1DeviceWrites('allow-all-unknown', state([{ allow: true, access: 'rwm' }])), [{ file: 'devices.allow', value: 'a' }]);
  const s = state([{ allow: true, access: 'rwm' }, { allow: false, type: 'b', major: 8, access: 'rwm' }, { allow: false, type: 'c', major: 1, minor: 3, access: 'w' }]);
  assert.equal(s.defaultAllow, true);
  // The default "allow c 1:3 rwm" removes the deny exception again (v1 semantics).
  assert.deepEqual(v1DeviceWrites('allow-all-unknown', s).map((w) => `${w.file} ${w.value}`), ['devices.allow a', 'devices.deny b 8:* rwm']);
});

test('devices: update writes only the difference, additions first, by access bit', () => {
  const current = state([{ allow: true, type: 'c', major: 10, minor: 229, access: 'rwm' }, { allow: true, type: 'c', major: 4, access: 'r' }]);
  const target = state([{ allow: true, type: 'c', major: 10, minor: 229, access: 'r' }, { allow: true, type: 'c', major: 4, access: 'rw' }, { allow: true, type: 'b', major: 7, minor: 0, access: 'r' }]);
  assert.deepEqual(v1DeviceWrites(current, target).map((w) => `${w.file} ${w.value}`), [
    'devices.allow c 4:* w',
    'devices.allow b 7:0 r',
    'devices.deny c 10:229 wm',
  ]);
  assert.deepEqual(v1DeviceWrites(current, current), []);
  // A v1 list read back parses into the same state.
  assert.deepEqual(v1DeviceWrites(parseDevicesList(formatDevicesList(target)), target), []);
});

test('devices: kernel folding rules (merge, exact-key removal, "a" resets)', () => {
  const s = state([{ allow: true, type: 'c', major: 1, minor: 3, access: 'r' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'w' }], false);
  assert.equal(formatDevicesList(s), 'c 1:3 rw\n');
  // Denying a wildcard does not touch the narrower exception.
  const t = state([{ allow: true, type: 'c', major: 1, minor: 3, access: 'rw' }, { allow: false, type: 'c', access: 'rwm' }], false);
  assert.equal(formatDevicesList(t), 'c 1:3 rw\n');
  // Exact key: bits removed, entry dropped at zero.
  assert.equal(formatDevicesList(state([{ allow: true, type: 'c', major: 1, minor: 3, access: 'rw' }, { allow: false, type: 'c', major: 1, minor: 3, access: 'w' }], false)), 'c 1:3 r\n');
  assert.equal(formatDevicesList(state([{ allow: true, type: 'c', major: 1, minor: 3, access: 'rw' }, { allow: false, type: 'c', major: 1, minor: 3 }], false)), '');
  // Type "a" ignores major/minor/access and resets.
  const a = state([{ allow: true, type: 'c', major: 1, minor: 3, access: 'r' }, { allow: true, type: 'a', major: 5, access: 'r' }], false);
  assert.deepEqual([a.defaultAllow, a.exceptions.size], [true, 0]);
  // Decisions: under default deny one exception must hold every requested bit.
  const d = state([{ allow: true, type: 'c', major: 1, minor: 3, access: 'r' }, { allow: true, type: 'c', major: 1, access: 'w' }], false);
  assert.equal(deviceAllowed(d, 'c', 1, 3, ACC_READ), true);
  assert.equal(deviceAllowed(d, 'c', 1, 3, ACC_WRITE), true);
  assert.equal(deviceAllowed(d, 'c', 1, 3, ACC_READ | ACC_WRITE), false);
  assert.equal(deviceAllowed(d, 'b', 1, 3, ACC_READ), false);
});

test('devices: config problems carry JSON pointers', () => {
  const problems: string[] = [];
  const rules = normalizeDeviceRules(
    [{ allow: true, type: 'x' }, { allow: true, type: 'c', access: 'rwx' }, { allow: true, type: 'c', major: 1.5 }, { allow: true, type: 'b', major: -1, minor: 2 }],
    problems,
  );
  assert.deepEqual(problems, [
    'config.json: /linux/resources/devices/0/type: "x" is not a device cgroup type (a, c or b)',
    'config.json: /linux/resources/devices/1/access: "rwx" is not a combination of r, w and m',
    'config.json: /linux/resources/devices/2/major: 1.5 is not a device number',
  ]);
  assert.deepEqual(rules, [{ allow: true, type: 'b', major: -1, minor: 2, access: ACC_ALL }]);
});

// ---- eBPF ---------------------------------------------------------------

/**
 * Runs a BPF_PROG_TYPE_CGROUP_DEVICE program on one request, with the
 * instructions the generator may use; anything else is a test failure, as
 * is reading the context through a register that no longer holds it.
 */
function runBpf(prog: BpfInsn[], type: 'c' | 'b', major: number, minor: number, access: number): number {
  const ctx = Buffer.alloc(12);
  ctx.writeUInt32LE(((access << 16) | (type === 'b' ? 1 : 2)) >>> 0, 0);
  ctx.writeUInt32LE(major, 4);
  ctx.writeUInt32LE(minor, 8);
  const CTX = -1n;
  const r: bigint[] = new Array(11).fill(0n);
  const init = new Array(11).fill(false);
  r[1] = CTX;
  init[1] = init[10] = true;
  const M = (1n << 64n) - 1n;
  const imm64 = (imm: number) => BigInt.asUintN(64, BigInt(imm));
  const get = (reg: number) => {
    assert.ok(init[reg], `read of uninitialised r${reg}`);
    return r[reg]!;
  };
  for (let pc = 0, steps = 0; steps < 10000; steps++) {
    assert.ok(pc >= 0 && pc < prog.length, `pc ${pc} out of the program`);
    const i = prog[pc]!;
    pc++;
    const set = (v: bigint) => {
      r[i.dst] = v & M;
      init[i.dst] = true;
    };
    switch (i.code) {
      case BPF_LDX | BPF_MEM | BPF_W:
        assert.equal(get(i.src), CTX, 'LDX from something other than the context');
        assert.ok([0, 4, 8].includes(i.off));
        set(BigInt(ctx.readUInt32LE(i.off)));
        break;
      case BPF_ALU64 | BPF_MOV | BPF_X:
        r[i.dst] = get(i.src);
        init[i.dst] = true;
        break;
      case BPF_ALU64 | BPF_MOV | BPF_K:
        set(imm64(i.imm));
        break;
      case BPF_ALU64 | BPF_AND | BPF_K:
        set(get(i.dst) & imm64(i.imm));
        break;
      case BPF_ALU64 | BPF_RSH | BPF_K:
        set(get(i.dst) >> BigInt(i.imm));
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        if (get(i.dst) === imm64(i.imm)) pc += i.off;
        break;
      case BPF_JMP | BPF_JNE | BPF_K:
        if (get(i.dst) !== imm64(i.imm)) pc += i.off;
        break;
      case BPF_JMP | BPF_EXIT:
        return Number(get(0));
      default:
        assert.fail(`unexpected opcode 0x${i.code.toString(16)} at ${pc - 1}`);
    }
  }
  return assert.fail('program did not exit');
}

const RULE_SETS: Record<string, [LinuxDeviceCgroup[], boolean]> = {
  'runc spec default': [[{ allow: false, access: 'rwm' }], true],
  'no rules': [[], true],
  'deny all, no defaults': [[{ allow: false, access: 'rwm' }], false],
  privileged: [[{ allow: true, access: 'rwm' }], true],
  'probe: deny 1:3, allow 4:* r': [[{ allow: false, access: 'rwm' }, { allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' }, { allow: true, type: 'c', major: 4, access: 'r' }], true],
  'allow all minus some': [[{ allow: true }, { allow: false, type: 'b', major: 8, access: 'rwm' }, { allow: false, type: 'c', major: 10, minor: 229, access: 'w' }, { allow: false, type: 'c', minor: 7, access: 'm' }], false],
  'partial accesses': [[{ allow: true, type: 'c', major: 1, minor: 3, access: 'r' }, { allow: true, type: 'c', major: 1, access: 'w' }, { allow: true, type: 'b', minor: 0, access: 'rm' }], false],
};

test('BPF: the program decides exactly as the model for every request in a grid', () => {
  const majors = [0, 1, 4, 5, 7, 8, 10, 136, 4095];
  const minors = [0, 1, 3, 5, 7, 200, 229, 1048575];
  for (const [name, [rules, defaults]] of Object.entries(RULE_SETS)) {
    const s = state(rules, defaults);
    const prog = decodeBpf(encodeBpf(deviceFilterProgram(s), 'LE'), 'LE');
    let checked = 0;
    for (const type of ['c', 'b'] as const)
      for (const major of majors)
        for (const minor of minors)
          for (let access = 1; access <= 7; access++) {
            const want = deviceAllowed(s, type, major, minor, access) ? 1 : 0;
            assert.equal(runBpf(prog, type, major, minor, access), want, `${name}: ${type} ${major}:${minor} access ${access}`);
            checked++;
          }
    assert.equal(checked, 2 * majors.length * minors.length * 7);
  }
});

test('BPF: decisions a container relies on (runc spec default)', () => {
  const prog = deviceFilterProgram(state([{ allow: false, access: 'rwm' }]));
  const rw = ACC_READ | ACC_WRITE;
  assert.equal(runBpf(prog, 'c', 1, 3, rw), 1, '/dev/null rw');
  assert.equal(runBpf(prog, 'c', 136, 7, rw), 1, '/dev/pts/7');
  assert.equal(runBpf(prog, 'b', 8, 0, ACC_MKNOD), 1, 'mknod of any block device');
  assert.equal(runBpf(prog, 'b', 8, 0, ACC_READ), 0, 'reading /dev/sda');
  assert.equal(runBpf(prog, 'c', 10, 229, ACC_READ), 0, '/dev/fuse not listed');
  assert.equal(runBpf(prog, 'c', 1, 1, ACC_READ), 0, '/dev/mem');
});

test('BPF: instruction stream for small programs', () => {
  // Deny all, no exceptions: "r0 = 0; exit".
  assert.deepEqual(deviceFilterProgram(state([], false)), [
    { code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 },
    { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
  ]);
  // One exception "c 1:3 rw" under default deny.
  const prog = deviceFilterProgram(state([{ allow: true, type: 'c', major: 1, minor: 3, access: 'rw' }], false));
  const asm = prog.map((i) => `${i.code.toString(16)} r${i.dst} r${i.src} ${i.off} ${i.imm}`);
  assert.deepEqual(asm, [
    '61 r2 r1 0 0', // r2 = *(u32 *)(r1 + 0)
    'bf r3 r2 0 0', // r3 = r2
    '57 r3 r0 0 65535', // r3 &= 0xffff
    '77 r2 r0 0 16', // r2 >>= 16
    '61 r4 r1 4 0', // r4 = major
    '61 r5 r1 8 0', // r5 = minor
    '55 r3 r0 7 2', // if type != char skip the block (7 insns)
    '55 r4 r0 6 1', // if major != 1
    '55 r5 r0 5 3', // if minor != 3
    'bf r1 r2 0 0', // r1 = access
    '57 r1 r0 0 1', // r1 &= ~(r|w) & 7 = m
    '55 r1 r0 2 0', // if it asks for more than rw, skip
    'b7 r0 r0 0 1', // allow
    '95 r0 r0 0 0',
    'b7 r0 r0 0 0', // default deny
    '95 r0 r0 0 0',
  ]);
});

test('BPF: struct bpf_insn encoding in both byte orders', () => {
  const ins: BpfInsn[] = [{ code: 0x61, dst: 2, src: 1, off: 4, imm: -2 }];
  assert.equal(encodeBpf(ins, 'LE').toString('hex'), '61120400feffffff');
  assert.equal(encodeBpf(ins, 'BE').toString('hex'), '612100 04fffffffe'.replace(' ', ''));
  assert.deepEqual(decodeBpf(encodeBpf(ins, 'BE'), 'BE'), ins);
  assert.deepEqual(decodeBpf(encodeBpf(ins, 'LE'), 'LE'), ins);
  assert.equal(BPF_K, 0);
});
