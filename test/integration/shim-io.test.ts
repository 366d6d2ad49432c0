// containerd-shim-runts-v2's IO and the task API calls ctr 1.6 cannot make:
// - log URIs: ctr run/exec --log-uri file:///... appends the output to the
//   file; binary:///logger?k=v runs a shell logger (fds 3, 4, 5, env,
//   args), which the shim stops, with what it started, at the Delete;
// - Update (ctr 1.6 has no `task update`: sent to the task's shim socket)
//   writes the container's cgroup files; a refused value is a clear error;
// - a failing create: runts' message reaches ctr's stderr, nothing is left;
// - the shim's event loop is not blocked: one shim serving two containers
//   (started and driven directly over ttrpc), requests for one answer
//   promptly while the other's Start runs a 3 s poststart hook.
// A private containerd as in shim.test.ts; everything is removed even when a
// test fails (the after hooks, and finally blocks for what a test starts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { AnySchema, EmptySchema } from '@bufbuild/protobuf/wkt';
import * as T from '../../src/shim/gen/containerd/task_pb.ts';
import { TtrpcClient } from '../../src/shim/ttrpc-client.ts';
import { baseSpec, cleanEnv, makeRootfs, REPO, RUNTS, waitFor, type Json } from './helpers.ts';
import { BUSYBOX_IMAGE, runtsShimContainerd } from '../containerd-harness.ts';

const SHIM = join(REPO, 'dist', 'containerd-shim-runts-v2.js');
const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const skip = !existsSync(SHIM) ? 'dist/containerd-shim-runts-v2.js is not built' : !have('containerd') || !have('ctr') ? 'containerd or ctr is not installed' : false;

const NS = `runts-shimio-it-${process.pid}`;
const IMAGE = BUSYBOX_IMAGE;
const RUN = ['--runtime', 'io.containerd.runts.v2'];
const RUNTIME_ROOT = `/run/containerd/runts/${NS}`;
const TASK = 'containerd.task.v2.Task';

const ctd = runtsShimContainerd(NS, 'runts-shimio-');
/** Logs, loggers and bundles of these tests. */
let work = '';

const ctr = (args: string[], timeout = 60_000): SpawnSyncReturns<string> => ctd.ctr(args, timeout);
const must = (args: string[]): string => ctd.must(args);
const tasks = (): Map<string, string> => ctd.tasks();

function assertNothingLeft(): void {
  assert.equal(must(['container', 'ls', '-q']).trim(), '');
  assert.equal(tasks().size, 0);
  assert.deepEqual(existsSync(RUNTIME_ROOT) ? readdirSync(RUNTIME_ROOT) : [], []);
  const { children } = ctd.cgroupDirs();
  assert.deepEqual(children, []);
  assert.deepEqual(ctd.mountsUnder(ctd.dir), []);
}

async function noShimsLeft(): Promise<void> {
  assert.ok(await waitFor(() => ctd.shimPids().length === 0, 5000), `shims left: ${ctd.shimPids().join(' ')}`);
}

/** Processes in process group `pgid` (a logger's: it runs in a session of its own), zombies included. */
function groupMembers(pgid: number): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid) pids.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/**
 * SIGKILL to the process group of a logger, by the number it wrote: only a
 * real group id (never 0, 1 or a negative number: kill(0) and kill(-1)
 * reach far more than the logger), and never through kill(1), which reads
 * "-PGID" as an option.
 */
function killGroup(pgid: number): void {
  if (!Number.isSafeInteger(pgid) || pgid <= 1) return;
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

/** Best-effort removal of a container whatever state a failed test left it in. */
function forceRemove(id: string): void {
  ctr(['task', 'kill', '-s', 'SIGKILL', id], 10_000);
  ctr(['task', 'delete', '--force', id], 10_000);
  ctr(['container', 'delete', id], 10_000);
}

/** Kills and deletes a task and its container. */
async function removeTask(id: string): Promise<void> {
  must(['task', 'kill', '-s', 'SIGKILL', id]);
  assert.ok(await waitFor(() => tasks().get(id) === 'STOPPED', 10_000), `status ${tasks().get(id)}`);
  must(['task', 'delete', id]);
  must(['container', 'delete', id]);
}

/**
 * The test logger: writes its arguments and environment, copies fd 3 and 4
 * to files (the copies ignore SIGTERM, so they always finish), says it is
 * ready by closing fd 5, and then stays (a sleep in its group) until the
 * shim ends it.
 */
function writeLogger(): string {
  const path = join(work, 'test-logger.sh');
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      '[ "$1" = out ] || exit 2',
      'd=$2',
      'mkdir -p "$d"',
      // (dash exports PWD itself.)
      'export -p | sed "s/=.*//; s/^export //" | grep -vx PWD | sort | tr "\\n" " " > "$d/env-names"',
      'echo $$ > "$d/pid"',
      'printf "%s\\n" "id=$CONTAINER_ID" "ns=$CONTAINER_NAMESPACE" "foo=${FOO:-}" "args=$*" > "$d/env"',
      '(trap "" TERM; exec cat <&3 5>&- > "$d/stdout") &',
      '(trap "" TERM; exec cat <&4 5>&- > "$d/stderr") &',
      'exec 5>&-',
      'sleep 100000 &',
      'wait',
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return path;
}

/** A connection to one shim's ttrpc socket, for the calls ctr does not make. */
class Shim {
  private readonly client: TtrpcClient;
  constructor(readonly socket: string) {
    this.client = new TtrpcClient(socket);
  }

  async call<I extends DescMessage, O extends DescMessage>(method: string, inS: I, req: Partial<MessageShape<I>>, outS: O, timeoutMs = 30_000): Promise<MessageShape<O>> {
    // The client's socket and timer are unref'd (the shim must not wait on them): hold the loop open meanwhile.
    const keep = setInterval(() => {}, 1000);
    try {
      const out = await this.client.call(TASK, method, toBinary(inS, create(inS, req as MessageShape<I>)), { 'containerd-namespace-ttrpc': NS }, timeoutMs);
      return fromBinary(outS, out);
    } finally {
      clearInterval(keep);
    }
  }

  close(): void {
    this.client.close();
  }
}

/** The ttrpc socket of the shim containerd started for task `id` (its bundle holds the address start printed). */
function shimOfTask(id: string): Shim {
  const address = readFileSync(join(ctd.dir, 'state', 'io.containerd.runtime.v2.task', NS, id, 'address'), 'utf8');
  return new Shim(address.replace(/^unix:\/\//, ''));
}

const jsonAny = (typeUrl: string, v: unknown) => create(AnySchema, { typeUrl, value: Buffer.from(JSON.stringify(v)) });
const RESOURCES_URL = 'types.containerd.io/opencontainers/runtime-spec/1/LinuxResources';
const PROCESS_URL = 'types.containerd.io/opencontainers/runtime-spec/1/Process';

describe('containerd-shim-runts-v2: log URIs, Update, a failing create, a free event loop', { skip }, () => {
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'runts-shimio-work-'));
    chmodSync(work, 0o755);
    await ctd.start();
  });
  after(async () => {
    await ctd.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('--log-uri file://: ctr run and ctr task exec append stdout and stderr to the file; nothing is left', async () => {
    const log = join(work, 'file-logs', 'sub', 'out.log');
    const id = `f-${process.pid}`;
    try {
      // The directory is made by the shim; two runs append.
      for (const n of [1, 2]) {
        const r = ctr(['run', '--rm', ...RUN, '--log-uri', `file://${log}`, IMAGE, `${id}-${n}`, 'sh', '-c', `echo out${n}; echo err${n} >&2; exit 3`]);
        assert.equal(r.status, 3, r.stderr);
        assert.equal(r.stdout, '');
      }
      assert.deepEqual(readFileSync(log, 'utf8').split('\n').filter(Boolean).sort(), ['err1', 'err2', 'out1', 'out2']);
      assert.equal((readFileSync('/proc/self/mountinfo', 'utf8').match(/runts-shimio-/g) ?? []).length, 0);

      const execLog = join(work, 'file-logs', 'exec.log');
      must(['run', '-d', ...RUN, IMAGE, id, 'sleep', '100000']);
      const e = ctr(['task', 'exec', '--exec-id', 'fe1', '--log-uri', `file://${execLog}`, id, 'sh', '-c', 'echo exec-out; echo exec-err >&2; exit 4']);
      assert.equal(e.status, 4, e.stderr);
      assert.deepEqual(readFileSync(execLog, 'utf8').split('\n').filter(Boolean).sort(), ['exec-err', 'exec-out']);
      await removeTask(id);
      assertNothingLeft();
      await noShimsLeft();
    } finally {
      for (const x of [`${id}-1`, `${id}-2`, id]) forceRemove(x);
    }
  });

  test('--log-uri binary://: the logger gets the output on fds 3 and 4, its args and env, and is stopped with its group at the Delete', async () => {
    const logger = writeLogger();
    const id = `b-${process.pid}`;
    const out = join(work, 'bin-init');
    try {
      const r = ctr(['run', '--rm', ...RUN, '--log-uri', `binary://${logger}?out=${out}&env.FOO=bar`, IMAGE, id, 'sh', '-c', 'echo to-stdout; echo to-stderr >&2; exit 5']);
      assert.equal(r.status, 5, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(readFileSync(join(out, 'stdout'), 'utf8'), 'to-stdout\n');
      assert.equal(readFileSync(join(out, 'stderr'), 'utf8'), 'to-stderr\n');
      assert.equal(readFileSync(join(out, 'env'), 'utf8'), `id=${id}\nns=${NS}\nfoo=bar\nargs=out ${out}\n`);
      // Nothing of the shim's environment: only what containerd's runc shim gives a logger.
      assert.equal(readFileSync(join(out, 'env-names'), 'utf8'), 'CONTAINER_ID CONTAINER_NAMESPACE FOO ');
      // ctr run --rm returned after the Delete: the logger, its copies and its sleep are gone (reaped, no zombies).
      const pgid = Number(readFileSync(join(out, 'pid'), 'utf8'));
      assert.deepEqual(groupMembers(pgid), []);
      assertNothingLeft();
      await noShimsLeft();

      // An exec's logger: ctr task exec deletes the exec once it exited.
      const execOut = join(work, 'bin-exec');
      must(['run', '-d', ...RUN, IMAGE, id, 'sleep', '100000']);
      const e = ctr(['task', 'exec', '--exec-id', 'be1', '--log-uri', `binary://${logger}?out=${execOut}`, id, 'sh', '-c', 'echo exec-out; echo exec-err >&2']);
      assert.equal(e.status, 0, e.stderr);
      assert.equal(readFileSync(join(execOut, 'stdout'), 'utf8'), 'exec-out\n');
      assert.equal(readFileSync(join(execOut, 'stderr'), 'utf8'), 'exec-err\n');
      assert.match(readFileSync(join(execOut, 'env'), 'utf8'), new RegExp(`^id=${id}\nns=${NS}\n`));
      assert.deepEqual(groupMembers(Number(readFileSync(join(execOut, 'pid'), 'utf8'))), []);

      // A logger that cannot start fails the exec with its path in the message.
      const bad = ctr(['task', 'exec', '--exec-id', 'be2', '--log-uri', `binary://${work}/no-such-logger`, id, 'true']);
      assert.notEqual(bad.status, 0);
      assert.match(bad.stderr, /no-such-logger/);
      await removeTask(id);
      assertNothingLeft();
      await noShimsLeft();
    } finally {
      forceRemove(id);
      // A logger the shim failed to stop (its pid file says which group).
      for (const d of ['bin-init', 'bin-exec']) {
        const f = join(work, d, 'pid');
        if (existsSync(f)) killGroup(Number(readFileSync(f, 'utf8')));
      }
    }
  });

  test('Update writes memory.limit_in_bytes and cpu.cfs_quota_us; a refused value is a clear error and changes nothing', async () => {
    const id = `u-${process.pid}`;
    const cg = (ctl: string, file: string): string => readFileSync(join('/sys/fs/cgroup', ctl, NS, id, file), 'utf8').trim();
    const v1 = existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes');
    // The cpu hierarchy's directory: "cpu" or "cpu,cpuacct" by the host's mounts.
    const cpu = ['cpu', 'cpu,cpuacct'].find((d) => existsSync(join('/sys/fs/cgroup', d, 'cpu.cfs_quota_us'))) ?? 'cpu';
    let shim: Shim | null = null;
    try {
      must(['run', '-d', ...RUN, IMAGE, id, 'sleep', '100000']);
      shim = shimOfTask(id);
      const update = (resources: Json) => shim!.call('Update', T.UpdateTaskRequestSchema, { id, resources: jsonAny(RESOURCES_URL, resources) }, EmptySchema);
      await update({ memory: { limit: 64 * 1024 * 1024 }, cpu: { quota: 25_000, period: 100_000 } });
      if (v1) {
        assert.equal(cg('memory', 'memory.limit_in_bytes'), String(64 * 1024 * 1024));
        assert.equal(cg(cpu, 'cpu.cfs_quota_us'), '25000');
        assert.equal(cg(cpu, 'cpu.cfs_period_us'), '100000');
      } else {
        const f = (file: string) => readFileSync(join('/sys/fs/cgroup', NS, id, file), 'utf8').trim();
        assert.equal(f('memory.max'), String(64 * 1024 * 1024));
        assert.equal(f('cpu.max'), '25000 100000');
      }
      await assert.rejects(update({ cpu: { quota: -5 } }), /cpu\/quota: -5 is not a number of microseconds or -1/);
      await assert.rejects(update({ memory: { limit: 64 * 1024 * 1024, swap: 1024 * 1024 } }), /memory\+swap limit 1048576 is lower than the memory limit 67108864|memory\/swap/);
      if (v1) assert.equal(cg(cpu, 'cpu.cfs_quota_us'), '25000');
      // Update of a task the shim does not have.
      await assert.rejects(shim.call('Update', T.UpdateTaskRequestSchema, { id: 'nope', resources: jsonAny(RESOURCES_URL, {}) }, EmptySchema), /container nope: not found/);
      shim.close();
      shim = null;
      await removeTask(id);
      assertNothingLeft();
      await noShimsLeft();
    } finally {
      shim?.close();
      forceRemove(id);
    }
  });

  test('a create runts refuses: its message reaches ctr\'s stderr, and no shim, state, mount or cgroup is left', async () => {
    const id = `bad-${process.pid}`;
    const profile = join(work, 'bad-seccomp.json');
    writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_BOGUS' }));
    try {
      const cwd = ctr(['run', '--rm', ...RUN, '--cwd', 'relative/dir', IMAGE, id, 'true']);
      assert.notEqual(cwd.status, 0);
      assert.match(cwd.stderr, /\/process\/cwd: "relative\/dir" must be an absolute path/);
      assertNothingLeft();
      await noShimsLeft();

      const sec = ctr(['run', '--rm', ...RUN, '--seccomp', '--seccomp-profile', profile, IMAGE, id, 'true']);
      assert.notEqual(sec.status, 0);
      assert.match(sec.stderr, /\/linux\/seccomp\/defaultAction: must be equal to one of the allowed values/);
      assertNothingLeft();
      await noShimsLeft();
      assert.deepEqual(readdirSync(tmpdir()).filter((f) => f.startsWith('runts-console-')), []);
    } finally {
      forceRemove(id);
    }
  });

  test('one shim, two containers: while one\'s Start runs a 3 s poststart hook, State, Pids and an exec of the other answer promptly', async () => {
    // The shim started as containerd starts it (the start action in the bundle, on containerd's address),
    // then driven over ttrpc: containerd 1.6 gives each task a shim of its own.
    const [a, b] = [`ela-${process.pid}`, `elb-${process.pid}`];
    const dir = join(work, 'direct');
    const bundle = (id: string, spec: Json): string => {
      const d = join(dir, id);
      makeRootfs(join(d, 'rootfs'));
      spec.linux.cgroupsPath = `/${NS}/${id}`;
      writeFileSync(join(d, 'config.json'), JSON.stringify(spec));
      return d;
    };
    const specA = baseSpec(['sleep', '100000']);
    specA.hooks = { poststart: [{ path: '/bin/sleep', args: ['sleep', '3'] }] };
    const bundleA = bundle(a, specA);
    const bundleB = bundle(b, baseSpec(['sleep', '100000']));
    const started = spawnSync(process.execPath, [SHIM, '-namespace', NS, '-address', ctd.sock, '-id', a, 'start'], { cwd: bundleA, env: cleanEnv(), encoding: 'utf8' });
    assert.equal(started.status, 0, started.stderr);
    const shimPid = Number(readFileSync(join(bundleA, 'shim.pid'), 'utf8'));
    const shim = new Shim(started.stdout.replace(/^unix:\/\//, ''));
    const loggers: number[] = [];
    try {
      for (const [id, bnd] of [[a, bundleA], [b, bundleB]] as const) {
        await shim.call('Create', T.CreateTaskRequestSchema, { id, bundle: bnd }, T.CreateTaskResponseSchema);
      }
      await shim.call('Start', T.StartRequestSchema, { id: b }, T.StartResponseSchema);
      const waitA = shim.call('Wait', T.WaitRequestSchema, { id: a }, T.WaitResponseSchema, 120_000);

      const t0 = Date.now();
      let startDone = 0;
      const startA = shim.call('Start', T.StartRequestSchema, { id: a }, T.StartResponseSchema).then((r) => ((startDone = Date.now()), r));
      // State of the other container, every 50 ms while the Start runs: the slowest answer.
      let slowest = 0;
      let pings = 0;
      const pinging = (async () => {
        while (startDone === 0) {
          const t = Date.now();
          const st = await shim.call('State', T.StateRequestSchema, { id: b }, T.StateResponseSchema);
          assert.equal(st.pid > 0, true);
          slowest = Math.max(slowest, Date.now() - t);
          pings++;
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      await new Promise((r) => setTimeout(r, 300));
      const timed = async <R>(what: string, p: () => Promise<R>): Promise<R> => {
        const t = Date.now();
        const r = await p();
        const ms = Date.now() - t;
        assert.ok(ms < 1500, `${what} took ${ms} ms while the other container's Start ran`);
        return r;
      };
      const pids = await timed('Pids', () => shim.call('Pids', T.PidsRequestSchema, { id: b }, T.PidsResponseSchema));
      assert.equal(pids.processes.length, 1);
      const execLog = join(dir, 'e1.log');
      const proc = { ...baseSpec().process, args: ['sh', '-c', 'echo exec-during-start'] };
      await timed('Exec', () => shim.call('Exec', T.ExecProcessRequestSchema, { id: b, execId: 'e1', stdout: `file://${execLog}`, spec: jsonAny(PROCESS_URL, proc) }, EmptySchema));
      await timed('Start of the exec', () => shim.call('Start', T.StartRequestSchema, { id: b, execId: 'e1' }, T.StartResponseSchema));
      const w = await timed('Wait of the exec', () => shim.call('Wait', T.WaitRequestSchema, { id: b, execId: 'e1' }, T.WaitResponseSchema));
      assert.equal(w.exitStatus, 0);
      const execDone = Date.now();
      await startA;
      await pinging;
      assert.ok(startDone - t0 >= 2500, `the Start with a 3 s poststart hook took ${startDone - t0} ms`);
      assert.ok(execDone < startDone, 'the exec ran while the Start was in progress');
      assert.ok(pings >= 5 && slowest < 1000, `${pings} State calls during the Start, the slowest took ${slowest} ms`);
      assert.equal(readFileSync(execLog, 'utf8'), 'exec-during-start\n');
      await shim.call('Delete', T.DeleteRequestSchema, { id: b, execId: 'e1' }, T.DeleteResponseSchema);

      // Terminals with a log URI: the pty's output goes to the file, or to the logger's stdout.
      const ttyLog = join(dir, 't1.log');
      const ttyProc = { ...proc, terminal: true, args: ['sh', '-c', 'tty; echo tty-out'] };
      const logger = writeLogger();
      const ttyOut = join(dir, 't2');
      for (const [execId, stdout] of [['t1', `file://${ttyLog}`], ['t2', `binary://${logger}?out=${ttyOut}`]]) {
        await shim.call('Exec', T.ExecProcessRequestSchema, { id: b, execId, terminal: true, stdout, spec: jsonAny(PROCESS_URL, ttyProc) }, EmptySchema);
        await shim.call('Start', T.StartRequestSchema, { id: b, execId }, T.StartResponseSchema);
        assert.equal((await shim.call('Wait', T.WaitRequestSchema, { id: b, execId }, T.WaitResponseSchema)).exitStatus, 0);
        if (execId === 't2') loggers.push(Number(readFileSync(join(ttyOut, 'pid'), 'utf8')));
        await shim.call('Delete', T.DeleteRequestSchema, { id: b, execId }, T.DeleteResponseSchema);
      }
      assert.match(readFileSync(ttyLog, 'utf8'), /^\/dev\/pts\/\d+\r\ntty-out\r\n$/);
      assert.match(readFileSync(join(ttyOut, 'stdout'), 'utf8'), /^\/dev\/pts\/\d+\r\ntty-out\r\n$/);
      assert.equal(readFileSync(join(ttyOut, 'stderr'), 'utf8'), '');

      for (const id of [a, b]) await shim.call('Kill', T.KillRequestSchema, { id, signal: 9 }, EmptySchema);
      assert.equal((await waitA).exitStatus, 137);
      for (const id of [a, b]) {
        await shim.call('Wait', T.WaitRequestSchema, { id }, T.WaitResponseSchema);
        await shim.call('Delete', T.DeleteRequestSchema, { id }, T.DeleteResponseSchema);
      }
      await shim.call('Shutdown', T.ShutdownRequestSchema, {}, EmptySchema);
      // As containerd does: hang up after Shutdown; an idle server then exits (lifetime.ts).
      shim.close();
      const alive = (): boolean => {
        try {
          process.kill(shimPid, 0);
          return true;
        } catch {
          return false;
        }
      };
      assert.ok(await waitFor(() => !alive(), 8000), 'the shim did not exit after Shutdown');
      for (const pgid of loggers) assert.deepEqual(groupMembers(pgid), []);
      assertNothingLeft();
    } finally {
      shim.close();
      if (Number.isSafeInteger(shimPid) && shimPid > 1) {
        try {
          process.kill(shimPid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      for (const id of [a, b]) spawnSync(process.execPath, [RUNTS, '--root', RUNTIME_ROOT, 'delete', '--force', id], { env: cleanEnv(), stdio: 'ignore' });
      for (const pgid of loggers) killGroup(pgid);
    }
  });
});
