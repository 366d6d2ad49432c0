// process.terminal with --console-socket: the pty master reaches the
// caller's socket with SCM_RIGHTS, the pty name as payload, as with runc.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { baseSpec, Sandbox, startConsoleReceiver, waitFor } from './helpers.ts';

let sb: Sandbox;
before(() => {
  sb = new Sandbox();
});
after(() => sb.cleanup());

const havePython = spawnSync('python3', ['-c', 'import socket; socket.recv_fds'], { stdio: 'ignore' }).status === 0;

test('the pty master is sent to the console socket; consoleSize applies', { skip: !havePython }, async () => {
  const spec = baseSpec(['sh', '-c', 'stty size; tty; echo hi']);
  spec.process.terminal = true;
  spec.process.consoleSize = { height: 30, width: 100 };
  const b = sb.bundle(spec);
  const sock = join(sb.dir, 'console.sock');
  const rx = await startConsoleReceiver(sock);
  try {
    const id = sb.id();
    const c = sb.runts(['create', '--console-socket', sock, '-b', b, id]);
    assert.equal(c.status, 0, c.stderr);
    assert.ok(await waitFor(() => rx.output().includes('fds=')));
    assert.equal(sb.runts(['start', id]).status, 0);
    await rx.done();
    const lines = rx.output().trim().split('\n');
    assert.deepEqual(lines.slice(1), ['name=/dev/pts/0', 'fds=1', 'output=30 100|/dev/pts/0|hi|']);
  } finally {
    rx.stop();
  }
});

test('terminal without a console socket is refused for create, console socket without terminal too', () => {
  const spec = baseSpec(['true']);
  spec.process.terminal = true;
  const b = sb.bundle(spec);
  let r = sb.runts(['create', '-b', b, sb.id()]);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'runts: cannot allocate tty if runts will detach without setting console socket\n');
  const b2 = sb.bundle(baseSpec(['true']));
  r = sb.runts(['create', '--console-socket', join(sb.dir, 'x.sock'), '-b', b2, sb.id()]);
  assert.equal(r.stderr, 'runts: cannot use console socket if runts will not detach or allocate tty\n');
});
