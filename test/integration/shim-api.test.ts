// containerd-shim-runts-v2's task API beyond what ctr exercises in
// shim.test.ts:
//  - with a private containerd (as shim.test.ts): a container with a small
//    memory limit running a memory hog is OOM-killed, `ctr events` shows
//    its /tasks/oom before its /tasks/exit, and ctr reports the exit; the
//    metrics of a running task through ctr, and its shim answering under
//    containerd.task.v3.Task (containerd 2.x's name) when called directly.
//  - a shim started by hand (its `start` action, as containerd runs it)
//    driven only through containerd.task.v3.Task, from Create to Shutdown,
//    with an events sink of our own as TTRPC_ADDRESS: TaskOOM comes before
//    TaskExit.
// Everything made is removed even on failure; nothing may be left (state,
// cgroups, mounts, shim processes).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { EmptySchema } from '@bufbuild/protobuf/wkt';
import { cleanEnv, makeRootfs, baseSpec, REPO, RUNTS, waitFor } from './helpers.ts';
import { BUSYBOX_IMAGE, runtsShimContainerd } from '../containerd-harness.ts';
import { TtrpcClient } from '../../src/shim/ttrpc-client.ts';
import { encodeFrame, FrameReader, MESSAGE_TYPE_REQUEST, MESSAGE_TYPE_RESPONSE } from '../../src/shim/ttrpc-frame.ts';
import { RequestSchema, ResponseSchema } from '../../src/shim/gen/ttrpc/ttrpc_pb.ts';
import { ForwardRequestSchema, type Envelope } from '../../src/shim/gen/containerd/events-service_pb.ts';
import * as T from '../../src/shim/gen/containerd/task_pb.ts';
import { TaskExitSchema, TaskOOMSchema } from '../../src/shim/gen/containerd/events_pb.ts';
import { Status } from '../../src/shim/gen/containerd/task-types_pb.ts';
import { MetricsSchema as V1Metrics } from '../../src/shim/gen/containerd/cgroups-metrics_pb.ts';
import { MetricsSchema as V2Metrics } from '../../src/shim/gen/containerd/cgroups-v2-metrics_pb.ts';

const SHIM = join(REPO, 'dist', 'containerd-shim-runts-v2.js');
const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const notRoot = process.getuid?.() !== 0 ? 'needs root' : false;
const noShim = !existsSync(SHIM) ? 'dist/containerd-shim-runts-v2.js is not built' : false;
const V3 = 'containerd.task.v3.Task';
const MEMORY_LIMIT = 32 * 1024 * 1024;
/** Doubles a string until the memory cgroup's limit stops it (the host may have no swap to fall back on; with swap the limit covers it too). */
const HOG = ['sh', '-c', 'x=0123456789abcdef; while :; do x=$x$x; done'];

/** A unary v3 call: the request encoded, the response decoded. */
async function call<I extends DescMessage, O extends DescMessage>(c: TtrpcClient, method: string, inS: I, req: Partial<MessageShape<I>>, outS: O): Promise<MessageShape<O>> {
  const payload = await c.call(V3, method, toBinary(inS, create(inS, req as MessageShape<I>)), {}, 20_000);
  return fromBinary(outS, payload);
}

/** The cgroup v1 memory controller's directory of a cgroup path, or the unified one. */
function memoryCgroupExists(path: string): boolean {
  return existsSync(join('/sys/fs/cgroup/memory', path)) || existsSync(join('/sys/fs/cgroup', path, 'cgroup.procs'));
}

function rmdirIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not empty (another user) or gone
  }
}

const NS = `runts-shimapi-${process.pid}`;
const RUN = ['--runtime', 'io.containerd.runts.v2'];
const RUNTIME_ROOT = `/run/containerd/runts/${NS}`;

describe('containerd with containerd-shim-runts-v2: TaskOOM, metrics, task API v3', { skip: notRoot || noShim || (!have('containerd') || !have('ctr') ? 'containerd or ctr is not installed' : false) }, () => {
  const ctd = runtsShimContainerd(NS, 'runts-shimapi-');
  let events: ChildProcess | undefined;
  let eventsOut = '';

  before(async () => {
    await ctd.start();
    events = spawn('ctr', ['--address', ctd.sock, 'events'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'ignore'] });
    events.stdout!.on('data', (d: Buffer) => (eventsOut += d.toString()));
    // ctr events has subscribed once it sees a task event; a throwaway task makes one.
    const probe = ctd.ctr(['run', '--rm', ...RUN, BUSYBOX_IMAGE, `probe-${process.pid}`, 'true']);
    assert.equal(probe.status, 0, probe.stderr);
    assert.ok(await waitFor(() => eventsOut.includes(`probe-${process.pid}`), 10_000), 'ctr events printed nothing');
  });
  after(async () => {
    events?.kill();
    await ctd.stop();
  });

  function assertNothingLeft(): void {
    assert.equal(ctd.must(['container', 'ls', '-q']).trim(), '');
    assert.deepEqual(existsSync(RUNTIME_ROOT) ? readdirSync(RUNTIME_ROOT) : [], []);
    assert.deepEqual(ctd.cgroupDirs().children, []);
    assert.deepEqual(ctd.mountsUnder(ctd.dir), []);
  }

  test('a memory hog over --memory-limit: /tasks/oom before its /tasks/exit, exit status 137; nothing is left', async () => {
    const id = `oom-${process.pid}`;
    const r = ctd.ctr(['run', '--rm', ...RUN, '--memory-limit', String(MEMORY_LIMIT), BUSYBOX_IMAGE, id, ...HOG], 60_000);
    assert.equal(r.status, 137, `ctr run: ${r.status} ${r.stderr}`);
    assert.ok(await waitFor(() => eventsOut.includes('/tasks/delete') && new RegExp(`/tasks/delete .*"${id}"`).test(eventsOut), 10_000), eventsOut);
    const mine = eventsOut.split('\n').filter((l) => l.includes(`"${id}"`)).map((l) => / (\/tasks\/[\w-]+) /.exec(l)?.[1]);
    assert.ok(mine.includes('/tasks/oom'), `no /tasks/oom for ${id}:\n${eventsOut}`);
    assert.equal(mine.filter((t) => t === '/tasks/oom').length, 1, mine.join(' '));
    assert.ok(mine.indexOf('/tasks/oom') < mine.indexOf('/tasks/exit'), mine.join(' '));
    assertNothingLeft();
    assert.ok(await waitFor(() => ctd.shimPids().length === 0, 5000), `shims left: ${ctd.shimPids().join(' ')}`);
  });

  test('a running task: ctr task metrics, and its shim under containerd.task.v3.Task (State, Pids, Stats, Connect)', async () => {
    const id = `v3-${process.pid}`;
    ctd.must(['run', '-d', ...RUN, '--memory-limit', String(MEMORY_LIMIT), BUSYBOX_IMAGE, id, 'sleep', '100000']);
    const client = new TtrpcClient(readFileSync(join(ctd.dir, 'state', 'io.containerd.runtime.v2.task', NS, id, 'address'), 'utf8').replace(/^unix:\/\//, ''));
    try {
      // ctr prints the v1 or the v2 metrics under their own names.
      const metrics = ctd.must(['task', 'metrics', id]);
      const v2 = /^memory\.usage_limit\s/m.test(metrics);
      assert.match(metrics, new RegExp(`memory\\.${v2 ? 'usage_limit' : 'limit_in_bytes'}\\s+${MEMORY_LIMIT}\\b`));
      assert.match(metrics, v2 ? /memory\.usage\s+[1-9]\d*/ : /memory\.usage_in_bytes\s+[1-9]\d*/);
      assert.match(metrics, v2 ? /cpu\.usage_usec\s+[1-9]\d*/ : /cpuacct\.usage\s+[1-9]\d*/);
      assert.match(metrics, /pids\.current\s+1\b/);

      const pid = ctd.taskPids().get(id)!;
      const st = await call(client, 'State', T.StateRequestSchema, { id }, T.StateResponseSchema);
      assert.deepEqual([st.id, st.pid, st.status], [id, pid, Status.RUNNING]);
      const pids = await call(client, 'Pids', T.PidsRequestSchema, { id }, T.PidsResponseSchema);
      assert.deepEqual(pids.processes.map((p) => p.pid), [pid]);
      const conn = await call(client, 'Connect', T.ConnectRequestSchema, { id }, T.ConnectResponseSchema);
      assert.equal(conn.taskPid, pid);
      assert.ok(ctd.shimPids().includes(conn.shimPid));

      const stats = (await call(client, 'Stats', T.StatsRequestSchema, { id }, T.StatsResponseSchema)).stats!;
      if (stats.typeUrl === 'io.containerd.cgroups.v1.Metrics') {
        const m = fromBinary(V1Metrics, stats.value);
        assert.equal(m.memory?.usage?.limit, BigInt(MEMORY_LIMIT));
        assert.ok((m.memory?.usage?.usage ?? 0n) > 0n);
        assert.ok((m.memory?.rss ?? 0n) + (m.memory?.cache ?? 0n) > 0n);
        assert.ok((m.cpu?.usage?.total ?? 0n) > 0n);
        assert.equal(m.cpu?.usage?.perCpu.length, Number(spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()) || m.cpu?.usage?.perCpu.length);
        assert.equal(m.pids?.current, 1n);
        assert.equal(m.memoryOomControl?.oomKill, 0n);
      } else {
        assert.equal(stats.typeUrl, 'io.containerd.cgroups.v2.Metrics');
        const m = fromBinary(V2Metrics, stats.value);
        assert.equal(m.memory?.usageLimit, BigInt(MEMORY_LIMIT));
        assert.equal(m.pids?.current, 1n);
      }
      // An unknown method under v3 is refused like any other.
      await assert.rejects(client.call(V3, 'NoSuchMethod', new Uint8Array()), /method not implemented \(code 12\)/);
    } finally {
      client.close();
    }
    ctd.must(['task', 'kill', '-s', 'SIGKILL', id]);
    assert.ok(await waitFor(() => ctd.tasks().get(id) === 'STOPPED', 10_000));
    ctd.must(['task', 'delete', id]);
    ctd.must(['container', 'delete', id]);
    assertNothingLeft();
    assert.ok(await waitFor(() => ctd.shimPids().length === 0, 5000), `shims left: ${ctd.shimPids().join(' ')}`);
  });
});

/** containerd's event service, as far as a shim uses it: Forward, each envelope kept. */
function eventSink(path: string): { server: Server; envelopes: Envelope[] } {
  const envelopes: Envelope[] = [];
  const server = createServer((sock) => {
    const reader = new FrameReader();
    sock.on('data', (chunk: Buffer) => {
      for (const f of reader.push(chunk)) {
        if (f.type !== MESSAGE_TYPE_REQUEST) continue;
        const req = fromBinary(RequestSchema, f.payload);
        if (req.method === 'Forward') envelopes.push(fromBinary(ForwardRequestSchema, req.payload).envelope!);
        const res = toBinary(ResponseSchema, create(ResponseSchema, { payload: toBinary(EmptySchema, create(EmptySchema)) }));
        sock.write(encodeFrame({ streamId: f.streamId, type: MESSAGE_TYPE_RESPONSE, flags: 0, payload: res }));
      }
    });
    sock.on('error', () => {});
  });
  server.listen(path);
  return { server, envelopes };
}

describe('a shim driven only through containerd.task.v3.Task', { skip: notRoot || noShim }, () => {
  const ns = `runts-shimapi-v3-${process.pid}`;
  const id = `v3only-${process.pid}`;
  const cgroupsPath = `/runts-shimapi-${process.pid}/${id}`;
  const root = `/run/containerd/runts/${ns}`;
  const hadRunContainerd = existsSync('/run/containerd');
  let dir = '';
  let sink: ReturnType<typeof eventSink> | undefined;
  let shimPid = 0;
  let sockPath = '';

  after(() => {
    sink?.server.close();
    try {
      if (shimPid) process.kill(shimPid, 'SIGKILL');
    } catch {
      // exited after Shutdown
    }
    // A shim that did not get to Shutdown leaves its socket.
    if (sockPath) rmSync(sockPath, { force: true });
    if (existsSync(join(root, id))) spawnSync(process.execPath, [RUNTS, '--root', root, 'delete', '--force', id], { env: cleanEnv(), stdio: 'ignore' });
    rmSync(root, { recursive: true, force: true });
    if (!hadRunContainerd) for (const d of ['/run/containerd/runts', '/run/containerd/s', '/run/containerd']) rmdirIfEmpty(d);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('Create, State, Stats, Start, Wait (OOM-killed), Delete, Shutdown; TaskOOM is published before TaskExit; nothing is left', async () => {
    dir = mkdtempSync(join(tmpdir(), 'runts-shimapi-'));
    const bundle = join(dir, 'bundle');
    makeRootfs(join(bundle, 'rootfs'));
    const spec = baseSpec(HOG);
    spec.linux.cgroupsPath = cgroupsPath;
    spec.linux.resources = { ...spec.linux.resources, memory: { limit: MEMORY_LIMIT } };
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
    sink = eventSink(join(dir, 'events.sock'));

    const started = spawnSync(process.execPath, [SHIM, '-namespace', ns, '-address', join(dir, 'containerd.sock'), '-publish-binary', '', '-id', id, 'start'], {
      cwd: bundle,
      env: { ...cleanEnv(), TTRPC_ADDRESS: `unix://${join(dir, 'events.sock')}` },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(started.status, 0, started.stderr);
    assert.match(started.stdout, /^unix:\/\/\/run\/containerd\/s\/[0-9a-f]{64}$/);
    shimPid = Number(readFileSync(join(bundle, 'shim.pid'), 'utf8'));
    sockPath = started.stdout.replace(/^unix:\/\//, '');
    const client = new TtrpcClient(sockPath);
    try {
      const created = await call(client, 'Create', T.CreateTaskRequestSchema, { id, bundle }, T.CreateTaskResponseSchema);
      assert.ok(created.pid > 0);
      const st = await call(client, 'State', T.StateRequestSchema, { id }, T.StateResponseSchema);
      assert.deepEqual([st.pid, st.status, st.bundle], [created.pid, Status.CREATED, bundle]);

      const stats = (await call(client, 'Stats', T.StatsRequestSchema, { id }, T.StatsResponseSchema)).stats!;
      const limit = stats.typeUrl === 'io.containerd.cgroups.v2.Metrics' ? fromBinary(V2Metrics, stats.value).memory?.usageLimit : fromBinary(V1Metrics, stats.value).memory?.usage?.limit;
      assert.equal(limit, BigInt(MEMORY_LIMIT), stats.typeUrl);

      const start = await call(client, 'Start', T.StartRequestSchema, { id }, T.StartResponseSchema);
      assert.equal(start.pid, created.pid);
      const waited = await call(client, 'Wait', T.WaitRequestSchema, { id }, T.WaitResponseSchema);
      assert.equal(waited.exitStatus, 137);
      const stopped = await call(client, 'State', T.StateRequestSchema, { id }, T.StateResponseSchema);
      assert.deepEqual([stopped.status, stopped.exitStatus], [Status.STOPPED, 137]);
      const deleted = await call(client, 'Delete', T.DeleteRequestSchema, { id }, T.DeleteResponseSchema);
      assert.equal(deleted.exitStatus, 137);
      await call(client, 'Shutdown', T.ShutdownRequestSchema, { id }, EmptySchema);
    } finally {
      client.close();
    }
    const gone = (): boolean => {
      try {
        process.kill(shimPid, 0);
        return false;
      } catch {
        return true;
      }
    };
    assert.ok(await waitFor(gone, 5000), 'the shim did not exit after Shutdown');
    assert.ok(!existsSync(sockPath));

    const topics = sink.envelopes.map((e) => e.topic);
    assert.deepEqual(topics, ['/tasks/create', '/tasks/start', '/tasks/oom', '/tasks/exit', '/tasks/delete']);
    const oom = sink.envelopes[2]!.event!;
    assert.equal(oom.typeUrl, 'containerd.events.TaskOOM');
    assert.equal(fromBinary(TaskOOMSchema, oom.value).containerId, id);
    assert.equal(fromBinary(TaskExitSchema, sink.envelopes[3]!.event!.value).exitStatus, 137);
    assert.ok(sink.envelopes.every((e) => e.namespace === ns));

    assert.deepEqual(existsSync(root) ? readdirSync(root) : [], []);
    assert.ok(!memoryCgroupExists(cgroupsPath), `cgroup ${cgroupsPath} is left`);
    assert.ok(!memoryCgroupExists(`/runts-shimapi-${process.pid}`), 'its parent cgroup is left');
  });
});
