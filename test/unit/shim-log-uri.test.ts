// parseLogTarget: a task's stdout as containerd's runc shim reads it (a fifo
// path, or a file:// or binary:// log URI), and the URIs it refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLogTarget } from '../../src/shim/log-uri.ts';
import { Code, ShimError } from '../../src/shim/errors.ts';

test('a path, or nothing, is a fifo', () => {
  assert.deepEqual(parseLogTarget('/run/containerd/fifo/1/c-stdout'), { kind: 'fifo', path: '/run/containerd/fifo/1/c-stdout' });
  assert.deepEqual(parseLogTarget(''), { kind: 'fifo', path: '' });
  assert.deepEqual(parseLogTarget('fifo:///tmp/f'), { kind: 'fifo', path: '/tmp/f' });
});

test('file:// is the file at the URI\'s path, percent-decoded', () => {
  assert.deepEqual(parseLogTarget('file:///var/log/c.log'), { kind: 'file', path: '/var/log/c.log' });
  assert.deepEqual(parseLogTarget('file:///tmp/a%20b/c.log'), { kind: 'file', path: '/tmp/a b/c.log' });
});

test('binary://: the query gives the arguments (key, then value unless empty) and env.NAME the environment', () => {
  assert.deepEqual(parseLogTarget('binary:///usr/bin/logger?tag=web&debug&env.LEVEL=info&tag=second&path=%2Fx+y'), {
    kind: 'binary',
    path: '/usr/bin/logger',
    args: ['tag', 'web', 'debug', 'path', '/x y'],
    env: { LEVEL: 'info' },
  });
  // What containerd sets itself is not overridden.
  assert.deepEqual(parseLogTarget('binary:///l?env.CONTAINER_ID=x'), { kind: 'binary', path: '/l', args: [], env: {} });
});

test('refused: other schemes, a host part, no path', () => {
  const refused = (s: string, re: RegExp) =>
    assert.throws(() => parseLogTarget(s), (e: unknown) => e instanceof ShimError && e.code === Code.InvalidArgument && re.test(e.message));
  refused('http://example.com/x', /unknown STDIO scheme http/);
  refused('file://relative/x.log', /needs an absolute path: file:\/\/\/path/);
  refused('binary://', /needs an absolute path/);
  refused('file:', /needs an absolute path/);
});
