// containerd.task.v2.Task (containerd 1.x) and containerd.task.v3.Task
// (containerd 2.x, the same messages) over ttrpc: each method decodes its request,
// calls the runts library in-process (src/container/*) and encodes its
// response. Containers are kept per id in this service object only.
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { EmptySchema, timestampFromDate } from '@bufbuild/protobuf/wkt';
import * as T from './gen/containerd/task_pb.js';
import * as E from './gen/containerd/events_pb.js';
import { ProcessInfoSchema, Status } from './gen/containerd/task-types_pb.js';
import { createContainer } from '../container/create.js';
import { startContainer } from '../container/start.js';
import { killContainer } from '../container/kill.js';
import { deleteContainer } from '../container/delete.js';
import { execProcess } from '../container/exec.js';
import { pauseContainer, resumeContainer } from '../container/pause.js';
import { containerPids } from '../container/ps.js';
import { updateContainer } from '../container/update.js';
import { NO_OVERRIDES } from '../plan/exec-plan.js';
import type { StateStore } from '../container/state-store.js';
import type { LinuxResources } from '../spec/types.js';
import type { Logger } from '../log.js';
import { Code, notFound, precondition, ShimError, unimplemented } from './errors.js';
import { ShimContainer } from './container.js';
import { ShimProcess } from './process.js';
import { ConsoleSocket, ProcessIO } from './stdio.js';
import type { Publisher } from './publisher.js';
import type { Reaper, ExitStatus } from './reaper.js';
import { mountRootfs, unmountRootfs } from './rootfs.js';
import { containerMetrics } from './metrics.js';
import { OomWatcher } from './oom.js';
import type { Handler } from './ttrpc-server.js';

export const TASK_SERVICE = 'containerd.task.v2.Task';
export const TASK_SERVICE_V3 = 'containerd.task.v3.Task';
/** How long an exit waits for the process's output to be copied out. */
const DRAIN_MS = 2000;

export interface TaskServiceOptions {
  store: StateStore;
  log: Logger;
  publisher: Publisher;
  reaper: Reaper;
  version: string;
  /** Called after Shutdown answered, when no container is left. */
  shutdown: () => void;
}

const ts = (d: Date) => timestampFromDate(d);

export class TaskService {
  private readonly containers = new Map<string, ShimContainer>();
  private readonly oom = new OomWatcher((id) => this.o.publisher.publish('/tasks/oom', E.TaskOOMSchema, create(E.TaskOOMSchema, { containerId: id })));

  constructor(private readonly o: TaskServiceOptions) {}

  /** How many containers this server holds (serve.ts: a grouped server exits only at none). */
  get containerCount(): number {
    return this.containers.size;
  }

  /** The ttrpc handlers, "containerd.task.v2.Task/<Method>" and the same under v3 (task.proto says why they are one). */
  handlers(): Map<string, Handler> {
    const m = new Map<string, Handler>();
    const add = <I extends DescMessage, O extends DescMessage>(name: string, inS: I, outS: O, fn: (req: MessageShape<I>) => Promise<MessageShape<O>>): void => {
      const h: Handler = async (payload) => toBinary(outS, await fn(fromBinary(inS, payload)));
      m.set(`${TASK_SERVICE}/${name}`, h);
      m.set(`${TASK_SERVICE_V3}/${name}`, h);
    };
    const empty = create(EmptySchema);
    add('Create', T.CreateTaskRequestSchema, T.CreateTaskResponseSchema, (r) => this.createTask(r));
    add('Start', T.StartRequestSchema, T.StartResponseSchema, (r) => this.start(r));
    add('State', T.StateRequestSchema, T.StateResponseSchema, async (r) => this.state(r));
    add('Wait', T.WaitRequestSchema, T.WaitResponseSchema, (r) => this.wait(r));
    add('Kill', T.KillRequestSchema, EmptySchema, async (r) => (await this.kill(r), empty));
    add('Delete', T.DeleteRequestSchema, T.DeleteResponseSchema, (r) => this.delete(r));
    add('Pids', T.PidsRequestSchema, T.PidsResponseSchema, (r) => this.pids(r));
    add('Pause', T.PauseRequestSchema, EmptySchema, async (r) => (await this.pause(r.id), empty));
    add('Resume', T.ResumeRequestSchema, EmptySchema, async (r) => (await this.resume(r.id), empty));
    add('Exec', T.ExecProcessRequestSchema, EmptySchema, async (r) => (this.exec(r), empty));
    add('ResizePty', T.ResizePtyRequestSchema, EmptySchema, async (r) => (this.resizePty(r), empty));
    add('CloseIO', T.CloseIORequestSchema, EmptySchema, async (r) => (this.closeIO(r), empty));
    add('Update', T.UpdateTaskRequestSchema, EmptySchema, async (r) => (await this.update(r), empty));
    add('Stats', T.StatsRequestSchema, T.StatsResponseSchema, (r) => this.stats(r));
    add('Connect', T.ConnectRequestSchema, T.ConnectResponseSchema, async (r) => this.connect(r));
    add('Shutdown', T.ShutdownRequestSchema, EmptySchema, async () => (this.shutdownRequested(), empty));
    add('Checkpoint', T.CheckpointTaskRequestSchema, EmptySchema, async () => {
      throw unimplemented('checkpoint');
    });
    return m;
  }

  private container(id: string): ShimContainer {
    const c = this.containers.get(id);
    if (!c) throw notFound(`container ${id}`);
    return c;
  }

  /** Who a logging binary serves (CONTAINER_ID, CONTAINER_NAMESPACE): containerd puts the namespace in the shim's environment. */
  private logOwner(id: string): { id: string; namespace: string } {
    return { id, namespace: process.env.NAMESPACE ?? basename(this.o.store.root) };
  }

  private proc(id: string, execId: string): ShimProcess {
    const p = this.container(id).process(execId);
    if (!p) throw notFound(`process ${execId} of container ${id}`);
    return p;
  }

  /** Reaps `p` once it exits: output drained, TaskExit published, waiters resolved. */
  private watchExit(c: ShimContainer, p: ShimProcess): void {
    this.o.reaper.watch(p.pid, (e: ExitStatus) => {
      void (p.io ? p.io.drained(DRAIN_MS) : Promise.resolve()).then(() => {
        // An OOM kill that took this process is published before its exit (oom.ts).
        this.oom.check(c.id);
        if (p.execId === '') this.oom.unwatch(c.id);
        p.setExited(e);
        this.o.publisher.publish('/tasks/exit', E.TaskExitSchema, create(E.TaskExitSchema, {
          containerId: c.id,
          id: p.execId === '' ? c.id : p.execId,
          pid: p.pid,
          exitStatus: e.status,
          exitedAt: ts(e.at),
        }));
      });
    });
  }

  private async createTask(r: T.CreateTaskRequest): Promise<T.CreateTaskResponse> {
    if (this.containers.has(r.id)) throw new ShimError(Code.AlreadyExists, `container ${r.id}: already exists`);
    if (r.checkpoint !== '') throw unimplemented('restore from a checkpoint');
    const mounts = r.rootfs.map((m) => ({ type: m.type, source: m.source, options: m.options }));
    mountRootfs(r.bundle, mounts);
    let io: ProcessIO | null = null;
    let consoleSock: ConsoleSocket | null = null;
    let created = false;
    try {
      io = await ProcessIO.open({ stdin: r.stdin, stdout: r.stdout, stderr: r.stderr }, r.terminal, this.logOwner(r.id));
      if (r.terminal) consoleSock = new ConsoleSocket();
      const { state } = await createContainer(this.o.store, {
        id: r.id,
        bundle: r.bundle,
        pidFile: null,
        consoleSocket: consoleSock?.path ?? null,
        noPivot: false,
        noNewKeyring: false,
        preserveFds: 0,
        foreground: false,
        log: this.o.log,
        stdio: io.childFds,
      });
      created = true;
      io.childStarted();
      if (consoleSock) io.attachConsole(consoleSock.receive());
      const init = new ShimProcess('', { stdin: r.stdin, stdout: r.stdout, stderr: r.stderr }, r.terminal, io);
      init.pid = state.pid;
      const c = new ShimContainer(r.id, r.bundle, init, mounts.length > 0);
      this.containers.set(r.id, c);
      if (state.cgroups) this.oom.watch(r.id, state.cgroups);
      this.watchExit(c, init);
      this.o.publisher.publish('/tasks/create', E.TaskCreateSchema, create(E.TaskCreateSchema, {
        containerId: r.id,
        bundle: r.bundle,
        rootfs: r.rootfs,
        io: create(E.TaskIOSchema, { stdin: r.stdin, stdout: r.stdout, stderr: r.stderr, terminal: r.terminal }),
        pid: state.pid,
      }));
      // shim.pid too: a container that joined a running server was answered
      // by a `start` that did not fork one (start.ts writes it otherwise).
      try {
        writeFileSync(join(r.bundle, 'shim.pid'), String(process.pid));
      } catch {
        // the bundle is containerd's; a missing pid file is not fatal
      }
      return create(T.CreateTaskResponseSchema, { pid: state.pid });
    } catch (e) {
      io?.close();
      if (created) {
        try {
          await deleteContainer(this.o.store, r.id, true, this.o.log);
        } catch (e2) {
          this.o.log.warn(`removing container ${r.id} after the failed create: ${(e2 as Error).message}`);
        }
      }
      await io?.release();
      if (mounts.length > 0) unmountRootfs(r.bundle);
      throw e;
    } finally {
      consoleSock?.close();
    }
  }

  private async start(r: T.StartRequest): Promise<T.StartResponse> {
    const c = this.container(r.id);
    if (r.execId === '') {
      await startContainer(this.o.store, r.id);
      this.o.publisher.publish('/tasks/start', E.TaskStartSchema, create(E.TaskStartSchema, { containerId: r.id, pid: c.init.pid }));
      return create(T.StartResponseSchema, { pid: c.init.pid });
    }
    const p = this.proc(r.id, r.execId);
    const spec = c.execSpecs.get(r.execId);
    if (p.pid !== 0 || spec === undefined) throw precondition(`exec ${r.execId} already started`);
    c.execSpecs.delete(r.execId);
    const specFile = join(c.bundle, `.runts-exec-${r.execId}.json`);
    const pidFile = join(c.bundle, `.runts-exec-${r.execId}.pid`);
    const io = await ProcessIO.open(p.stdio, p.terminal, this.logOwner(r.id));
    p.io = io;
    writeFileSync(specFile, spec, { mode: 0o600 });
    let consoleSock: ConsoleSocket | null = null;
    try {
      if (p.terminal) consoleSock = new ConsoleSocket();
      await execProcess(this.o.store, {
        id: r.id,
        processFile: specFile,
        overrides: NO_OVERRIDES,
        consoleSocket: consoleSock?.path ?? null,
        detach: true,
        pidFile,
        preserveFds: 0,
        cgroups: [],
        log: this.o.log,
        stdio: io.childFds,
      });
      io.childStarted();
      p.pid = Number(readFileSync(pidFile, 'utf8'));
      if (consoleSock) io.attachConsole(consoleSock.receive());
    } catch (e) {
      io.close();
      if (p.pid !== 0) {
        // Started, but its terminal never came: it goes.
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone
        }
        this.watchExit(c, p);
      }
      await io.release();
      throw e;
    } finally {
      consoleSock?.close();
      for (const f of [specFile, pidFile]) if (existsSync(f)) unlinkSync(f);
    }
    this.watchExit(c, p);
    this.o.publisher.publish('/tasks/exec-started', E.TaskExecStartedSchema, create(E.TaskExecStartedSchema, { containerId: r.id, execId: r.execId, pid: p.pid }));
    return create(T.StartResponseSchema, { pid: p.pid });
  }

  private state(r: T.StateRequest): T.StateResponse {
    const c = this.container(r.id);
    const p = this.proc(r.id, r.execId);
    let status: Status;
    if (p.exit) status = Status.STOPPED;
    else if (r.execId !== '') status = p.pid === 0 ? Status.CREATED : Status.RUNNING;
    else {
      let s: string;
      try {
        s = this.o.store.status(this.o.store.read(r.id));
      } catch {
        s = 'stopped';
      }
      status = s === 'created' ? Status.CREATED : s === 'running' ? Status.RUNNING : s === 'paused' ? Status.PAUSED : s === 'stopped' ? Status.STOPPED : Status.UNKNOWN;
    }
    return create(T.StateResponseSchema, {
      id: r.execId === '' ? r.id : r.execId,
      bundle: c.bundle,
      pid: p.pid,
      status,
      stdin: p.stdio.stdin,
      stdout: p.stdio.stdout,
      stderr: p.stdio.stderr,
      terminal: p.terminal,
      exitStatus: p.exit?.status ?? 0,
      ...(p.exit ? { exitedAt: ts(p.exit.at) } : {}),
      execId: r.execId,
    });
  }

  private async wait(r: T.WaitRequest): Promise<T.WaitResponse> {
    const p = this.proc(r.id, r.execId);
    const e = await p.exited;
    return create(T.WaitResponseSchema, { exitStatus: e.status, exitedAt: ts(e.at) });
  }

  private async kill(r: T.KillRequest): Promise<void> {
    const p = this.proc(r.id, r.execId);
    if (r.execId === '') {
      if (p.exit && !r.all) throw notFound('process already finished');
      try {
        await killContainer(this.o.store, r.id, r.signal, r.all);
      } catch (e) {
        if (p.exit || (e as Error).message === 'container not running') throw notFound('process already finished');
        throw e;
      }
      return;
    }
    if (p.pid === 0) throw precondition(`exec ${r.execId} not started`);
    if (p.exit) throw notFound('process already finished');
    process.kill(p.pid, r.signal);
  }

  private async delete(r: T.DeleteRequest): Promise<T.DeleteResponse> {
    const c = this.container(r.id);
    const p = this.proc(r.id, r.execId);
    if (r.execId !== '') {
      if (p.pid !== 0 && !p.exit) throw precondition(`exec ${r.execId} is still running`);
      c.execs.delete(r.execId);
      c.execSpecs.delete(r.execId);
      await p.io?.release();
      return create(T.DeleteResponseSchema, { pid: p.pid, exitStatus: p.exit?.status ?? 0, ...(p.exit ? { exitedAt: ts(p.exit.at) } : {}) });
    }
    let status = 'stopped';
    try {
      status = this.o.store.status(this.o.store.read(r.id));
    } catch {
      // already gone from the store
    }
    if (!p.exit && (status === 'running' || status === 'paused')) throw precondition(`cannot delete container ${r.id}: it is ${status}`);
    await deleteContainer(this.o.store, r.id, true, this.o.log);
    // A created container was killed by the delete: its exit comes now.
    if (!p.exit) await Promise.race([p.exited, new Promise((res) => setTimeout(res, 5000).unref())]);
    await Promise.all([c.init, ...c.execs.values()].map((q) => q.io?.release()));
    if (c.mountedRootfs) unmountRootfs(c.bundle);
    this.oom.unwatch(r.id);
    this.containers.delete(r.id);
    const exit = p.exit ?? { status: 137, at: new Date() };
    this.o.publisher.publish('/tasks/delete', E.TaskDeleteSchema, create(E.TaskDeleteSchema, {
      containerId: r.id,
      pid: p.pid,
      exitStatus: exit.status,
      exitedAt: ts(exit.at),
      id: r.id,
    }));
    return create(T.DeleteResponseSchema, { pid: p.pid, exitStatus: exit.status, exitedAt: ts(exit.at) });
  }

  private async pids(r: T.PidsRequest): Promise<T.PidsResponse> {
    this.container(r.id);
    const pids = await containerPids(this.o.store, r.id, this.o.log);
    return create(T.PidsResponseSchema, { processes: pids.map((pid) => create(ProcessInfoSchema, { pid })) });
  }

  private async pause(id: string): Promise<void> {
    this.container(id);
    await pauseContainer(this.o.store, id, this.o.log);
    this.o.publisher.publish('/tasks/paused', E.TaskPausedSchema, create(E.TaskPausedSchema, { containerId: id }));
  }

  private async resume(id: string): Promise<void> {
    this.container(id);
    await resumeContainer(this.o.store, id, this.o.log);
    this.o.publisher.publish('/tasks/resumed', E.TaskResumedSchema, create(E.TaskResumedSchema, { containerId: id }));
  }

  private exec(r: T.ExecProcessRequest): void {
    const c = this.container(r.id);
    if (c.execs.has(r.execId)) throw new ShimError(Code.AlreadyExists, `exec ${r.execId}: already exists`);
    if (!r.spec) throw new ShimError(Code.InvalidArgument, `exec ${r.execId}: no process spec`);
    c.execs.set(r.execId, new ShimProcess(r.execId, { stdin: r.stdin, stdout: r.stdout, stderr: r.stderr }, r.terminal, null));
    c.execSpecs.set(r.execId, r.spec.value);
    this.o.publisher.publish('/tasks/exec-added', E.TaskExecAddedSchema, create(E.TaskExecAddedSchema, { containerId: r.id, execId: r.execId }));
  }

  private resizePty(r: T.ResizePtyRequest): void {
    const p = this.proc(r.id, r.execId);
    if (!p.terminal) throw precondition('the process has no terminal');
    // After the exit the pty is gone: nothing to resize (ctr resizes once more as it finishes).
    if (p.exit) return;
    if (!p.io || p.pid === 0) throw precondition('the process is not started');
    p.io.resize(r.height, r.width);
  }

  private closeIO(r: T.CloseIORequest): void {
    const p = this.proc(r.id, r.execId);
    if (r.stdin) p.io?.closeStdin();
  }

  private async update(r: T.UpdateTaskRequest): Promise<void> {
    this.container(r.id);
    if (!r.resources) return;
    const resources = JSON.parse(Buffer.from(r.resources.value).toString('utf8')) as LinuxResources;
    await updateContainer(this.o.store, r.id, resources, this.o.log);
  }

  private async stats(r: T.StatsRequest): Promise<T.StatsResponse> {
    this.container(r.id);
    const saved = this.o.store.read(r.id)?.cgroups;
    if (!saved) throw notFound(`cgroups of container ${r.id}`);
    return create(T.StatsResponseSchema, { stats: containerMetrics(saved) });
  }

  private connect(r: T.ConnectRequest): T.ConnectResponse {
    const c = this.containers.get(r.id);
    return create(T.ConnectResponseSchema, { shimPid: process.pid, taskPid: c?.init.pid ?? 0, version: this.o.version });
  }

  private shutdownRequested(): void {
    if (this.containers.size > 0) return;
    // After the response went out.
    setTimeout(() => this.o.shutdown(), 10);
  }
}
