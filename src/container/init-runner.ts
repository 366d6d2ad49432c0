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
  /** fds for the new process's stdin, stdout and stderr; default: this process's own. */
  stdio?: readonly [number, number, number];
}

export function runInit(plan: InitPlan, opts: RunInitOptions = {}): Promise<InitHandle> {
  return converse({ type: 'plan', plan }, plan.preserveFds, opts);
}

/**
 * Spawns runts-init with the caller's stdio (or opts.stdio) and `preserveFds` fds after it,
 * opens the conversation with `first` (a create or an exec plan) and settles
 * on "created" (the new process's host pid) or "error".
 */
export function converse(first: PlanMessage | ExecMessage, preserveFds: number, opts: RunInitOptions = {}): Promise<InitHandle> {
  const channelFd = 3 + preserveFds;
  const preserved = Array.from({ length: preserveFds }, (_, i) => 3 + i);
  const child = spawn(initBinary(), [], {
    stdio: [...(opts.stdio ?? (['inherit', 'inherit', 'inherit'] as const)), ...preserved, 'pipe'],
    env: { [INIT_FD_ENV]: String(channelFd) },
  });
  const exited = new Promise<InitExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const channel = child.stdio[channelFd] as Duplex;

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
    child.once('error', (e) => settle(() => reject(new RuntsError(`runts-init: spawn ${initBinary()}: ${e.message}`))));
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
    void exited.then(({ code, signal }) =>
      settle(() =>
        reject(abortError ?? new RuntsError(`runts-init exited before reporting (${signal ? `signal ${signal}` : `status ${code}`})`)),
      ),
    );
    channel.write(encodeFrame(first));
    phase = advance(phase, first.type);
  });
}
