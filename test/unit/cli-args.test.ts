import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError, type FlagSpec } from '../../src/cli/args.ts';

const specs: FlagSpec[] = [
  { name: 'bundle', short: 'b', type: 'string', usage: '' },
  { name: 'detach', short: 'd', type: 'bool', usage: '' },
  { name: 'preserve-fds', type: 'uint', usage: '', default: 0 },
  { name: 'env', short: 'e', type: 'strings', usage: '' },
];

test('long flags take one or two dashes, = or a separate value', () => {
  for (const argv of [['--bundle', '/b'], ['-bundle', '/b'], ['--bundle=/b'], ['-b', '/b'], ['-b=/b']]) {
    assert.equal(parseArgs(argv, specs).flags.bundle, '/b', argv.join(' '));
  }
});

test('booleans default to false and accept =true/=false', () => {
  assert.equal(parseArgs([], specs).flags.detach, false);
  assert.equal(parseArgs(['-d'], specs).flags.detach, true);
  assert.equal(parseArgs(['--detach=false'], specs).flags.detach, false);
  assert.throws(() => parseArgs(['--detach=maybe'], specs), UsageError);
});

test('parsing stops at the first positional, keeping later dashes for the container', () => {
  const p = parseArgs(['-d', 'ctr', 'sh', '-c', 'echo hi'], specs);
  assert.deepEqual(p.rest, ['ctr', 'sh', '-c', 'echo hi']);
  assert.equal(p.flags.detach, true);
});

test('"--" ends the flags', () => {
  assert.deepEqual(parseArgs(['--', '-d'], specs).rest, ['-d']);
});

test('uint flags validate and defaults apply', () => {
  assert.equal(parseArgs([], specs).flags['preserve-fds'], 0);
  assert.equal(parseArgs(['--preserve-fds', '3'], specs).flags['preserve-fds'], 3);
  assert.throws(() => parseArgs(['--preserve-fds', '-1'], specs), /non-negative integer/);
});

test('repeatable flags collect values', () => {
  assert.deepEqual(parseArgs(['-e', 'A=1', '--env=B=2'], specs).flags.env, ['A=1', 'B=2']);
});

test('unknown flags and missing values are usage errors naming the flag', () => {
  assert.throws(() => parseArgs(['--nope'], specs), /flag provided but not defined: -nope/);
  assert.throws(() => parseArgs(['--bundle'], specs), /flag needs an argument: -bundle/);
});
