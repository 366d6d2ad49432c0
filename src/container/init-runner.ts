// Spawns runts-init, hands it the plan and waits for its verdict. runts-init
// does all namespace work; this process never forks into a namespace.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Duplex } from 'node:stream';
import type { InitPlan } from '../plan/types.js';
import { initBinary } from '../native/bridge.js';
import { RuntsError } from './errors.js';
import { advance, decodeFrames, encodeFrame, INIT_FD_ENV, type ExecMessage, type Phase, type PlanMessage } from './protocol.js';

export interface InitExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface InitHandle {
  /** Host pid of the container init (or of the exec'd process). */
  pid: number;
  /** runts-init itself: exits at once when detached, or with the process's status in foreground mode. */
  child: ChildProcess;
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
   * rejecting aborts the create: the channel is closed, runts-init kills the
   * container init and exits, and runInit rejects with this error.
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

/**
 * Spawns runts-init with the caller's stdio (or `stdio`) and `preserveFds` fds after it.
 * It waits for its first frame: spawning it before the plan is built lets
 * its own start (exec, sealed re-exec) overlap with the planning.
 */
export function spawnInit(preserveFds: number, stdio?: StdioFds): SpawnedInit {
  const channelFd = 3 + preserveFds;
  const preserved = Array.from({ length: preserveFds }, (_, i) => 3 + i);
  const child = spawn(initBinary(), [], {
    stdio: [...(stdio ?? (['inherit', 'inherit', 'inherit'] as const)), ...preserved, 'pipe'],
    env: { [INIT_FD_ENV]: String(channelFd) },
  });
  const exited = new Promise<InitExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const channel = child.stdio[channelFd] as Duplex;
  let spawnError: Error | null = null;
  child.once('error', (e) => (spawnError = e));
  return {
    talk: (first, opts = {}) => talk(child, channel, exited, () => spawnError, first, opts),
    abort: async () => {
      channel.destroy();
      if (spawnError === null && child.exitCode === null && child.signalCode === null) await exited;
    },
  };
}

/** spawnInit ahead of the plan, unless preserveFds is no count (the plan reports that): null. */
export function spawnInitAhead(preserveFds: number, stdio?: StdioFds): SpawnedInit | null {
  return Number.isInteger(preserveFds) && preserveFds >= 0 ? spawnInit(preserveFds, stdio) : null;
}

/** Spawns runts-init and talks to it at once (see spawnInit, SpawnedInit.talk). */
export function converse(first: PlanMessage | ExecMessage, preserveFds: number, opts: RunInitOptions = {}, stdio?: StdioFds): Promise<InitHandle> {
  return spawnInit(preserveFds, stdio).talk(first, opts);
}

function talk(
  child: ChildProcess,
  channel: Duplex,
  exited: Promise<InitExit>,
  spawnError: () => Error | null,
  first: PlanMessage | ExecMessage,
  opts: RunInitOptions,
): Promise<InitHandle> {
  return new Promise<InitHandle>((resolve, reject) => {
    let phase: Phase = 'start';
    let pending: Buffer = Buffer.alloc(0);
    let settled = false;
    // Set when runts aborts the create; runts-init then exits silently.
    let abortError: Error | null = null;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      channel.removeAllListeners('data');
      fn();
    };
    const failedSpawn = (e: Error): void => settle(() => reject(new RuntsError(`runts-init: spawn ${initBinary()}: ${e.message}`)));
    const early = spawnError();
    if (early) {
      failedSpawn(early);
      return;
    }
    child.once('error', failedSpawn);
    channel.on('data', (chunk: Buffer) => {
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
              channel.write(encodeFrame({ type: 'resume' }));
              phase = advance(phase, 'resume');
            };
            opts.onHooks(pid).then(resume, (e: unknown) => {
              abortError = e instanceof Error ? e : new RuntsError(String(e));
              // runts-init reads EOF, kills the container init, removes the
              // fifo and exits; `exited` below then settles with abortError.
              channel.destroy();
            });
          } else if (msg.type === 'created') {
            const pid = msg.pid;
            if (typeof pid !== 'number' || pid <= 0) throw new RuntsError(`runts-init: invalid pid in created message`);
            settle(() => resolve({ pid, child, exited }));
          } else if (msg.type === 'error') {
            settle(() => reject(new InitError(msg.message ?? 'runts-init failed', msg.step ?? '', msg.target ?? '', msg.errno ?? 0)));
          }
        }
      } catch (e) {
        child.kill('SIGKILL');
        settle(() => reject(e instanceof RuntsError ? e : new RuntsError((e as Error).message)));
      }
    });
    channel.on('error', () => {});
    // 'exit' may come before the channel's last frames were read (libuv
    // orders the two events as they come; a busy event loop, such as a shim
    // creating several containers at once, sees it): runts-init's "created"
    // is not to be taken for silence. Its end of the channel closes with it,
    // unless a process it started still holds it: then no more than a moment.
    void exited.then(({ code, signal }) => {
      const report = (): void =>
        settle(() => reject(abortError ?? new RuntsError(`runts-init exited before reporting (${signal ? `signal ${signal}` : `status ${code}`})`)));
      if (channel.destroyed || channel.readableEnded) return report();
      channel.once('end', report);
      channel.once('close', report);
      // The moment counts from the exit: a slow host may take long to get here.
      setTimeout(report, 200).unref();
    });
    channel.write(encodeFrame(first));
    phase = advance(phase, first.type);
  });
}
