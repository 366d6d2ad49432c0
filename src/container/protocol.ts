// The conversation between the runts process (Node) and runts-init.
//
// Transport: a SOCK_STREAM socketpair that Node creates as an extra stdio
// entry of runts-init; its fd number in runts-init is in the environment
// variable RUNTS_INIT_FD (it sits after the --preserve-fds range). Each
// message is one frame: a 4-byte little-endian length, then that many bytes of
// UTF-8 JSON, an object whose "type" is one of the names below.
//
// The order is fixed. addon/common/protocol.h holds the same table for the
// C++ side, and test/unit/protocol.test.ts checks the two agree. A side that
// receives a message its table does not allow at that point fails with
// "protocol: unexpected message <type> in <phase>".

export const INIT_FD_ENV = 'RUNTS_INIT_FD';

export const MAX_FRAME = 16 * 1024 * 1024;

export interface PlanMessage {
  type: 'plan';
  plan: unknown;
}

export interface ExecMessage {
  type: 'exec';
  /** An ExecPlan (src/plan/exec-types.ts). */
  plan: unknown;
}

export interface CreatedMessage {
  type: 'created';
  /** Host pid of the container init, now blocked on the exec fifo. */
  pid: number;
}

export interface ErrorMessage {
  type: 'error';
  /** Which step failed, e.g. "mount", "pivot_root", "exec". */
  step: string;
  /** What it was applied to, e.g. "/proc"; may be "". */
  target: string;
  /** errno, or 0 when the failure is not a syscall's. */
  errno: number;
  /** "<step>: <target>: <strerror>" ready to print. */
  message: string;
}

/**
 * runts-init -> runts, when the plan has pauseForRuntimeHooks: the container
 * init has made its namespaces, mounts and devices and stopped before
 * pivot_root. runts runs the prestart, then the createRuntime hooks, then
 * sends "resume"; to abort (a hook failed) it closes the channel instead, and
 * runts-init kills the container init, removes the exec fifo and exits 1
 * without another word.
 */
export interface HooksMessage {
  type: 'hooks';
  /** Host pid of the container init. */
  pid: number;
}

export interface ResumeMessage {
  type: 'resume';
}

export type InitMessage = PlanMessage | ExecMessage | CreatedMessage | ErrorMessage | HooksMessage | ResumeMessage;

/**
 * One row per allowed message: in `phase`, `from` may send `type`, and the
 * conversation moves to `next`. "end" means the channel carries nothing more
 * (in foreground mode runts-init then waits for its process and exits with
 * its status).
 *
 * Create: plan -> [hooks -> resume]* -> created | error. runts-init sends
 * "hooks" (with the container init's pid) when the plan asks it to pause for
 * the runtime's prestart/createRuntime hooks; runts answers "resume", or
 * closes the channel to abort (runts-init then kills the init and cleans up).
 * Exec: exec -> created | error.
 */
export const PROTOCOL = [
  { phase: 'start', from: 'runts', type: 'plan', next: 'setup' },
  { phase: 'start', from: 'runts', type: 'exec', next: 'exec-setup' },
  { phase: 'setup', from: 'init', type: 'hooks', next: 'hooks' },
  { phase: 'setup', from: 'init', type: 'created', next: 'end' },
  { phase: 'setup', from: 'init', type: 'error', next: 'end' },
  { phase: 'hooks', from: 'runts', type: 'resume', next: 'setup' },
  { phase: 'exec-setup', from: 'init', type: 'created', next: 'end' },
  { phase: 'exec-setup', from: 'init', type: 'error', next: 'end' },
] as const;

export type Phase = (typeof PROTOCOL)[number]['phase'] | 'end';

/*
 * The exec fifo (InitPlan.execFifo) after "created": not framed, and not part
 * of the table above. The container init opens it for writing (that blocks
 * until `runts start` opens it for reading) and writes the byte "0". It
 * keeps its end open while it runs the startContainer hooks:
 *   - it closes it with every fd the process must not inherit, right before
 *     the execve: `start` reads EOF and nothing more, then waits (briefly)
 *     until /proc/<pid>/exe is no longer runts-init, so the process runs
 *     when the poststart hooks do;
 *   - a startContainer hook fails: the init writes the failure's message
 *     (UTF-8, at most START_ERROR_MAX bytes, e.g. "startContainer hook #0
 *     (/bin/x): exit status 3: ...") after the "0" and exits 1 without running
 *     the process; `start` reads it up to EOF and reports it.
 * A container init that dies for any other reason also gives EOF with no
 * message; `start` then cannot tell it from a process that ran and exited at
 * once, and succeeds (as runc's does).
 */
export const START_ERROR_MAX = 4096;

export function encodeFrame(msg: InitMessage): Buffer {
  const body = Buffer.from(JSON.stringify(msg), 'utf8');
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32LE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/** Splits a byte stream into frames; returns the decoded messages and the leftover bytes. */
export function decodeFrames(buf: Buffer): { messages: unknown[]; rest: Buffer } {
  const messages: unknown[] = [];
  let off = 0;
  while (buf.length - off >= 4) {
    const len = buf.readUInt32LE(off);
    if (len > MAX_FRAME) throw new Error(`protocol: frame of ${len} bytes exceeds ${MAX_FRAME}`);
    if (buf.length - off - 4 < len) break;
    messages.push(JSON.parse(buf.subarray(off + 4, off + 4 + len).toString('utf8')));
    off += 4 + len;
  }
  return { messages, rest: buf.subarray(off) };
}

/** Checks that `type` may arrive in `phase` and returns the phase that follows. */
export function advance(phase: Phase, type: string): Phase {
  const row = PROTOCOL.find((r) => r.phase === phase && r.type === type);
  if (!row) throw new Error(`protocol: unexpected message ${type} in ${phase}`);
  return row.next;
}
