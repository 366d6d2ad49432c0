// The bridge's spawn primitives, which start runts-init for create and exec
// (src/container/init-runner.ts): exact fds, default signals, the pidfd and
// the channel's non-blocking reads. Needs the built bridge (dist/).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bridge } from '../../src/native/bridge.ts';

const dir = mkdtempSync(join(tmpdir(), 'runts-spawn-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function exitOf(pid: number, pidfd: number): Promise<{ code?: number; signal?: number } | null> {
  const [revents] = await bridge().pollIn([pidfd], 10_000);
  assert.notEqual(revents, 0, 'the pidfd becomes readable when the child exits');
  closeSync(pidfd);
  return bridge().waitPid(pid);
}

describe('bridge spawn', () => {
  test('the child gets exactly the listed fds, in order, and its exit status through the pidfd', async () => {
    const files = ['out', 'err', 'three'].map((n) => join(dir, n));
    const fds = files.map((f) => openSync(f, 'w'));
    const devnull = openSync('/dev/null', 'r');
    try {
      // The sources are deliberately out of order relative to their slots.
      const script = 'echo out; echo err >&2; echo three >&3; ls /proc/self/fd >&3; exit 7';
      const { pid, pidfd } = bridge().spawn('/bin/sh', ['sh', '-c', script], ['PATH=/usr/bin:/bin'], [devnull, fds[0]!, fds[1]!, fds[2]!]);
      assert.deepEqual(await exitOf(pid, pidfd), { code: 7 });
    } finally {
      for (const fd of [...fds, devnull]) closeSync(fd);
    }
    assert.equal(readFileSync(files[0]!, 'utf8'), 'out\n');
    assert.equal(readFileSync(files[1]!, 'utf8'), 'err\n');
    // Beyond 0-3 only ls's own directory fd: nothing of the Node process
    // leaks, not even an fd it inherited without close-on-exec.
    const listed = readFileSync(files[2]!, 'utf8').split('\n').slice(1).filter(Boolean).map(Number);
    assert.deepEqual(listed.filter((fd) => fd <= 3), [0, 1, 2, 3]);
    assert.ok(listed.length <= 5, `fds of the child: ${listed.join(' ')}`);
  });

  test('signals are at their defaults and unblocked (Node ignores SIGPIPE), but glibc\'s internal 32 and 33', async () => {
    const out = join(dir, 'status');
    const fd = openSync(out, 'w');
    try {
      const { pid, pidfd } = bridge().spawn('/bin/grep', ['grep', '-E', '^Sig(Ign|Blk)', '/proc/self/status'], [], [fd, fd, fd]);
      assert.deepEqual(await exitOf(pid, pidfd), { code: 0 });
    } finally {
      closeSync(fd);
    }
    // glibc's posix_spawn leaves its internal signals ignored; runts-init
    // resets them (see the container test in lifecycle.test.ts).
    assert.match(readFileSync(out, 'utf8'), /^SigBlk:\s+0+\nSigIgn:\s+0*(180000000)?\n$/);
  });

  test('a program that cannot be run fails the call, naming it and the reason', () => {
    assert.throws(() => bridge().spawn(join(dir, 'missing'), ['x'], [], [0, 1, 2]), (e: NodeJS.ErrnoException) => {
      assert.equal(e.code, 'ENOENT');
      assert.match(e.message, /^spawn \/.*missing: No such file or directory$/);
      return true;
    });
  });

  test('recvNow: null while empty, the bytes, then an empty buffer once the peer shut down', () => {
    const [a, b] = bridge().socketPair();
    try {
      assert.equal(bridge().recvNow(a, 16), null);
      writeSync(b, 'hello');
      assert.equal(bridge().recvNow(a, 16)!.toString(), 'hello');
      bridge().shutdown(b);
      assert.equal(bridge().recvNow(a, 16)!.length, 0);
    } finally {
      closeSync(a);
      closeSync(b);
    }
  });
});
