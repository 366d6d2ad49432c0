// The init plan: the flat, fully resolved description of one container that
// runts-init executes without making any decision of its own. It crosses to
// runts-init as JSON in one frame (see src/container/protocol.ts), so every
// field is JSON-safe: 64-bit values that may exceed 2^53 travel as decimal
// strings, flags as numbers, and nothing is optional — absent means null or [].
//
// The C++ reader is addon/common/plan.{h,cc}; keep both in step. PLAN_VERSION
// changes whenever a field changes meaning.

export const PLAN_VERSION = 3;

export type NamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup' | 'time';

export interface PlanNamespace {
  type: NamespaceType;
  /** setns() into this path when non-null; otherwise a new namespace is created. */
  path: string | null;
}

export interface PlanIdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface PlanTimeOffset {
  clock: 'monotonic' | 'boottime';
  secs: number;
  nanosecs: number;
}

export interface PlanMount {
  /** Absolute, cleaned path inside the container (no "..", no trailing "/"). */
  destination: string;
  /**
   * For bind mounts: absolute host path (relative sources already resolved
   * against the bundle). Otherwise the source string passed to mount(2).
   */
  source: string;
  /** Filesystem type for mount(2); "" for bind mounts. */
  fstype: string;
  /** True for bind and rbind mounts (MS_BIND is in flags). */
  bind: boolean;
  /**
   * MS_* flags for the first mount(2) call (MS_BIND, MS_REC, MS_RDONLY,
   * MS_NOSUID, ...), propagation flags excluded. For a bind mount, flags other
   * than MS_BIND|MS_REC are applied by a second MS_REMOUNT|MS_BIND call, as
   * the kernel ignores them on the first.
   */
  flags: number;
  /**
   * Propagation changes applied after the mount, each a separate mount(2) with
   * one of MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE, possibly | MS_REC.
   */
  propagation: number[];
  /** Filesystem-specific data ("mode=755,size=65536k"), "" if none. */
  data: string;
  /**
   * What to create at the destination when it is missing: a directory, or an
   * empty file (bind mount of a non-directory source).
   */
  createAs: 'dir' | 'file';
  /**
   * MOUNT_ATTR_* bits (include/uapi/linux/mount.h) set and cleared with one
   * mount_setattr(2) on the destination once the mount (and its bind
   * remount) is in place, before the propagation changes: what the
   * recursive options rro, rnosuid, rnoatime... ask for. Changing the atime
   * mode puts MOUNT_ATTR__ATIME (0x70) in attrClr and the mode in attrSet.
   * Both 0 and attrRecursive false: no call.
   */
  attrSet: number;
  attrClr: number;
  /** That call has AT_RECURSIVE: every mount under the destination changes too. */
  attrRecursive: boolean;
  /** Non-null: an idmapped bind mount ("idmap"/"ridmap", or the mount's uidMappings/gidMappings). */
  idmap: PlanIdmap | null;
}

/**
 * runts-init clones the source (OPEN_TREE_CLONE, AT_RECURSIVE for rbind) in
 * the host's user namespace, applies MOUNT_ATTR_IDMAP with a user namespace
 * holding these mappings, and the container init moves that tree onto the
 * destination instead of calling mount(2).
 */
export interface PlanIdmap {
  /** "ridmap": the mapping is applied to every mount of the cloned tree, not only its top. */
  recursive: boolean;
  /**
   * The mount's mappings, in the user-namespace format: an id stored in the
   * source filesystem as containerID appears in the mount as hostID (the
   * direction crun and podman use). Both empty: use the container's user
   * namespace (the plan's uidMappings/gidMappings when the clone creates
   * one, the joined namespace itself when it has a path).
   */
  uidMappings: PlanIdMapping[];
  gidMappings: PlanIdMapping[];
}

export type DeviceType = 'c' | 'b' | 'p' | 'u';

export interface PlanDevice {
  /** Absolute path inside the container, e.g. "/dev/null". */
  path: string;
  /** "u" is treated as "c" (unbuffered character device). */
  type: DeviceType;
  major: number;
  minor: number;
  /** Permission bits only (e.g. 0o666); the type bits come from `type`. */
  fileMode: number;
  uid: number;
  gid: number;
}

export interface PlanRlimit {
  /** RLIMIT_* number (RLIMIT_NOFILE = 7, ...). */
  resource: number;
  /** Decimal strings: values up to 2^64-1 (RLIM_INFINITY). */
  soft: string;
  hard: string;
}

export interface PlanCapabilities {
  /** Capability numbers (CAP_CHOWN = 0 ... CAP_CHECKPOINT_RESTORE = 40). */
  bounding: number[];
  effective: number[];
  permitted: number[];
  inheritable: number[];
  ambient: number[];
}

/**
 * sched_setattr(2) for the process (process.scheduler), before its identity
 * changes (raising a priority needs CAP_SYS_NICE). The u64 deadline
 * parameters travel as decimal strings.
 */
export interface PlanScheduler {
  /** SCHED_* number (SCHED_OTHER 0 ... SCHED_DEADLINE 6). */
  policy: number;
  /** SCHED_FLAG_* bits. */
  flags: number;
  /** -20..19. */
  nice: number;
  /** sched_priority: 1..99 for SCHED_FIFO/SCHED_RR, else 0. */
  priority: number;
  /** SCHED_DEADLINE parameters in ns ("0" for the other policies). */
  runtime: string;
  deadline: string;
  period: string;
}

/** set_mempolicy(2) (linux.memoryPolicy). */
export interface PlanMemoryPolicy {
  /** MPOL_* mode number (MPOL_DEFAULT 0 ... MPOL_WEIGHTED_INTERLEAVE 6). */
  mode: number;
  /** MPOL_F_* bits or'ed into the mode argument. */
  flags: number;
  /** Node numbers (sorted, < 1024) for the nodemask; [] for none. */
  nodes: number[];
}

/** process.execCPUAffinity, for an exec only (the runtime-spec: "not applicable to the container's init process"). */
export interface PlanCpuAffinity {
  /** CPUs runts-init runs on before it joins the container's cgroups; [] leaves the affinity alone. */
  initial: number[];
  /** CPUs the process runs on, set right before its execve; [] leaves what the kernel gave it. */
  final: number[];
}

export interface PlanProcess {
  args: string[];
  env: string[];
  /**
   * env has no HOME: runts-init appends HOME=<home> once it is in the
   * container's root, <home> being the uid's entry in the container's
   * /etc/passwd, or "/" without one (as runc sets it).
   */
  setHome: boolean;
  /** Absolute path inside the container; created (0755, owned by root) if missing. */
  cwd: string;
  uid: number;
  gid: number;
  additionalGids: number[];
  /** null: leave the umask as inherited (runc then uses 0022). */
  umask: number | null;
  rlimits: PlanRlimit[];
  oomScoreAdj: number | null;
  noNewPrivileges: boolean;
  /** null: capabilities are left as they are (a root process keeps all). */
  capabilities: PlanCapabilities | null;
  terminal: boolean;
  consoleSize: { height: number; width: number } | null;
  /** null: the inherited scheduling policy stays. */
  scheduler: PlanScheduler | null;
  /** ioprio_set(IOPRIO_WHO_PROCESS, 0, value), value = class << 13 | level; null: unchanged. */
  ioPriority: number | null;
  /**
   * Written as "exec <profile>" to /proc/self/attr/apparmor/exec (or the
   * older /proc/self/attr/exec) just before the execve; null: none. Only set
   * when the host has AppArmor.
   */
  apparmorProfile: string | null;
  /** Written to /proc/self/attr/exec just before the execve; null: none. Only set when the host has SELinux. */
  selinuxLabel: string | null;
}

export interface PlanSysctl {
  key: string;
  value: string;
}

/** One OCI hook, normalised (config.md "POSIX-platform Hooks"). */
export interface PlanHook {
  /** Absolute path of the executable, given to execve(2) as is (no PATH search). */
  path: string;
  /** The complete argv, argv[0] included: the config's args, or [path] when it has none. */
  args: string[];
  /** The complete environment: exactly the config's env ([] when it has none). */
  env: string[];
  /** Seconds (> 0) before the hook is killed with SIGKILL and reported as failed; null: no limit. */
  timeout: number | null;
}

/**
 * What the container init needs to write the runtime-spec state document its
 * hooks read on stdin; it adds "status" and "pid" itself (the pid as seen in
 * the container's pid namespace, as the spec asks for hooks run there).
 */
export interface PlanHookState {
  ociVersion: string;
  /** Absolute host path of the bundle. */
  bundle: string;
  /** config.json's annotations; omitted from the document when empty. */
  annotations: Record<string, string>;
}

/**
 * When runts-init loads the filter. Loading needs no_new_privs or
 * CAP_SYS_ADMIN; as late as the process allows, so that the runtime's own
 * setup syscalls are not filtered:
 * - "before-exec": after every other step, right before execve (the process
 *   has no_new_privs, or keeps CAP_SYS_ADMIN);
 * - "after-identity": a listener must receive the fd before "created", so
 *   during setup, right after the uid and capability change;
 * - "before-identity": neither no_new_privs nor CAP_SYS_ADMIN after the
 *   capability change: just before it (as runc does).
 */
export type SeccompLoadPoint = 'before-exec' | 'after-identity' | 'before-identity';

export interface PlanSeccomp {
  /** struct sock_filter[] (8 bytes each, host byte order), base64: compiled by runts, loaded as is. */
  program: string;
  /** SECCOMP_FILTER_FLAG_* for seccomp(SECCOMP_SET_MODE_FILTER); NEW_LISTENER when listener is set. */
  flags: number;
  loadAt: SeccompLoadPoint;
  /**
   * The agent that receives the notify fd: runts-init connects to `path`
   * (SOCK_STREAM), sends `state` as JSON with the fd (SCM_RIGHTS) in the
   * same sendmsg, and closes. runts-init fills in `pid` and `state.pid`
   * (host pid of the filtered process) before sending.
   */
  listener: { path: string; state: Record<string, unknown> } | null;
}

export interface InitPlan {
  version: typeof PLAN_VERSION;
  id: string;
  /** Absolute host path of the root filesystem (bundle-relative paths resolved). */
  rootfs: string;
  readonlyRootfs: boolean;
  /**
   * Flags for mount(NULL, "/", NULL, flags, NULL) applied first in the new
   * mount namespace, to the copies of the host's mounts: MS_SLAVE|MS_REC by
   * default, or what rootfsPropagation says (but MS_SLAVE|MS_REC for
   * "unbindable": the rootfs could not be bind-mounted out of an
   * unbindable tree).
   */
  rootfsPropagation: number;
  /**
   * The same call on the container's own "/" once it is the root (after
   * pivot_root or chroot), without MS_REC: what an explicit
   * rootfsPropagation says, so "shared" makes the root mount a new peer
   * group and "unbindable" holds for it, while the container's own mounts
   * keep the propagation their options gave them. 0: no call.
   */
  rootPropagation: number;
  /** Use MS_MOVE + chroot instead of pivot_root. */
  noPivot: boolean;
  /**
   * In the order runts-init must handle them: entries with a path are joined
   * (setns) in this order — user first — before the container init is cloned;
   * the others are created by the clone.
   */
  namespaces: PlanNamespace[];
  uidMappings: PlanIdMapping[];
  gidMappings: PlanIdMapping[];
  timeOffsets: PlanTimeOffset[];
  /** Applied in order, after the rootfs bind mount and before pivot_root. */
  mounts: PlanMount[];
  /**
   * Create /dev/ptmx -> pts/ptmx, /dev/fd, /dev/stdin, /dev/stdout,
   * /dev/stderr and /dev/core (when /proc/kcore exists) links: true when /dev
   * is a fresh mount (not a bind of the host's /dev).
   */
  setupDevLinks: boolean;
  /** Device nodes to create after the mounts (defaults already merged in). */
  devices: PlanDevice[];
  /** When mknod is refused (user namespace), bind-mount the host's node instead. */
  bindDevices: boolean;
  hostname: string | null;
  domainname: string | null;
  /** Written to /proc/sys/<key with dots as slashes> after pivot_root. */
  sysctl: PlanSysctl[];
  /** Paths inside the container: /dev/null bound over files, read-only tmpfs over dirs. */
  maskedPaths: string[];
  /** Paths inside the container: bind-mounted onto themselves read-only. */
  readonlyPaths: string[];
  /** mount(2) data for the read-only tmpfs over masked directories: "" or context="<linux.mountLabel>" (SELinux hosts). */
  maskDirData: string;
  /** personality(2) persona (PER_LINUX 0, PER_LINUX32 8) set before the execve; null: inherited. */
  personality: number | null;
  /** set_mempolicy(2) before the execve; null: inherited. */
  memoryPolicy: PlanMemoryPolicy | null;
  process: PlanProcess;
  /**
   * Host path of the exec fifo, created by runts-init (mkfifo 0622, owned by
   * the container's root) before cloning; the container init blocks opening
   * it for writing until `runts start` reads it.
   */
  execFifo: string;
  /** Host path of the unix socket that receives the pty master (process.terminal). */
  consoleSocket: string | null;
  /**
   * runts-init stays the container init's parent, waits for it and exits with
   * its status (signal n → 128+n); with a terminal and no console socket it
   * also relays between its own stdio and the pty master.
   */
  foreground: boolean;
  /** Number of fds after stdio (3, 4, ...) passed into the container. */
  preserveFds: number;
  /** Skip joining a fresh session keyring named after the container id. */
  noNewKeyring: boolean;
  /**
   * After the mounts and devices, before pivot_root, the container init stops
   * and runts-init sends "hooks" {pid} to runts, which runs the prestart and
   * createRuntime hooks and answers "resume" (or closes the channel to abort).
   */
  pauseForRuntimeHooks: boolean;
  /** Run by the container init right after that pause (or at that point), before pivot_root. */
  createContainerHooks: PlanHook[];
  /** Run by the container init once `runts start` released it, just before the execve. */
  startContainerHooks: PlanHook[];
  hookState: PlanHookState;
  /** The container's seccomp filter (linux.seccomp), or null for none. */
  seccomp: PlanSeccomp | null;
  /**
   * Host paths of the cgroup.procs files of the container's cgroups (set by
   * create once it has made them; [] for none). runts-init opens them before
   * any setns and writes the container init's pid to each right after the
   * clone, before letting it go on: the init is in its cgroups before it
   * does anything, and runts-init itself never joins them (it stays out of
   * the container's pids and memory accounting in the foreground).
   */
  cgroupProcs: string[];
  /**
   * cgroup v2: the container's cgroup directory, for clone3(CLONE_INTO_CGROUP)
   * (the cgroupProcs write then changes nothing); null on v1 or without one.
   */
  cloneIntoCgroup: string | null;
}
