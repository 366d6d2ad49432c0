// linux.seccomp -> the rules runts compiles into a BPF program (see
// src/seccomp/compile.ts) and the point at which runts-init loads it.
//
// Policy decided here, as runc decides it where the spec is silent:
// - "SCMP_ACT_ERRNO" and "SCMP_ACT_TRACE" return EPERM unless errnoRet (or,
//   for the default action, defaultErrnoRet) says otherwise; an errno on any
//   other action is an error, as the spec requires.
// - A syscall entry whose args name one argument index twice becomes one rule
//   per condition (any of them matches); otherwise one rule with all of them
//   (all must match). libseccomp cannot AND two conditions on one argument.
// - A rule with the default action and errno is dropped: it changes nothing,
//   and libseccomp refuses it.
// - SCMP_ACT_NOTIFY needs listenerPath; it cannot be the default action (the
//   runtime's own syscalls after the load would wait for an agent that has
//   not received the fd yet), nor apply to sendmsg, which hands the fd over.
import { isAbsolute, resolve } from 'node:path';
import type { LinuxSeccompArg, Seccomp, SeccompAction, SeccompArch, SeccompFlag, SeccompOperator } from '../spec/types.js';
import { PlanError, pointer, type Problems } from './errors.js';
import type { PlanProcess, PlanSeccomp, SeccompLoadPoint } from './types.js';

const EPERM = 1;

/** SECCOMP_RET_* values, which are also libseccomp's SCMP_ACT_* values. */
const ACTION_BASE: Record<SeccompAction, number> = {
  SCMP_ACT_KILL: 0x00000000,
  SCMP_ACT_KILL_THREAD: 0x00000000,
  SCMP_ACT_KILL_PROCESS: 0x80000000,
  SCMP_ACT_TRAP: 0x00030000,
  SCMP_ACT_ERRNO: 0x00050000,
  SCMP_ACT_TRACE: 0x7ff00000,
  SCMP_ACT_LOG: 0x7ffc0000,
  SCMP_ACT_ALLOW: 0x7fff0000,
  SCMP_ACT_NOTIFY: 0x7fc00000,
};

export const SCMP_ACT_NOTIFY = ACTION_BASE.SCMP_ACT_NOTIFY;

/** Actions whose low 16 bits carry a value (the errno, or the tracer's message). */
const TAKES_ERRNO = new Set<SeccompAction>(['SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE']);

/** libseccomp's arch names (seccomp_arch_resolve_name). */
const ARCH_NAME: Record<SeccompArch, string> = {
  SCMP_ARCH_X86: 'x86',
  SCMP_ARCH_X86_64: 'x86_64',
  SCMP_ARCH_X32: 'x32',
  SCMP_ARCH_ARM: 'arm',
  SCMP_ARCH_AARCH64: 'aarch64',
  SCMP_ARCH_LOONGARCH64: 'loongarch64',
  SCMP_ARCH_M68K: 'm68k',
  SCMP_ARCH_MIPS: 'mips',
  SCMP_ARCH_MIPS64: 'mips64',
  SCMP_ARCH_MIPS64N32: 'mips64n32',
  SCMP_ARCH_MIPSEL: 'mipsel',
  SCMP_ARCH_MIPSEL64: 'mipsel64',
  SCMP_ARCH_MIPSEL64N32: 'mipsel64n32',
  SCMP_ARCH_PPC: 'ppc',
  SCMP_ARCH_PPC64: 'ppc64',
  SCMP_ARCH_PPC64LE: 'ppc64le',
  SCMP_ARCH_S390: 's390',
  SCMP_ARCH_S390X: 's390x',
  SCMP_ARCH_SH: 'sh',
  SCMP_ARCH_SHEB: 'sheb',
  SCMP_ARCH_PARISC: 'parisc',
  SCMP_ARCH_PARISC64: 'parisc64',
  SCMP_ARCH_RISCV64: 'riscv64',
};

/** SECCOMP_FILTER_FLAG_* (include/uapi/linux/seccomp.h). */
export const SECCOMP_FLAG: Record<SeccompFlag, number> = {
  SECCOMP_FILTER_FLAG_TSYNC: 1,
  SECCOMP_FILTER_FLAG_LOG: 2,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: 4,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: 32,
};
export const SECCOMP_FILTER_FLAG_NEW_LISTENER = 8;
export const SECCOMP_FILTER_FLAG_TSYNC_ESRCH = 16;

/** enum scmp_compare. */
const OPERATOR: Record<SeccompOperator, number> = {
  SCMP_CMP_NE: 1,
  SCMP_CMP_LT: 2,
  SCMP_CMP_LE: 3,
  SCMP_CMP_EQ: 4,
  SCMP_CMP_GE: 5,
  SCMP_CMP_GT: 6,
  SCMP_CMP_MASKED_EQ: 7,
};

export const SECCOMP_ACTIONS = Object.keys(ACTION_BASE) as SeccompAction[];
export const SECCOMP_ARCHS = Object.keys(ARCH_NAME) as SeccompArch[];
export const SECCOMP_FLAGS = Object.keys(SECCOMP_FLAG) as SeccompFlag[];
export const SECCOMP_OPERATORS = Object.keys(OPERATOR) as SeccompOperator[];

const MAX_ARGS = 6;
const U64_MAX = (1n << 64n) - 1n;

export interface SeccompCondition {
  /** Syscall argument 0..5. */
  index: number;
  /** enum scmp_compare. */
  op: number;
  /** Decimal strings (up to 2^64-1). For SCMP_CMP_MASKED_EQ, value is the mask and valueTwo the datum. */
  value: string;
  valueTwo: string;
}

export interface SeccompRule {
  /** A syscall name; libseccomp resolves it (names it does not know are skipped). */
  syscall: string;
  action: number;
  /** All must match. */
  conditions: SeccompCondition[];
}

/** What the compiler gets: everything decided, nothing left to interpret. */
export interface SeccompProfile {
  defaultAction: number;
  /** The SECCOMP_FILTER_FLAG_* runts-init will load it with: the compiler checks the kernel has each. */
  flags: number;
  /** libseccomp arch names; the native one is always in the filter. */
  architectures: string[];
  rules: SeccompRule[];
}

export interface SeccompListener {
  /** Absolute path of the agent's unix socket. */
  path: string;
  metadata: string;
}

export interface SeccompPlanPart {
  profile: SeccompProfile;
  /** SECCOMP_FILTER_FLAG_* for seccomp(2), NEW_LISTENER included when a rule notifies. */
  flags: number;
  listener: SeccompListener | null;
}

function actionValue(action: SeccompAction, errnoRet: number | undefined, ptr: string, field: string, problems: Problems): number {
  if (errnoRet !== undefined && !TAKES_ERRNO.has(action)) {
    problems.config(ptr, `${field} is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not ${action}`);
  }
  if (errnoRet !== undefined && errnoRet > 0xffff) problems.config(ptr, `${field} ${errnoRet} does not fit in 16 bits`);
  const base = ACTION_BASE[action];
  return TAKES_ERRNO.has(action) ? (base | ((errnoRet ?? EPERM) & 0xffff)) >>> 0 : base;
}

/**
 * JSON numbers above 2^53 arrive rounded; the largest of them round up to
 * 2^64, which can only have meant 2^64-1.
 */
function u64(value: number, ptr: string, problems: Problems): string {
  if (!Number.isInteger(value) || value < 0) {
    problems.config(ptr, `${value} is not an unsigned 64-bit integer`);
    return '0';
  }
  const v = BigInt(value);
  return (v > U64_MAX ? U64_MAX : v).toString();
}

function conditions(args: LinuxSeccompArg[], at: (i: number, ...rest: string[]) => string, problems: Problems): SeccompCondition[] {
  return args.map((a, i) => {
    if (a.index >= MAX_ARGS) problems.config(at(i, 'index'), `${a.index} is not a syscall argument index (0..${MAX_ARGS - 1})`);
    return {
      index: a.index,
      op: OPERATOR[a.op],
      value: u64(a.value, at(i, 'value'), problems),
      valueTwo: u64(a.valueTwo ?? 0, at(i, 'valueTwo'), problems),
    };
  });
}

export function planSeccomp(
  seccomp: Seccomp | undefined,
  problems: Problems,
  debug: (message: string) => void,
  cwd: string = process.cwd(),
): SeccompPlanPart | null {
  if (seccomp === undefined) return null;
  const base = pointer('linux', 'seccomp');
  const defaultAction = actionValue(
    seccomp.defaultAction,
    seccomp.defaultErrnoRet,
    seccomp.defaultErrnoRet !== undefined ? `${base}/defaultErrnoRet` : `${base}/defaultAction`,
    'defaultErrnoRet',
    problems,
  );
  if (seccomp.defaultAction === 'SCMP_ACT_NOTIFY') {
    problems.config(`${base}/defaultAction`, 'SCMP_ACT_NOTIFY cannot be the default action (the runtime itself would wait on the agent)');
  }

  const rules: SeccompRule[] = [];
  let notifies = false;
  (seccomp.syscalls ?? []).forEach((sc, i) => {
    const at = (...rest: (string | number)[]): string => `${base}${pointer('syscalls', i, ...rest)}`;
    const action = actionValue(sc.action, sc.errnoRet, at(sc.errnoRet !== undefined ? 'errnoRet' : 'action'), 'errnoRet', problems);
    if (sc.action === 'SCMP_ACT_NOTIFY') {
      notifies = true;
      const j = sc.names.indexOf('sendmsg');
      if (j >= 0) problems.config(at('names', j), 'SCMP_ACT_NOTIFY cannot apply to sendmsg: runts-init hands the listener fd over with it');
    }
    const conds = conditions(sc.args ?? [], (k, ...rest) => at('args', k, ...rest), problems);
    const counts = new Map<number, number>();
    for (const c of conds) counts.set(c.index, (counts.get(c.index) ?? 0) + 1);
    const groups = [...counts.values()].some((n) => n > 1) ? conds.map((c) => [c]) : [conds];
    sc.names.forEach((name, j) => {
      if (name === '') {
        problems.config(at('names', j), 'must not be empty');
        return;
      }
      if (action === defaultAction) {
        debug(`seccomp: ${name}: rule has the default action, skipped`);
        return;
      }
      for (const g of groups) rules.push({ syscall: name, action, conditions: g });
    });
  });

  let flags = 0;
  for (const f of seccomp.flags ?? []) flags |= SECCOMP_FLAG[f];
  if (notifies) {
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    // The kernel refuses TSYNC with a listener unless told to report a
    // failed sync as ESRCH (runts-init is single-threaded: it never fails).
    if (flags & SECCOMP_FLAG.SECCOMP_FILTER_FLAG_TSYNC) flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
  } else if (flags & SECCOMP_FLAG.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) {
    // The kernel takes it only together with a listener.
    debug('seccomp: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV ignored: no rule uses SCMP_ACT_NOTIFY');
    flags &= ~SECCOMP_FLAG.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
  }

  const path = seccomp.listenerPath ?? '';
  if (seccomp.listenerMetadata !== undefined && seccomp.listenerMetadata !== '' && path === '') {
    problems.config(`${base}/listenerMetadata`, 'must not be set without listenerPath');
  }
  let listener: SeccompListener | null = null;
  if (notifies) {
    if (path === '') problems.config(`${base}/listenerPath`, 'required when a rule uses SCMP_ACT_NOTIFY');
    else listener = { path: isAbsolute(path) ? path : resolve(cwd, path), metadata: seccomp.listenerMetadata ?? '' };
  }

  const architectures = [...new Set((seccomp.architectures ?? []).map((a) => ARCH_NAME[a]))];
  return { profile: { defaultAction, flags, architectures, rules }, flags, listener };
}

const CAP_SYS_ADMIN = 21;

/** See SeccompLoadPoint. */
export function seccompLoadPoint(proc: PlanProcess, listener: boolean): SeccompLoadPoint {
  const caps = proc.capabilities;
  const keepsSysAdmin = caps ? caps.effective.includes(CAP_SYS_ADMIN) && caps.permitted.includes(CAP_SYS_ADMIN) : proc.uid === 0;
  if (!proc.noNewPrivileges && !keepsSysAdmin) return 'before-identity';
  return listener ? 'after-identity' : 'before-exec';
}

/** Compiles a profile to struct sock_filter[]; names it does not know are returned, not compiled. */
export type SeccompCompiler = (profile: SeccompProfile) => { program: Uint8Array; unknown: string[] };

/** The container as the seccomp agent sees it (runtime-spec "container process state"). */
export interface SeccompStateInfo {
  ociVersion: string;
  id: string;
  status: string;
  bundle: string;
  annotations: Record<string, string>;
}

/**
 * The plan's seccomp part for one process: compiled, with its load point and
 * the state document for the agent (pids filled in by runts-init). A compiler
 * failure is a config error on linux.seccomp.
 */
export function finishSeccomp(
  part: SeccompPlanPart,
  proc: PlanProcess,
  info: SeccompStateInfo,
  compile: SeccompCompiler,
  debug: (message: string) => void,
): PlanSeccomp {
  let compiled: ReturnType<SeccompCompiler>;
  try {
    compiled = compile(part.profile);
  } catch (e) {
    throw new PlanError([`config.json: ${pointer('linux', 'seccomp')}: ${(e as Error).message}`]);
  }
  for (const name of new Set(compiled.unknown)) debug(`seccomp: unknown syscall "${name}" skipped`);
  let listener: PlanSeccomp['listener'] = null;
  if (part.listener) {
    const state: Record<string, unknown> = { ociVersion: info.ociVersion, id: info.id, status: info.status, pid: 0, bundle: info.bundle };
    if (Object.keys(info.annotations).length > 0) state.annotations = { ...info.annotations };
    const doc: Record<string, unknown> = { ociVersion: info.ociVersion, fds: ['seccompFd'], pid: 0 };
    if (part.listener.metadata !== '') doc.metadata = part.listener.metadata;
    doc.state = state;
    listener = { path: part.listener.path, state: doc };
  }
  return {
    program: Buffer.from(compiled.program).toString('base64'),
    flags: part.flags,
    loadAt: seccompLoadPoint(proc, listener !== null),
    listener,
  };
}
