// Spawns runts-init with an exec plan and waits for its verdict: "created"
// with the new process's host pid, or "error". As for create, this process
// never enters a namespace itself.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Duplex } from 'node:stream';
import type { ExecPlan } from '../plan/exec-types.js';
import { initBinary } from '../native/bridge.js';
import { RuntsError } from './errors.js';
import { InitError, type InitExit } from './init-runner.js';
import { advance, decodeFrames, encodeFrame, INIT_FD_ENV, type Phase } from './protocol.js';

export interface ExecHandle {
  /** Host pid of the exec'd process. */
  pid: number;
  /** runts-init: exits once the process runs (detached), or with its status (foreground). */
  child: ChildProcess;
  exited: Promise<InitExit>;
}

export function runExec(plan: ExecPlan): Promise<ExecHandle> {
  const channelFd = 3 + plan.preserveFds;
  const preserved = Array.from({ length: plan.preserveFds }, (_, i) => 3 + i);
  const child = spawn(initBinary(), [], {
    stdio: ['inherit', 'inherit', 'inherit', ...preserved, 'pipe'],
    env: { [INIT_FD_ENV]: String(channelFd) },
  });
  const exited = new Promise<InitExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const channel = child.stdio[channelFd] as Duplex;

  return new Promise<ExecHandle>((resolve, reject) => {
    let phase: Phase = 'start';
    let pending: Buffer = Buffer.alloc(0);
    let settled = false;
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
          if (msg.type === 'created') {
            const pid = msg.pid;
            if (typeof pid !== 'number' || pid <= 0) throw new RuntsError('runts-init: invalid pid in created message');
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
      settle(() => reject(new RuntsError(`runts-init exited before reporting (${signal ? `signal ${signal}` : `status ${code}`})`))),
    );
    channel.write(encodeFrame({ type: 'exec', plan }));
    phase = advance(phase, 'exec');
  });
}
