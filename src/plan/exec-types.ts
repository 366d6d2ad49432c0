// The exec plan: what runts-init needs to start one more process inside a
// running (or created) container, fully resolved by TypeScript. It crosses to
// runts-init as the "exec" frame (src/container/protocol.ts) with the same
// JSON rules as the init plan (src/plan/types.ts): nothing optional, 64-bit
// values as decimal strings. The C++ reader is addon/common/exec_plan.{h,cc};
// keep both in step and bump EXEC_PLAN_VERSION when a field changes meaning.
import type { NamespaceType, PlanCpuAffinity, PlanMemoryPolicy, PlanProcess, PlanSeccomp } from './types.js';

export const EXEC_PLAN_VERSION = 2;

export interface ExecNamespace {
  type: NamespaceType;
  /** /proc/<init pid>/ns/<name>: the container init's own namespace. */
  path: string;
}

export interface ExecPlan {
  version: typeof EXEC_PLAN_VERSION;
  id: string;
  /** Host pid of the container init, and its /proc/<pid>/stat field 22: runts-init pins it with a pidfd and checks both. */
  initPid: number;
  initStartTime: string;
  /** /proc/<init pid>/root: opened before the namespaces are joined, entered (fchdir + chroot) by the new process. */
  root: string;
  /**
   * Joined in this order: user (only when the container has its own), ipc,
   * uts, network, pid, cgroup, time, mount last. runts-init joins the ones
   * the container's user namespace does not own (a time namespace made
   * before it) ahead of the user namespace, where it still may.
   */
  namespaces: ExecNamespace[];
  /**
   * Host paths of cgroup.procs files runts-init opens before joining
   * anything and writes the new process's pid to right after the fork,
   * before letting it go on: the process lands in the init's cgroups, and
   * runts-init stays out of them. Empty when runts already shares them.
   */
  cgroupProcs: string[];
  /**
   * args, env, cwd (must exist: it is not created), identity, rlimits, umask,
   * capabilities, no_new_privs, terminal, setHome (HOME from the container's
   * /etc/passwd when env has none). oomScoreAdj is always null: an exec keeps
   * the score it inherits.
   */
  process: PlanProcess;
  /** The container's linux.personality: personality(2) before the execve; null: inherited (the host's). */
  personality: number | null;
  /** The container's linux.memoryPolicy: set_mempolicy(2) before the execve; null: inherited. */
  memoryPolicy: PlanMemoryPolicy | null;
  /**
   * process.execCPUAffinity: `initial` is set by runts-init first thing,
   * before it writes itself into cgroupProcs (a cpuset there may change it);
   * `final` by the process right before its execve. [] leaves it alone.
   */
  cpuAffinity: PlanCpuAffinity;
  /** Session keyring joined (created) before the exec, or null to keep the inherited one. */
  sessionKeyring: string | null;
  /** Unix socket that receives the pty master (process.terminal). */
  consoleSocket: string | null;
  /**
   * runts-init stays the process's parent, waits for it and exits with its
   * status (signal n → 128+n); with a terminal and no console socket it also
   * relays between its stdio and the pty. Otherwise it exits once the
   * process has been started (the caller's subreaper adopts it).
   */
  foreground: boolean;
  /** Number of fds after stdio (3, 4, ...) passed to the process. */
  preserveFds: number;
  /** The container's seccomp filter, loaded into this process too (the listener's state has the container's status). */
  seccomp: PlanSeccomp | null;
}
