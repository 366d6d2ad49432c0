// Spawns runts-init, hands it the plan and waits for its verdict. runts-init
// does all namespace work; this process never forks into a namespace.
//
// runts-init is started through the bridge (posix_spawn) with a socketpair
// as its channel, not with node:child_process: loading child_process, net and
// stream and libuv's fork of the whole Node process cost create and exec
// about 5 ms. The channel and runts-init's pidfd are watched with pollIn;
// after the exit is seen the channel is drained, so runts-init's last frames
// are always read before its exit counts.
import { closeSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import type { InitPlan } from '../plan/types.js';
import { bridge, initBinary } from '../native/bridge.js';
import { RuntsError } from './errors.js';
import { advance, decodeFrames, encodeFrame, INIT_FD_ENV, type ExecMessage, type Phase, type PlanMessage } from './protocol.js';

export interface InitExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface InitHandle {
  /** Host pid of the container init (or of the exec'd process). */
  pid: number;
  /** runts-init's own pid. */
  initPid: number;
  /** runts-init exits at once when detached, or with the process's status in foreground mode. */
  exited: Promise<InitExit>;
}

/** A failure reported by runts-init for one setup step. */
export class InitError extends RuntsError {
  constructor(
    message: string,
    readonly step: string,
    readonly target: string,
    readonly errno: number,
  ) {
    super(message);
  }
}

export interface RunInitOptions {
  /**
   * Called when the container init paused for the runtime's hooks (the plan
   * has pauseForRuntimeHooks), with its host pid. Resolving resumes it;
   * rejecting aborts the create: the channel is shut down, runts-init kills
   * the container init and exits, and runInit rejects with this error.
   */
  onHooks?: (pid: number) => Promise<void>;
}

/** fds for the new process's stdin, stdout and stderr (the shim's pipes). */
export type StdioFds = readonly [number, number, number];

export function runInit(plan: InitPlan, opts: RunInitOptions = {}, spawned: SpawnedInit = spawnInit(plan.preserveFds)): Promise<InitHandle> {
  return spawned.talk({ type: 'plan', plan }, opts);
}

/** runts-init started, its conversation not begun yet. */
export interface SpawnedInit {
  /** Opens the conversation with `first` (a create or an exec plan); settles on "created" (the new process's host pid) or "error". */
  talk(first: PlanMessage | ExecMessage, opts?: RunInitOptions): Promise<InitHandle>;
  /** Ends it before `talk`: runts-init reads EOF, exits without a word; resolves once it has. */
  abort(): Promise<void>;
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, num]) => [num, name as NodeJS.Signals]));
const READ_MAX = 64 * 1024;
/**
 * One poll's longest wait. The wait holds a libuv pool thread (four in
 * all); a runts-init stuck in the kernel must not hold one for good, or a
 * shim serving many containers could starve its other waits and fs work.
 */
const WATCH_SLICE_MS = 1000;

/** runts-init as a process: its pid, its channel, and the watch for its exit. */
class InitProcess {
  private watching: Promise<InitExit> | null = null;
  /** Where the channel's data goes; without one (before the talk, after it settled) it is dropped. */
  private sink: ((chunk: Buffer) => void) | null = null;
  /** The pidfd and channel are closed (the watch is over): their numbers may name other files now. */
  private closed = false;

  constructor(
    readonly pid: number,
    private readonly pidfd: number,
    private readonly channel: number,
  ) {}

  /**
   * Settles once runts-init has exited and was reaped. The watch starts with
   * the conversation, not at the spawn: its first pollIn starts libuv's
   * thread pool (~1.5 ms here), which then overlaps runts-init's own work.
   */
  get exited(): Promise<InitExit> {
    this.watching ??= this.watch();
    return this.watching;
  }

  /** Where the channel's data goes from now on. The watch starts only after the talk attached, so nothing is read before. */
  attach(sink: (chunk: Buffer) => void): void {
    this.sink = sink;
  }

  detach(): void {
    this.sink = null;
  }

  /** Writes a whole frame (a blocking socket: the write waits for room rather than writing part). */
  send(frame: Buffer): void {
    if (this.closed) throw new RuntsError('runts-init has exited');
    let off = 0;
    while (off < frame.length) off += writeSync(this.channel, frame, off);
  }

  /** runts-init reads end of stream. */
  shutdown(): void {
    if (this.closed) return;
    try {
      bridge().shutdown(this.channel);
    } catch {
      // runts-init is gone already
    }
  }

  kill(): void {
    if (this.closed) return;
    try {
      bridge().pidfdSendSignal(this.pidfd, 9);
    } catch {
      // exited already
    }
  }

  /** Reads what the channel holds now; false once it has ended. */
  private drain(): boolean {
    for (;;) {
      let chunk: Buffer | null;
      try {
        chunk = bridge().recvNow(this.channel, READ_MAX);
      } catch {
        chunk = Buffer.alloc(0); // ECONNRESET and the like: the channel is over
      }
      if (chunk === null) return true;
      if (chunk.length === 0) return false;
      this.sink?.(chunk);
    }
  }

  private async watch(): Promise<InitExit> {
    let open = true;
    try {
      for (;;) {
        const revents = await bridge().pollIn(open ? [this.pidfd, this.channel] : [this.pidfd], WATCH_SLICE_MS);
        if (open && revents[1] !== 0) open = this.drain();
        if (revents[0] === 0) continue;
        // Frames written just before the exit are in the socket already.
        if (open) this.drain();
        const status = bridge().waitPid(this.pid);
        return { code: status?.code ?? null, signal: status?.signal === undefined ? null : (SIGNAL_NAMES.get(status.signal) ?? null) };
      }
    } catch {
      // poll or waitpid failed on fds of our own: nothing is known of the
      // exit, and runts-init must not outlive the command that started it.
      this.kill();
      return { code: null, signal: null };
    } finally {
      this.closed = true;
      closeSync(this.pidfd);
      closeSync(this.channel);
    }
  }
}

/**
 * Spawns runts-init with the caller's stdio (or `stdio`) and `preserveFds` fds after it.
 * It waits for its first frame: spawning it before the plan is built lets
 * its own start (exec, sealed re-exec) overlap with the planning.
 */
export function spawnInit(preserveFds: number, stdio?: StdioFds): SpawnedInit {
  const channelFd = 3 + preserveFds;
  const [mine, theirs] = bridge().socketPair();
  let proc: InitProcess;
  try {
    const fds = [...(stdio ?? [0, 1, 2]), ...Array.from({ length: preserveFds }, (_, i) => 3 + i), theirs];
    const binary = initBinary();
    const { pid, pidfd } = bridge().spawn(binary, [binary], [`${INIT_FD_ENV}=${channelFd}`], fds);
    proc = new InitProcess(pid, pidfd, mine);
  } catch (e) {
    closeSync(mine);
    throw new RuntsError(`runts-init: ${(e as Error).message}`);
  } finally {
    closeSync(theirs);
  }
  return {
    talk: (first, opts = {}) => talk(proc, first, opts),
    abort: async () => {
      proc.shutdown();
      await proc.exited;
    },
  };
}

/** spawnInit ahead of the plan, unless preserveFds is no count (the plan reports that): null. */
export function spawnInitAhead(preserveFds: number, stdio?: StdioFds): SpawnedInit | null {
  return Number.isInteger(preserveFds) && preserveFds >= 0 ? spawnInit(preserveFds, stdio) : null;
}

function talk(proc: InitProcess, first: PlanMessage | ExecMessage, opts: RunInitOptions): Promise<InitHandle> {
  return new Promise<InitHandle>((resolve, reject) => {
    let phase: Phase = 'start';
    let pending: Buffer = Buffer.alloc(0);
    let settled = false;
    // Set when runts aborts the create; runts-init then exits silently.
    let abortError: Error | null = null;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      proc.detach();
      fn();
    };
    // A write to a runts-init that is gone fails with EPIPE; its exit, seen
    // next, says what happened.
    const send = (frame: Buffer): void => {
      try {
        proc.send(frame);
      } catch {
        proc.shutdown();
      }
    };
    proc.attach((chunk) => {
      try {
        const { messages, rest } = decodeFrames(Buffer.concat([pending, chunk]));
        pending = rest;
        for (const raw of messages) {
          const msg = raw as { type: string; pid?: number; step?: string; target?: string; errno?: number; message?: string };
          phase = advance(phase, msg.type);
          if (msg.type === 'hooks') {
            const pid = msg.pid;
            if (typeof pid !== 'number' || pid <= 0) throw new RuntsError(`runts-init: invalid pid in hooks message`);
            if (!opts.onHooks) throw new RuntsError('runts-init paused for hooks nobody runs');
            const resume = (): void => {
              if (settled || abortError) return;
              send(encodeFrame({ type: 'resume' }));
              phase = advance(phase, 'resume');
            };
            opts.onHooks(pid).then(resume, (e: unknown) => {
              abortError = e instanceof Error ? e : new RuntsError(String(e));
              // runts-init reads EOF, kills the container init, removes the
              // fifo and exits; `exited` below then settles with abortError.
              proc.shutdown();
            });
          } else if (msg.type === 'created') {
            const pid = msg.pid;
            if (typeof pid !== 'number' || pid <= 0) throw new RuntsError(`runts-init: invalid pid in created message`);
            settle(() => resolve({ pid, initPid: proc.pid, exited: proc.exited }));
          } else if (msg.type === 'error') {
            settle(() => reject(new InitError(msg.message ?? 'runts-init failed', msg.step ?? '', msg.target ?? '', msg.errno ?? 0)));
          }
        }
      } catch (e) {
        proc.kill();
        settle(() => reject(e instanceof RuntsError ? e : new RuntsError((e as Error).message)));
      }
    });
    // The channel was drained before the exit resolves: a "created" or
    // "error" runts-init wrote has been handled by now.
    void proc.exited.then(({ code, signal }) =>
      settle(() => reject(abortError ?? new RuntsError(`runts-init exited before reporting (${signal ? `signal ${signal}` : `status ${code}`})`))),
    );
    send(encodeFrame(first));
    phase = advance(phase, first.type);
  });
}
