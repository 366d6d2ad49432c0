// The pure parts of the cgroup commands: update's flags and merging, ps's
// table filter, events' durations and OOM counter, the paused status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../../src/cli/args.ts';
import { update } from '../../src/cli/commands/update.ts';
import { mergeResources, normalizeUpdate, ramInBytes, resourcesFromFlags } from '../../src/container/update.ts';
import { filterPsOutput, formatPidsJson } from '../../src/container/ps.ts';
import { oomEvent, oomKills, parseDuration } from '../../src/container/events.ts';
import { cgroupFrozen } from '../../src/container/state-store.ts';
import { hasResources } from '../../src/container/cgroups.ts';

const MiB = 1024 * 1024;

function updateFlags(argv: string[]) {
  return parseArgs([...argv, 'id'], update.flags).flags;
}

test('memory sizes are read as runc reads them (binary units, optional i/b)', () => {
  for (const [text, want] of [
    ['1024', 1024],
    ['512k', 512 * 1024],
    ['100M', 100 * MiB],
    ['100m', 100 * MiB],
    ['1g', 1024 * MiB],
    ['1.5g', 1536 * MiB],
    ['10mb', 10 * MiB],
    ['2GiB', 2048 * MiB],
    ['64 M', 64 * MiB],
  ] as const) {
    assert.equal(ramInBytes(text), want, text);
  }
  for (const bad of ['', '10X', '-5', 'M', '1..5m', 'ten']) assert.equal(ramInBytes(bad), null, bad);
});

test('update flags become linux.resources; unset flags stay out, -1 lifts a limit', () => {
  assert.deepEqual(resourcesFromFlags(updateFlags([])), {});
  assert.deepEqual(
    resourcesFromFlags(
      updateFlags([
        '--memory', '256m', '--memory-reservation', '128m', '--memory-swap', '-1',
        '--cpu-share', '512', '--cpu-quota', '-1', '--cpu-period', '100000',
        '--cpu-rt-runtime', '950', '--cpu-rt-period', '1000',
        '--cpuset-cpus', '0-1', '--cpuset-mems', '0',
        '--pids-limit', '-1', '--blkio-weight', '300',
      ]),
    ),
    {
      memory: { limit: 256 * MiB, reservation: 128 * MiB, swap: -1 },
      cpu: { shares: 512, quota: -1, period: 100000, realtimeRuntime: 950, realtimePeriod: 1000, cpus: '0-1', mems: '0' },
      blockIO: { weight: 300 },
      pids: { limit: -1 },
    },
  );
  // --cpu-shares is accepted as well (hidden), runc spells it --cpu-share.
  assert.deepEqual(resourcesFromFlags(updateFlags(['--cpu-shares=300'])), { cpu: { shares: 300 } });
  assert.deepEqual(resourcesFromFlags(updateFlags(['--kernel-memory', '1g'])), { memory: { kernel: 1024 * MiB } });
});

test('update flags with bad values are refused, naming the flag', () => {
  const cases: [string[], RegExp][] = [
    [['--memory', '10X'], /invalid value for memory: invalid size: '10X'$/],
    [['--cpu-quota', 'abc'], /invalid value for cpu-quota: "abc" is not an integer$/],
    [['--cpu-period', '-5'], /invalid value for cpu-period: "-5" is not a non-negative integer$/],
    [['--pids-limit', '1.5'], /invalid value for pids-limit/],
    [['--blkio-weight', '70000'], /invalid value for blkio-weight: "70000" is not a non-negative integer up to 65535$/],
    [['--l3-cache-schema', 'L3:0=ff'], /Intel RDT .* not supported/],
    [['--mem-bw-schema', 'MB:0=70'], /Intel RDT .* not supported/],
  ];
  for (const [argv, re] of cases) assert.throws(() => resourcesFromFlags(updateFlags(argv)), re, argv.join(' '));
});

test('update: a pids limit of 0 means "leave it" (runc), everything else passes through', () => {
  assert.deepEqual(normalizeUpdate({ pids: { limit: 0 }, memory: { limit: 5 } }), { memory: { limit: 5 } });
  assert.deepEqual(normalizeUpdate({ pids: { limit: 7 } }), { pids: { limit: 7 } });
});

test('updates merge into the kept resources member by member; lists are replaced', () => {
  const base = {
    memory: { limit: 64 * MiB, swap: 128 * MiB },
    cpu: { shares: 512, cpus: '0' },
    devices: [{ allow: false, access: 'rwm' }],
    unified: { 'memory.high': '1000' },
  };
  assert.deepEqual(
    mergeResources(base, { memory: { limit: 100 * MiB }, pids: { limit: 9 }, devices: [{ allow: true }], unified: { 'pids.max': '3' } }),
    {
      memory: { limit: 100 * MiB, swap: 128 * MiB },
      cpu: { shares: 512, cpus: '0' },
      devices: [{ allow: true }],
      unified: { 'memory.high': '1000', 'pids.max': '3' },
      pids: { limit: 9 },
    },
  );
  assert.deepEqual(base.memory, { limit: 64 * MiB, swap: 128 * MiB }, 'the base is not modified');
  assert.deepEqual(mergeResources({}, {}), {});
});

const PS_EF = `UID          PID    PPID  C STIME TTY          TIME CMD
root           1       0  0 10:00 ?        00:00:01 /sbin/init
root        4242       1  0 10:01 ?        00:00:00 sleep 100
root        4243    4242  0 10:01 ?        00:00:00 sh -c echo  a   b
root       14242       1  0 10:01 ?        00:00:00 other
`;

test('ps: the header and the rows of the container\'s pids, untouched', () => {
  assert.equal(
    filterPsOutput(PS_EF, [4242, 4243]),
    'UID          PID    PPID  C STIME TTY          TIME CMD\nroot        4242       1  0 10:01 ?        00:00:00 sleep 100\nroot        4243    4242  0 10:01 ?        00:00:00 sh -c echo  a   b\n',
  );
  assert.equal(filterPsOutput(PS_EF, []), 'UID          PID    PPID  C STIME TTY          TIME CMD\n');
  // PID need not be the second column (ps -o comm,pid).
  assert.equal(filterPsOutput('COMMAND PID\nsleep 7\nsh 8\n', [8]), 'COMMAND PID\nsh 8\n');
  assert.throws(() => filterPsOutput('COMMAND\nsleep\n', [1]), /^Error: couldn't find PID field in ps output$/);
  assert.throws(() => filterPsOutput('PID CMD\nabc sleep\n', [1]), /unexpected pid 'abc'/);
});

test('ps --format json: an array of pids, null when none (Go\'s nil slice, as runc prints it)', () => {
  assert.equal(formatPidsJson([3, 1, 2]), '[3,1,2]');
  assert.equal(formatPidsJson([]), 'null');
});

test('events --interval takes Go durations', () => {
  for (const [text, ms] of [
    ['5s', 5000],
    ['1m30s', 90_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
    ['0', 0],
    ['-1s', -1000],
    ['100us', 0.1],
    ['1000000ns', 1],
  ] as const) {
    assert.equal(parseDuration(text), ms, text);
  }
  for (const bad of ['', '5', 'abc', '5x', 's', '1s2']) assert.equal(parseDuration(bad), null, bad);
});

test('the OOM kill counter: v1 memory.oom_control, v2 memory.events; null when absent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runts-oom-'));
  try {
    mkdirSync(join(dir, 'mem'));
    writeFileSync(join(dir, 'mem', 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 3\n');
    mkdirSync(join(dir, 'v2'));
    writeFileSync(join(dir, 'v2', 'memory.events'), 'low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\noom_group_kill 0\n');
    assert.equal(oomKills({ version: 1, paths: { memory: join(dir, 'mem') }, created: [] }), 3n);
    assert.equal(oomKills({ version: 2, paths: { '': join(dir, 'v2') }, created: [] }), 2n);
    assert.equal(oomKills({ version: 1, paths: { pids: join(dir, 'mem') }, created: [] }), null);
    assert.equal(oomKills({ version: 2, paths: { '': join(dir, 'gone') }, created: [] }), null);
    assert.equal(oomEvent('c1'), '{"type":"oom","id":"c1"}');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('paused: FROZEN in the v1 freezer; cgroup.freeze 1 and "frozen 1" on v2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runts-frozen-'));
  try {
    const v1 = (state: string) => {
      writeFileSync(join(dir, 'freezer.state'), state);
      return cgroupFrozen({ version: 1, paths: { freezer: dir }, created: [] });
    };
    assert.equal(v1('FROZEN\n'), true);
    assert.equal(v1('FREEZING\n'), false);
    assert.equal(v1('THAWED\n'), false);
    const v2 = (freeze: string, events: string) => {
      writeFileSync(join(dir, 'cgroup.freeze'), freeze);
      writeFileSync(join(dir, 'cgroup.events'), events);
      return cgroupFrozen({ version: 2, paths: { '': dir }, created: [] });
    };
    assert.equal(v2('1\n', 'populated 1\nfrozen 1\n'), true);
    assert.equal(v2('1\n', 'populated 1\nfrozen 0\n'), false);
    assert.equal(v2('0\n', 'populated 1\nfrozen 1\n'), false);
    assert.equal(cgroupFrozen(undefined), false);
    assert.equal(cgroupFrozen({ version: 1, paths: { freezer: join(dir, 'gone') }, created: [] }), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('which configs ask for resources (a rootless create may go on without a cgroup only if none)', () => {
  assert.equal(hasResources(undefined), false);
  assert.equal(hasResources({}), false);
  assert.equal(hasResources({ devices: [] }), false);
  assert.equal(hasResources({ devices: [{ allow: false }] }), true);
  assert.equal(hasResources({ pids: { limit: 5 } }), true);
});
