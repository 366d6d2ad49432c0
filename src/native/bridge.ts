// The N-API bridge (addon/bridge): the few syscalls Node lacks that the
// runts process itself needs. Nothing here forks or enters namespaces.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SeccompProfile } from '../plan/seccomp.js';

export interface Bridge {
  /** flock(2). op: "ex" | "sh" | "un". Throws an Error with .code (e.g. "EWOULDBLOCK") and .errno. */
  flock(fd: number, op: 'ex' | 'sh' | 'un', nonblock: boolean): void;
  /** pidfd_open(2); throws on failure (ESRCH when the process is gone). */
  pidfdOpen(pid: number): number;
  /** pidfd_send_signal(2). */
  pidfdSendSignal(pidfd: number, signal: number): void;
  /** prctl(PR_SET_CHILD_SUBREAPER). */
  setChildSubreaper(on: boolean): void;
  /** waitpid(pid, WNOHANG): null while the child runs (or when it is not this process's child), else how it ended. */
  waitPid(pid: number): { code?: number; signal?: number } | null;
  /** getsockopt(SO_PEERCRED) of a connected unix socket. */
  peerCred(fd: number): { pid: number; uid: number; gid: number };
  /** mkfifo(3). */
  mkfifo(path: string, mode: number): void;
  /** pipe2(O_CLOEXEC): [read end, write end]. */
  pipe(): [number, number];
  /**
   * poll(2) for POLLIN on `fds`, up to `timeoutMs` (-1: no limit), on a
   * libuv worker thread; resolves to each fd's revents (POLLIN 1, POLLHUP 16...).
   */
  pollIn(fds: number[], timeoutMs: number): Promise<number[]>;
  /** A listening unix stream socket bound at `path` (close-on-exec); remove the path when done. */
  listenUnix(path: string): number;
  /**
   * accept() one connection on `listenFd` and receive one fd over SCM_RIGHTS
   * (the console socket protocol: runts-init sends the pty master). Blocks
   * the JS thread at most `timeoutMs` per wait; ETIMEDOUT after that.
   */
  acceptFd(listenFd: number, timeoutMs: number): number;
  /** ioctl(TIOCSWINSZ). */
  setWinsize(fd: number, rows: number, cols: number): void;
  /** mount(2) as given ("" for no fstype or data); throws "mount <target>: <strerror>" with .code. */
  mount(source: string, target: string, fstype: string, flags: number, data: string): void;
  /** umount2(2) with MNT_* flags. */
  umount(target: string, flags: number): void;
  /**
   * cgroup v2 device rules: loads `insns` (struct bpf_insn[], host byte order)
   * as BPF_PROG_TYPE_CGROUP_DEVICE, attaches it to the cgroup directory with
   * BPF_F_ALLOW_MULTI, then detaches the programs attached there before.
   * A verifier refusal carries the verifier's log in the message (and in .verifierLog).
   */
  loadDeviceProgram(insns: Buffer, cgroupDir: string): void;
  /**
   * Compiles a seccomp profile with libseccomp (opened on first use) into
   * struct sock_filter[]; syscall names libseccomp does not know are left out
   * and listed in `unknown`. Throws when libseccomp refuses a rule.
   */
  compileSeccomp(profile: SeccompProfile): { program: Buffer; unknown: string[] };
  /** Whether the kernel accepts this SECCOMP_FILTER_FLAG_* (probed without loading anything). */
  seccompFlagSupported(flag: number): boolean;
  /**
   * posix_spawn(3) of `path`: the child gets fds[i] as its fd i and nothing
   * else, default signal dispositions (but for glibc's internal signals 32
   * and 33, left ignored) and an empty signal mask. Returns its
   * pid and a pidfd (readable once it exits; reap it with waitPid).
   * Throws "spawn <path>: <strerror>" with .code (ENOENT, EACCES...).
   */
  spawn(path: string, argv: string[], env: string[], fds: number[]): { pid: number; pidfd: number };
  /** socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC). */
  socketPair(): [number, number];
  /** recv(MSG_DONTWAIT) of up to `max` bytes: null when nothing is there yet, an empty Buffer at end of stream. */
  recvNow(fd: number, max: number): Buffer | null;
  /** shutdown(SHUT_RDWR): the peer reads end of stream even while a pollIn still holds the socket. */
  shutdown(fd: number): void;
}

let cached: Bridge | undefined;

// Where the code lives: the same for every container this process serves.
let nativeDirFound: string | undefined;

/**
 * Directory holding runts-init and runts_bridge.node: dist/, seen from the
 * bundle (dist/runts.js), from a command bundle (dist/lib/), or from the
 * sources run by tsx (src/native/).
 */
export function nativeDir(): string {
  nativeDirFound ??= findNativeDir();
  return nativeDirFound;
}

function findNativeDir(): string {
  // __filename in the CJS bundles (scripts/build.mjs), import.meta.url under tsx.
  const here = dirname(typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url));
  // Either file marks it: with runts-init missing, the bridge must still
  // load, so that the spawn can say which file is missing.
  for (const dir of [here, dirname(here), join(here, '..', '..', 'dist')]) {
    if (existsSync(join(dir, 'runts_bridge.node')) || existsSync(join(dir, 'runts-init'))) return dir;
  }
  return here;
}

export function bridge(): Bridge {
  if (!cached) {
    const path = join(nativeDir(), 'runts_bridge.node');
    const load = typeof require === 'function' ? require : createRequire(import.meta.url);
    cached = load(path) as Bridge;
  }
  return cached;
}

export function initBinary(): string {
  return join(nativeDir(), 'runts-init');
}
