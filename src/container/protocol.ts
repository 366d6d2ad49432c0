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

export type InitMessage = PlanMessage | CreatedMessage | ErrorMessage;

/**
 * phase -> who sends -> which message types are allowed -> next phase.
 * "end" means the channel carries nothing more (in foreground mode runts-init
 * then waits for the container and exits with its status).
 */
export const PROTOCOL = [
  { phase: 'start', from: 'runts', accepts: ['plan'], next: 'setup' },
  { phase: 'setup', from: 'init', accepts: ['created', 'error'], next: 'end' },
] as const;

export type Phase = (typeof PROTOCOL)[number]['phase'] | 'end';

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
  const row = PROTOCOL.find((r) => r.phase === phase);
  if (!row || !(row.accepts as readonly string[]).includes(type)) {
    throw new Error(`protocol: unexpected message ${type} in ${phase}`);
  }
  return row.next;
}
