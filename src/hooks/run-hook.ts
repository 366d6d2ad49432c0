// Runs the hooks that execute in the runtime namespace (prestart,
// createRuntime, poststart, poststop) from the runts process itself:
// config.md "POSIX-platform Hooks". Each hook is exec'd directly (no shell,
// no PATH search) with exactly its argv (argv[0] included) and exactly its
// environment, the state document on stdin, stdout discarded and stderr
// collected for the error message. A hook with a timeout that runs past it
// is killed with SIGKILL. Hooks of one kind run one after the other; the
// first failure stops the rest.
//
// Messages: "<kind> hook #<index> (<path>): <what>", where <what> is
// "exit status N[: <first line of its stderr>]", "killed by signal SIGx[...]",
// "timed out after Ns" or "exec: <reason>". runts-init's C++ runner
// (addon/init/hooks.cc) words the createContainer and startContainer
// failures the same way.
//
// Node takes the environment as an object, so an env list naming a variable
// twice passes its last value (at the first one's position); entries without
// "=" are refused by the plan (src/plan/hooks.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync } from 'node:fs';
import { Socket } from 'node:net';
import { bridge } from '../native/bridge.js';
import type { HookKind } from '../plan/hooks.js';
import type { PlanHook } from '../plan/types.js';
import { RuntsError } from '../container/errors.js';

/** A hook that failed, timed out or could not be started. */
export class HookError extends RuntsError {
  constructor(
    message: string,
    readonly kind: HookKind,
    readonly index: number,
  ) {
    super(message);
  }
}

export interface RunHookOptions {
  /** Working directory of the hook (runc's is the bundle); "/" when it does not exist. */
  cwd: string;
}

/** Collected stderr is capped: only its first line is reported. */
const STDERR_CAP = 64 * 1024;
/** setTimeout's longest delay (about 24.8 days); longer timeouts re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  ENOEXEC: 'exec format error',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
  E2BIG: 'argument list too long',
  ETXTBSY: 'text file busy',
};

function envObject(env: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of env) {
    const eq = e.indexOf('=');
    if (eq > 0) out[e.slice(0, eq)] = e.slice(eq + 1);
  }
  return out;
}

function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
}

/** Runs one hook; resolves when it exited 0, rejects with a HookError otherwise. */
export function runHook(kind: HookKind, index: number, hook: PlanHook, state: object, opts: RunHookOptions): Promise<void> {
  const label = `${kind} hook #${index} (${hook.path})`;
  // Real pipes, as runc gives its hooks: a script may reopen /dev/stdin or
  // write to /dev/stderr, which a socketpair (Node's "pipe") refuses.
  const [inR, inW] = bridge().pipe();
  const [errR, errW] = bridge().pipe();
  let child: ChildProcess;
  try {
    child = spawn(hook.path, hook.args.slice(1), {
      argv0: hook.args[0] ?? hook.path,
      env: envObject(hook.env),
      cwd: existsSync(opts.cwd) ? opts.cwd : '/',
      stdio: [inR, 'ignore', errW],
      shell: false,
    });
  } catch (e) {
    closeSync(inW);
    closeSync(errR);
    throw e;
  } finally {
    closeSync(inR);
    closeSync(errW);
  }
  const stdin = new Socket({ fd: inW, readable: false, writable: true });
  const stderrStream = new Socket({ fd: errR, readable: true, writable: false });
  return new Promise<void>((resolve, reject) => {
    let stderr = '';
    let timedOut = false;
    let reported = false;
    let timer: NodeJS.Timeout | undefined;
    if (hook.timeout !== null) {
      const deadline = Date.now() + hook.timeout * 1000;
      const arm = (): void => {
        const left = deadline - Date.now();
        if (left <= 0) {
          timedOut = true;
          child.kill('SIGKILL');
          return;
        }
        timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      };
      arm();
    }
    stderrStream.setEncoding('utf8');
    stderrStream.on('data', (chunk: string) => {
      if (stderr.length < STDERR_CAP) stderr += chunk.slice(0, STDERR_CAP - stderr.length);
    });
    // A hook may exit without reading its stdin: EPIPE is not its failure.
    stdin.on('error', () => {});
    stderrStream.on('error', () => {});
    stdin.end(JSON.stringify(state));
    child.once('error', (e: NodeJS.ErrnoException) => {
      if (reported) return;
      reported = true;
      clearTimeout(timer);
      stdin.destroy();
      stderrStream.destroy();
      const why = (e.code && ERRNO_TEXT[e.code]) ?? e.code ?? e.message;
      reject(new HookError(`${label}: exec: ${why}`, kind, index));
    });
    // Report once the hook has exited and its stderr is complete. A
    // daemonised grandchild may hold stderr open: then give it 50 ms, not
    // forever.
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let stderrClosed = false;
    const finish = (): void => {
      if (!exit || reported) return;
      reported = true;
      clearTimeout(timer);
      stdin.destroy();
      stderrStream.destroy();
      const { code, signal } = exit;
      if (timedOut) return reject(new HookError(`${label}: timed out after ${hook.timeout}s`, kind, index));
      if (code === 0) return resolve();
      const what = signal !== null ? `killed by signal ${signal}` : `exit status ${code}`;
      const line = firstLine(stderr);
      reject(new HookError(`${label}: ${what}${line ? `: ${line}` : ''}`, kind, index));
    };
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      if (stderrClosed) finish();
      else setTimeout(finish, 50);
    });
    stderrStream.once('close', () => {
      stderrClosed = true;
      finish();
    });
  });
}

/** Runs the hooks of one kind in order; the first failure rejects (the rest are not run). */
export async function runHooks(kind: HookKind, hooks: readonly PlanHook[], state: object, opts: RunHookOptions): Promise<void> {
  for (let i = 0; i < hooks.length; i++) await runHook(kind, i, hooks[i]!, state, opts);
}
