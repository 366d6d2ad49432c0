// buildExecPlan: the container's config.json, the command line of `runts
// exec` (or a process.json) and what runts found out about the running
// container in, the ExecPlan runts-init executes out. Pure: the caller reads
// files and probes the host. Every problem is collected and thrown together
// as one PlanError, as buildPlan does.
//
// The process is composed as runc composes it: with --process the file is
// the whole process and the per-field flags are ignored; otherwise it is the
// config's process with args replaced, env extended (-e NAME=value replaces
// NAME in place), terminal from -t alone, and cwd, user, additional gids,
// no_new_privs and capabilities (-c adds to bounding, effective and
// permitted) overridden or extended by their flags. A process.json without
// capabilities, an AppArmor profile, an SELinux label, a scheduler, an I/O
// priority or a CPU affinity gets the container's (as runc's exec does: an
// exec is confined and scheduled like the container unless it says
// otherwise). The container's linux.personality and linux.memoryPolicy
// apply to every exec as to its init.
import type { Capabilities, Process, Spec } from '../spec/types.js';
import { capabilityNumber, dropUnknownToKernel, kernelCapLast } from './capabilities.js';
import { PlanError, Problems, pointer } from './errors.js';
import { EXEC_PLAN_VERSION, type ExecNamespace, type ExecPlan } from './exec-types.js';
import type { HostLsm } from './lsm.js';
import { planMemoryPolicy } from './memory-policy.js';
import { planPersonality } from './personality.js';
import { envName, planProcess } from './process.js';
import { planCpuAffinity } from './scheduler.js';
import type { NamespaceType } from './types.js';
import { finishSeccomp, planSeccomp, type SeccompCompiler } from './seccomp.js';
import { compileSeccomp } from '../seccomp/compile.js';
import { SPEC_VERSION } from '../container/state-store.js';

export { PlanError } from './errors.js';

/** The per-field flags of `runts exec` (all ignored with --process). */
export interface ExecOverrides {
  /** The command and its arguments (positionals after the container id). */
  args: string[];
  cwd: string | null;
  /** -e NAME=value, in order. */
  env: string[];
  tty: boolean;
  /** -u uid[:gid], unparsed. */
  user: string | null;
  /** -g, already parsed by the CLI. */
  additionalGids: number[];
  /** --no-new-privs, or null when not given (the config's value stays). */
  noNewPrivs: boolean | null;
  /** -c NAME, in order. */
  caps: string[];
  apparmor: string;
  processLabel: string;
}

export const NO_OVERRIDES: ExecOverrides = {
  args: [],
  cwd: null,
  env: [],
  tty: false,
  user: null,
  additionalGids: [],
  noNewPrivs: null,
  caps: [],
  apparmor: '',
  processLabel: '',
};

export type { HostLsm } from './lsm.js';

export interface ExecPlanInput {
  id: string;
  init: { pid: number; startTime: string };
  /** The container's config.json (schema-valid). */
  spec: Spec;
  /** A schema-valid process.json (--process), or null to start from the config's process. */
  processFile: Process | null;
  overrides: ExecOverrides;
  consoleSocket: string | null;
  detach: boolean;
  preserveFds: number;
  /** cgroup.procs files to join first (see ExecPlan.cgroupProcs). */
  cgroupProcs: string[];
  lsm: HostLsm;
  /** The container's bundle and status, for the seccomp agent's state document. */
  bundle: string;
  status: string;
}

export interface ExecPlanEnv {
  warn?: (message: string) => void;
  debug?: (message: string) => void;
  /** Compiles the container's linux.seccomp. Default: libseccomp through the bridge. */
  compileSeccomp?: SeccompCompiler;
  /** The highest capability the running kernel knows. Default: /proc/sys/kernel/cap_last_cap. */
  capLast?: number;
}

/** Join order: the user namespace grants the rights to join those it owns; the mount namespace changes path lookups, so it is last. */
export const EXEC_NAMESPACE_ORDER: readonly NamespaceType[] = ['user', 'ipc', 'uts', 'network', 'pid', 'cgroup', 'time', 'mount'];

/** /proc/<pid>/ns/<name> for each type. */
const PROC_NS_NAME: Record<NamespaceType, string> = {
  user: 'user',
  ipc: 'ipc',
  uts: 'uts',
  network: 'net',
  pid: 'pid',
  cgroup: 'cgroup',
  time: 'time',
  mount: 'mnt',
};

/** The init's namespaces of every type the config lists (created or joined at create: the init is in it either way). */
export function execNamespaces(spec: Spec, initPid: number): ExecNamespace[] {
  const listed = new Set((spec.linux?.namespaces ?? []).map((n) => n.type));
  return EXEC_NAMESPACE_ORDER.filter((t) => listed.has(t)).map((type) => ({ type, path: `/proc/${initPid}/ns/${PROC_NS_NAME[type]}` }));
}

/** `base` with each of `extra` replacing the entry of the same name in place, or appended. */
export function mergeEnv(base: readonly string[], extra: readonly string[]): string[] {
  const out = [...base];
  for (const e of extra) {
    const i = out.findIndex((b) => envName(b) === envName(e));
    if (i >= 0) out[i] = e;
    else out.push(e);
  }
  return out;
}

const DECIMAL_ID = /^\d+$/;
const MAX_ID = 0xfffffffe; // (uid_t)-1 is never a real id

function parseId(text: string, what: string, problems: Problems): number | undefined {
  if (!DECIMAL_ID.test(text) || Number(text) > MAX_ID) {
    problems.option('--user', `"${text}" is not a valid ${what} (the format is <uid>[:<gid>], numeric)`);
    return undefined;
  }
  return Number(text);
}

function addCaps(caps: Capabilities | undefined, names: readonly string[], problems: Problems): Capabilities | undefined {
  const valid = names.filter((name) => {
    if (capabilityNumber(name) !== undefined) return true;
    const upper = name.toUpperCase();
    const guess = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
    problems.option('--cap', `unknown capability "${name}"${capabilityNumber(guess) !== undefined ? ` (did you mean "${guess}"?)` : ''}`);
    return false;
  });
  // Without a capabilities object the process keeps every capability already.
  if (caps === undefined || valid.length === 0) return caps;
  const add = (set: string[] | undefined): string[] => [...(set ?? []), ...valid.filter((c) => !(set ?? []).includes(c))];
  return { ...caps, bounding: add(caps.bounding), effective: add(caps.effective), permitted: add(caps.permitted) };
}

/** The config's process with the command line applied. */
function composeFromConfig(base: Process, o: ExecOverrides, problems: Problems): Process {
  const p: Process = { ...base, user: { ...(base.user ?? {}) } };
  p.args = [...o.args];
  if (o.cwd !== null) {
    if (!o.cwd.startsWith('/')) problems.option('--cwd', `"${o.cwd}" must be an absolute path`);
    else p.cwd = o.cwd;
  }
  o.env.forEach((e) => {
    const eq = e.indexOf('=');
    if (eq < 0) problems.option('--env', `invalid environment variable "${e}" (the format is NAME=value)`);
    else if (eq === 0) problems.option('--env', `environment variable name can't be empty: "${e}"`);
  });
  p.env = mergeEnv(base.env ?? [], o.env.filter((e) => e.indexOf('=') > 0));
  p.terminal = o.tty;
  if (o.noNewPrivs !== null) p.noNewPrivileges = o.noNewPrivs;
  if (o.user !== null) {
    const [uid, gid, extra] = o.user.split(':');
    if (extra !== undefined) problems.option('--user', `"${o.user}" is not of the form <uid>[:<gid>]`);
    const u = parseId(uid ?? '', 'uid', problems);
    if (u !== undefined) p.user!.uid = u;
    if (gid !== undefined) {
      const g = parseId(gid, 'gid', problems);
      if (g !== undefined) p.user!.gid = g;
    }
  }
  if (o.additionalGids.length > 0) p.user!.additionalGids = [...(base.user?.additionalGids ?? []), ...o.additionalGids];
  p.capabilities = addCaps(base.capabilities, o.caps, problems);
  if (o.apparmor !== '') p.apparmorProfile = o.apparmor;
  if (o.processLabel !== '') p.selinuxLabel = o.processLabel;
  return p;
}

/** planProcess speaks of config.json's /process; for a process.json the document is the process itself. */
function asProcessJson(message: string): string {
  const m = /^config\.json: \/process(\/[^:]*)?: (.*)$/s.exec(message);
  return m ? `process.json: ${m[1] ?? '/'}: ${m[2]}` : message;
}

export function buildExecPlan(input: ExecPlanInput, env: ExecPlanEnv = {}): ExecPlan {
  const warn = env.warn ?? (() => {});
  const debug = env.debug ?? (() => {});
  const problems = new Problems();
  if (!Number.isInteger(input.preserveFds) || input.preserveFds < 0) {
    problems.option('--preserve-fds', `${input.preserveFds} is not a non-negative integer`);
  }
  const fromFile = input.processFile !== null;
  let proc: Process;
  if (input.processFile !== null) {
    // A process.json without capabilities gets the container's, as with
    // runc: never more than the container was given.
    proc = { ...input.processFile };
    const base = input.spec.process;
    if (base !== undefined) {
      if (proc.capabilities === undefined && base.capabilities !== undefined) proc.capabilities = base.capabilities;
      if ((proc.apparmorProfile ?? '') === '' && base.apparmorProfile !== undefined) proc.apparmorProfile = base.apparmorProfile;
      if ((proc.selinuxLabel ?? '') === '' && base.selinuxLabel !== undefined) proc.selinuxLabel = base.selinuxLabel;
      proc.scheduler ??= base.scheduler;
      proc.ioPriority ??= base.ioPriority;
      proc.execCPUAffinity ??= base.execCPUAffinity;
    }
  } else if (input.spec.process === undefined) {
    problems.config(pointer('process'), 'missing: nothing to start from (use --process)');
    proc = { cwd: '/', args: input.overrides.args };
  } else {
    proc = composeFromConfig(input.spec.process, input.overrides, problems);
  }

  const sub = new Problems();
  const processed = planProcess(proc, { consoleSocket: input.consoleSocket, foreground: !input.detach, lsm: input.lsm }, sub, warn);
  const planned = { ...processed, capabilities: dropUnknownToKernel(processed.capabilities, env.capLast ?? kernelCapLast(), warn) };
  const cpuAffinity = planCpuAffinity(proc.execCPUAffinity, sub);
  const noArgs = !fromFile && input.overrides.args.length === 0;
  if (noArgs) problems.messages.push('process args cannot be empty (give a command, or --process)');
  // A profile or label given with --apparmor or --process-label is that flag's problem.
  const flagged: [string, string, string][] = fromFile
    ? []
    : [
        ['apparmorProfile', '--apparmor', input.overrides.apparmor],
        ['selinuxLabel', '--process-label', input.overrides.processLabel],
      ];
  for (const m of sub.messages) {
    if (noArgs && m.startsWith('config.json: /process/args:')) continue;
    const flag = flagged.find(([field, , value]) => value !== '' && m.startsWith(`config.json: /process/${field}: `));
    if (flag !== undefined) problems.option(flag[1], m.slice(`config.json: /process/${flag[0]}: `.length));
    else problems.messages.push(fromFile ? asProcessJson(m) : m);
  }
  // Checked at create already; an exec gets the container's filter as it is.
  const seccompPart = planSeccomp(input.spec.linux?.seccomp, problems, debug);
  // The container's own settings (checked at create; the config may have changed since).
  const personality = planPersonality(input.spec.linux?.personality, problems);
  const memoryPolicy = planMemoryPolicy(input.spec.linux?.memoryPolicy, problems);
  if (problems.messages.length > 0) throw new PlanError([...problems.messages]);
  const process = { ...planned, oomScoreAdj: null };
  const annotations = { ...(input.spec.annotations ?? {}) };
  const seccomp = seccompPart
    ? finishSeccomp(
        seccompPart,
        process,
        { ociVersion: SPEC_VERSION, id: input.id, status: input.status, bundle: input.bundle, annotations },
        env.compileSeccomp ?? compileSeccomp,
        debug,
      )
    : null;

  return {
    version: EXEC_PLAN_VERSION,
    id: input.id,
    initPid: input.init.pid,
    initStartTime: input.init.startTime,
    root: `/proc/${input.init.pid}/root`,
    namespaces: execNamespaces(input.spec, input.init.pid),
    cgroupProcs: [...input.cgroupProcs],
    process,
    personality,
    memoryPolicy,
    cpuAffinity,
    sessionKeyring: `_ses.${input.id}`,
    consoleSocket: input.consoleSocket,
    foreground: !input.detach,
    preserveFds: input.preserveFds,
    seccomp,
  };
}
