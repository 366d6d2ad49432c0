// buildPlan: a schema-valid config.json plus the command's options in, the
// flat InitPlan runts-init executes out. Pure except for one host question
// the InitPlan contract forces on it: whether a bind mount source is a file
// (PlanMount.createAs). That is asked through `env.sourceKind`, which
// defaults to a stat(2) and which tests replace. No logging: warnings go to
// `env.warn`. Every semantic problem is collected and thrown together as one
// PlanError.
import { warnNotEnforced } from './not-enforced.js';
import type { Spec } from '../spec/types.js';
import { PLAN_VERSION, type InitPlan, type PlanProcess } from './types.js';
import { planContainerPaths } from './container-paths.js';
import { planDevices } from './devices.js';
import { planHooks } from './hooks.js';
import { statSourceKind } from './host-probe.js';
import { Problems, pointer } from './errors.js';
import { planIdMappings } from './id-mappings.js';
import { planMounts, type SourceKind } from './mounts.js';
import { planNamespaces } from './namespaces.js';
import { cleanContainerPath, isWithin } from './paths.js';
import { planProcess } from './process.js';
import { dropUnknownToKernel, kernelCapLast } from './capabilities.js';
import { planRootfs, planRootfsPropagation } from './rootfs.js';
import { MS_REC, MS_SLAVE, MS_UNBINDABLE } from './linux-constants.js';
import { finishSeccomp, planSeccomp, type SeccompCompiler } from './seccomp.js';
import { compileSeccomp } from '../seccomp/compile.js';
import { planSysctl } from './sysctl.js';
import { planTimeOffsets } from './time-offsets.js';
import { checkUnsupported } from './unsupported.js';
import { chooseMountContext, detectHostLsm, labelMounts, type HostLsm } from './lsm.js';
import { planMemoryPolicy } from './memory-policy.js';
import { planPersonality } from './personality.js';
import { planCpuAffinity } from './scheduler.js';
import { SPEC_VERSION } from '../container/state-store.js';
import { planUts } from './uts.js';

export { PlanError } from './errors.js';

export interface PlanOptions {
  id: string;
  /** Absolute path of the bundle directory. */
  bundle: string;
  execFifo: string;
  consoleSocket: string | null;
  noPivot: boolean;
  noNewKeyring: boolean;
  preserveFds: number;
  foreground: boolean;
}

/** What buildPlan may learn from, or tell, the world around it. */
export interface PlanEnv {
  /**
   * What a bind mount source is ("file" makes the destination an empty
   * file; null, unknown or missing, a directory). Default: stat(2) it.
   */
  sourceKind?: SourceKind;
  /** Non-fatal findings (deprecated forms, settings the kernel would ignore). */
  warn?: (message: string) => void;
  /** Adjustments runc makes silently (e.g. ambient caps it cannot raise): logged with --debug only. */
  debug?: (message: string) => void;
  /** Compiles linux.seccomp. Default: libseccomp through the bridge. */
  compileSeccomp?: SeccompCompiler;
  /** The highest capability the running kernel knows. Default: /proc/sys/kernel/cap_last_cap. */
  capLast?: number;
  /** The host's security modules (AppArmor, SELinux). Default: detectHostLsm(). */
  lsm?: HostLsm;
}

const PLACEHOLDER_PROCESS: PlanProcess = {
  args: [],
  env: [],
  setHome: false,
  cwd: '/',
  uid: 0,
  gid: 0,
  additionalGids: [],
  umask: null,
  rlimits: [],
  oomScoreAdj: null,
  noNewPrivileges: false,
  capabilities: null,
  terminal: false,
  consoleSize: null,
  scheduler: null,
  ioPriority: null,
  apparmorProfile: null,
  selinuxLabel: null,
};

function checkOptions(opts: PlanOptions, problems: Problems): void {
  if (!opts.bundle.startsWith('/')) problems.option('--bundle', `"${opts.bundle}" must be resolved to an absolute path`);
  if (!Number.isInteger(opts.preserveFds) || opts.preserveFds < 0) {
    problems.option('--preserve-fds', `${opts.preserveFds} is not a non-negative integer`);
  }
}

export function buildPlan(spec: Spec, opts: PlanOptions, env: PlanEnv = {}): InitPlan {
  const problems = new Problems();
  const warn = env.warn ?? (() => {});
  const debug = env.debug ?? (() => {});
  const sourceKind = env.sourceKind ?? statSourceKind;
  const lsm = env.lsm ?? detectHostLsm();
  checkOptions(opts, problems);

  const linux = spec.linux ?? {};
  const rootfs = planRootfs(spec.root, opts.bundle, problems);
  const namespaces = planNamespaces(linux.namespaces, problems);
  const ids = planIdMappings(spec.linux, spec.process?.user, namespaces, problems);
  const timeOffsets = planTimeOffsets(linux.timeOffsets, namespaces, problems);
  const { hostname, domainname } = planUts(spec, namespaces, problems);
  const { mounts, devIsBind } = planMounts(spec.mounts, {
    bundle: opts.bundle,
    namespaces,
    sourceKind,
    warn,
    problems,
  });
  const devices = planDevices(linux.devices, problems);
  if (devIsBind && (linux.devices ?? []).some((d) => isWithin(cleanContainerPath(d.path), '/dev'))) {
    warn('config.json: /linux/devices: devices under /dev are not created because /dev is a bind mount');
  }
  const sysctl = planSysctl(
    linux.sysctl,
    namespaces,
    { hostname: hostname !== null, domainname: domainname !== null },
    problems,
  );
  const maskedPaths = planContainerPaths('maskedPaths', linux.maskedPaths, problems);
  const readonlyPaths = planContainerPaths('readonlyPaths', linux.readonlyPaths, problems);
  const rootfsPropagation = planRootfsPropagation(linux.rootfsPropagation, problems);

  let process = PLACEHOLDER_PROCESS;
  if (spec.process === undefined) {
    problems.config(pointer('process'), 'required for create');
  } else {
    process = planProcess(spec.process, { consoleSocket: opts.consoleSocket, foreground: opts.foreground, lsm }, problems, debug);
    process = { ...process, capabilities: dropUnknownToKernel(process.capabilities, env.capLast ?? kernelCapLast(), warn) };
    // runtime-spec: execCPUAffinity "is not applicable to the container's
    // init process"; it is checked here and used by each `runts exec`.
    planCpuAffinity(spec.process.execCPUAffinity, problems);
  }
  const personality = planPersonality(linux.personality, problems);
  const memoryPolicy = planMemoryPolicy(linux.memoryPolicy, problems);
  const mountContext = chooseMountContext(linux.mountLabel, lsm);
  if (mountContext.problem !== null) problems.config(pointer('linux', 'mountLabel'), mountContext.problem);
  if (mountContext.ignored) debug('config.json: /linux/mountLabel: ignored: this host does not have SELinux enabled');
  const hooks = planHooks(spec.hooks, problems);
  const seccompPart = planSeccomp(linux.seccomp, problems, debug);
  checkUnsupported(spec, problems);
  problems.throwIfAny();
  warnNotEnforced(spec, warn);
  const annotations = { ...(spec.annotations ?? {}) };
  const seccomp = seccompPart
    ? finishSeccomp(
        seccompPart,
        process,
        { ociVersion: SPEC_VERSION, id: opts.id, status: 'creating', bundle: opts.bundle, annotations },
        env.compileSeccomp ?? compileSeccomp,
        debug,
      )
    : null;

  return {
    version: PLAN_VERSION,
    id: opts.id,
    rootfs,
    readonlyRootfs: spec.root?.readonly === true,
    rootfsPropagation: rootfsPropagation & MS_UNBINDABLE ? MS_SLAVE | MS_REC : rootfsPropagation,
    rootPropagation: (linux.rootfsPropagation ?? '') === '' ? 0 : rootfsPropagation & ~MS_REC,
    noPivot: opts.noPivot,
    namespaces: namespaces.list,
    uidMappings: ids.uidMappings,
    gidMappings: ids.gidMappings,
    timeOffsets,
    mounts: labelMounts(mounts, mountContext.value),
    // A bind-mounted /dev is a real directory elsewhere (the host's /dev,
    // typically): creating nodes or links in it would write there, so, as
    // runc does, nothing is created under it.
    setupDevLinks: !devIsBind,
    devices: devIsBind ? devices.filter((d) => !isWithin(d.path, '/dev')) : devices,
    // mknod is refused in any user namespace but the initial one.
    bindDevices: namespaces.has('user'),
    hostname,
    domainname,
    sysctl,
    maskedPaths,
    readonlyPaths,
    maskDirData: mountContext.value ?? '',
    personality,
    memoryPolicy,
    process,
    execFifo: opts.execFifo,
    consoleSocket: opts.consoleSocket,
    foreground: opts.foreground,
    preserveFds: opts.preserveFds,
    noNewKeyring: opts.noNewKeyring,
    pauseForRuntimeHooks: hooks.prestart.length + hooks.createRuntime.length > 0,
    createContainerHooks: hooks.createContainer,
    startContainerHooks: hooks.startContainer,
    hookState: { ociVersion: SPEC_VERSION, bundle: opts.bundle, annotations },
    seccomp,
    cgroupProcs: [],
    cloneIntoCgroup: null,
  };
}
