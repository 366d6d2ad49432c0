// src/shim/launcher.sh, the first lines of dist/containerd-shim-runts-v2.js:
// /bin/sh answers a `delete` with nothing to clean up by itself, with the
// DeleteResponse the Node action would print; runs a `start` as a server in
// a session of its own that answers on fd 3; and hands anything else to
// Node (here: a copy of the launcher with a few Node lines after it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { DeleteResponseSchema } from '../../src/shim/gen/containerd/task_pb.ts';

const LAUNCHER = resolve(import.meta.dirname, '../../src/shim/launcher.sh');
const NS = `runts-launcher-test-${process.pid}`; // no /run/containerd/runts/<NS>: no state

function withLauncher(fn: (script: string, dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'runts-launcher-'));
  try {
    const script = join(dir, 'shim');
    const node = [
      "const fs = require('node:fs');",
      "const said = 'node: ' + process.argv.slice(2).join(' ');",
      // launcher.sh's start: answer on the fd named, with what came on stdin and the session.
      'if (process.env.RUNTS_SHIM_ANSWER_FD) {',
      "  const sid = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[3];",
      "  fs.writeSync(Number(process.env.RUNTS_SHIM_ANSWER_FD), 'A' + said + ' stdin=' + fs.readFileSync(0, 'utf8') + ' leader=' + (Number(sid) === process.pid));",
      '} else process.stdout.write(said);',
    ];
    writeFileSync(script, `${readFileSync(LAUNCHER, 'utf8')}\n${node.join('\n')}\n`, { mode: 0o755 });
    fn(script, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const run = (script: string, args: string[], cwd: string, input = '') => spawnSync('sh', [script, ...args], { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, input });

test('delete with no state and no rootfs mount: the DeleteResponse, from the shell', () => {
  withLauncher((script, dir) => {
    const before = Date.now();
    for (const args of [
      ['-namespace', NS, '-address', '/run/containerd/containerd.sock', '-publish-binary', '/usr/bin/containerd', '-id', 'c1', '-bundle', dir, 'delete'],
      [`--namespace=${NS}`, '-id=c1', 'delete'],
    ]) {
      const r = run(script, args, dir);
      assert.equal(r.status, 0, r.stderr.toString());
      assert.doesNotMatch(r.stdout.toString('latin1'), /^node:/);
      const d = fromBinary(DeleteResponseSchema, r.stdout);
      assert.equal(d.pid, 0);
      assert.equal(d.exitStatus, 137);
      const at = Number(d.exitedAt!.seconds) * 1000 + d.exitedAt!.nanos / 1e6;
      assert.ok(at >= before - 1000 && at <= Date.now() + 1000, `exited_at ${at}`);
    }
  });
});

test('everything else goes to Node with its arguments unchanged', () => {
  withLauncher((script, dir) => {
    for (const args of [
      ['-v'],
      ['-namespace', NS, 'delete'], // no id
      ['-namespace', NS, '-id', 'delete'], // "delete" is the id: no action
      ['-namespace', NS, '-id', 'c1', '-bundle', join(dir, 'a bundle'), 'delete'], // mountinfo escapes the space
      ['-namespace', NS, '-id', 'c1', '-debug', 'serve'],
    ]) {
      const r = run(script, args, dir);
      assert.equal(r.status, 0, r.stderr.toString());
      assert.equal(r.stdout.toString(), `node: ${args.join(' ')}`);
    }
  });
});

test('start: the server, in a session of its own with containerd\'s stdin, answers on fd 3; the shell prints the answer', () => {
  withLauncher((script, dir) => {
    const args = ['-namespace', NS, '-address', '/run/containerd/containerd.sock', '-id', 'c1', '-debug', 'start'];
    const r = run(script, args, dir, 'params');
    assert.equal(r.status, 0, r.stderr.toString());
    assert.equal(r.stdout.toString(), `node: ${args.slice(0, -1).join(' ')} serve stdin=params leader=true`);
  });
});

test('start: an error from the server, or none at all, fails the start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runts-launcher-'));
  try {
    for (const [tail, message] of [
      ["require('node:fs').writeSync(3, 'Eno bundle');", /containerd-shim-runts-v2: no bundle/],
      ['process.exit(3);', /ended before it answered/],
    ] as const) {
      const script = join(dir, 'shim');
      writeFileSync(script, `${readFileSync(LAUNCHER, 'utf8')}\n${tail}\n`, { mode: 0o755 });
      const r = run(script, ['-namespace', NS, '-id', 'c1', 'start'], dir);
      assert.equal(r.status, 1);
      assert.equal(r.stdout.length, 0);
      assert.match(r.stderr.toString(), message);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
