// process.rlimits -> resource numbers and exact decimal strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RLIMIT_NAMES, rlimitNumber, rlimitValue } from '../../src/plan/rlimits.ts';
import { assertOnlyError, errors, plan } from './plan-fixtures.ts';

const KERNEL = [
  'RLIMIT_CPU',
  'RLIMIT_FSIZE',
  'RLIMIT_DATA',
  'RLIMIT_STACK',
  'RLIMIT_CORE',
  'RLIMIT_RSS',
  'RLIMIT_NPROC',
  'RLIMIT_NOFILE',
  'RLIMIT_MEMLOCK',
  'RLIMIT_AS',
  'RLIMIT_LOCKS',
  'RLIMIT_SIGPENDING',
  'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE',
  'RLIMIT_RTPRIO',
  'RLIMIT_RTTIME',
];

test('all 16 rlimits map to their numbers', () => {
  assert.deepEqual([...RLIMIT_NAMES], KERNEL);
  KERNEL.forEach((name, i) => assert.equal(rlimitNumber(name), i));
  const p = plan((s) => (s.process!.rlimits = KERNEL.map((type, i) => ({ type, soft: i, hard: i + 1 }))));
  assert.deepEqual(
    p.process.rlimits,
    KERNEL.map((_, i) => ({ resource: i, soft: String(i), hard: String(i + 1) })),
  );
});

test('RLIM_INFINITY survives JSON.parse rounding', () => {
  const parsed = JSON.parse('{"soft": 18446744073709551615, "hard": 18446744073709551615}') as { soft: number; hard: number };
  assert.equal(rlimitValue(parsed.soft), 18446744073709551615n);
  const p = plan((s) => (s.process!.rlimits = [{ type: 'RLIMIT_CORE', soft: parsed.soft, hard: parsed.hard }]));
  assert.deepEqual(p.process.rlimits, [{ resource: 4, soft: '18446744073709551615', hard: '18446744073709551615' }]);
});

test('large exact values stay exact', () => {
  assert.equal(rlimitValue(2 ** 63), 9223372036854775808n);
  assert.equal(rlimitValue(2 ** 53 - 1), 9007199254740991n);
  assert.equal(rlimitValue(1e300), 18446744073709551615n);
});

test('soft unlimited with a finite hard limit is an error', () => {
  assertOnlyError(
    (s) => (s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 2 ** 64, hard: 4096 }]),
    'config.json: /process/rlimits/0/soft: soft limit 18446744073709551615 is above the hard limit 4096 for RLIMIT_NOFILE',
  );
});

test('unknown, duplicate and inverted rlimits are all reported', () => {
  assert.deepEqual(
    errors((s) => {
      s.process!.rlimits = [
        { type: 'RLIMIT_NOFILE', soft: 1024, hard: 1024 },
        { type: 'RLIMIT_FOO', soft: 1, hard: 1 },
        { type: 'RLIMIT_NOFILE', soft: 2048, hard: 2048 },
        { type: 'RLIMIT_NPROC', soft: 2, hard: 1 },
      ];
    }),
    [
      'config.json: /process/rlimits/1/type: unknown rlimit "RLIMIT_FOO"',
      'config.json: /process/rlimits/2/type: duplicate rlimit "RLIMIT_NOFILE" (first at /process/rlimits/0)',
      'config.json: /process/rlimits/3/soft: soft limit 2 is above the hard limit 1 for RLIMIT_NPROC',
    ],
  );
});
