// spec.process -> PlanProcess: the command, its environment and identity.
import type { Process } from '../spec/types.js';
import type { PlanProcess } from './types.js';
import { planCapabilities } from './capabilities.js';
import { pointer, type Problems } from './errors.js';
import { cleanContainerPath } from './paths.js';
import { chooseApparmorProfile, chooseSelinuxLabel, type HostLsm } from './lsm.js';
import { planRlimits } from './rlimits.js';
import { planIoPriority, planScheduler } from './scheduler.js';

/** (uid_t)-1 means "unchanged" to setresuid(2) and is never a real id. */
const INVALID_ID = 0xffffffff;
const OOM_SCORE_ADJ_MIN = -1000;
const OOM_SCORE_ADJ_MAX = 1000;

function checkArgs(args: string[] | undefined, problems: Problems): string[] {
  if (args === undefined || args.length === 0) {
    problems.config(pointer('process', 'args'), 'must not be empty');
    return [];
  }
  if (args[0] === '') problems.config(pointer('process', 'args', 0), 'must not be empty (it names the program to run)');
  args.forEach((a, i) => {
    // execve(2) takes C strings: everything after a NUL would vanish.
    if (a.includes('\0')) problems.config(pointer('process', 'args', i), 'must not contain NUL');
  });
  return [...args];
}

/** NAME of a NAME=value entry. */
export function envName(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

function checkEnv(env: string[] | undefined, problems: Problems): string[] {
  (env ?? []).forEach((e, i) => {
    const at = pointer('process', 'env', i);
    const eq = e.indexOf('=');
    if (eq < 0) problems.config(at, `"${e}" is not of the form NAME=value`);
    else if (eq === 0) problems.config(at, `"${e}" has an empty variable name`);
    else if (e.includes('\0')) problems.config(at, 'must not contain NUL');
  });
  return [...(env ?? [])];
}

function checkId(id: number, ptr: string, problems: Problems): void {
  if (id === INVALID_ID) problems.config(ptr, `${id} is not a valid id ((uid_t)-1 is reserved)`);
}

export interface TerminalOptions {
  consoleSocket: string | null;
  foreground: boolean;
}

export interface ProcessOptions extends TerminalOptions {
  /** The host's security modules: a profile or label needs its module. */
  lsm: HostLsm;
}

/**
 * A terminal needs somewhere to send its pty master: the console socket, or
 * runts itself when it stays in the foreground. These mirror runc's checks.
 */
function checkTerminal(terminal: boolean, opts: TerminalOptions, problems: Problems): void {
  if (terminal && opts.consoleSocket === null && !opts.foreground) {
    problems.config(pointer('process', 'terminal'), 'a terminal needs --console-socket when the container is detached');
  }
  if (opts.consoleSocket !== null && !terminal) {
    problems.option('--console-socket', 'can only be used when process.terminal is true');
  }
  if (opts.consoleSocket !== null && opts.foreground) {
    problems.option('--console-socket', 'can only be used with a detached container');
  }
}

export function planProcess(
  p: Process,
  opts: ProcessOptions,
  problems: Problems,
  warn: (message: string) => void,
): PlanProcess {
  const args = checkArgs(p.args, problems);
  const env = checkEnv(p.env, problems);

  let cwd = '/';
  if (p.cwd === '') problems.config(pointer('process', 'cwd'), 'must not be empty');
  else if (!p.cwd.startsWith('/')) problems.config(pointer('process', 'cwd'), `"${p.cwd}" must be an absolute path`);
  else cwd = cleanContainerPath(p.cwd);

  const user = p.user ?? {};
  const uid = user.uid ?? 0;
  const gid = user.gid ?? 0;
  checkId(uid, pointer('process', 'user', 'uid'), problems);
  checkId(gid, pointer('process', 'user', 'gid'), problems);
  const additionalGids = [...(user.additionalGids ?? [])];
  additionalGids.forEach((g, i) => checkId(g, pointer('process', 'user', 'additionalGids', i), problems));
  if (user.umask !== undefined && user.umask > 0o777) {
    problems.config(pointer('process', 'user', 'umask'), `${user.umask} is not a umask (at most 511, i.e. 0o777)`);
  }

  if (p.oomScoreAdj !== undefined && (p.oomScoreAdj < OOM_SCORE_ADJ_MIN || p.oomScoreAdj > OOM_SCORE_ADJ_MAX)) {
    problems.config(pointer('process', 'oomScoreAdj'), `${p.oomScoreAdj} is outside ${OOM_SCORE_ADJ_MIN}..${OOM_SCORE_ADJ_MAX}`);
  }

  const terminal = p.terminal === true;
  checkTerminal(terminal, opts, problems);

  const apparmor = chooseApparmorProfile(p.apparmorProfile, opts.lsm);
  if (apparmor.problem !== null) problems.config(pointer('process', 'apparmorProfile'), apparmor.problem);
  const selinux = chooseSelinuxLabel(p.selinuxLabel, opts.lsm);
  if (selinux.problem !== null) problems.config(pointer('process', 'selinuxLabel'), selinux.problem);

  return {
    args,
    env,
    setHome: !env.some((e) => envName(e) === 'HOME'),
    cwd,
    uid,
    gid,
    additionalGids,
    umask: user.umask ?? null,
    rlimits: planRlimits(p.rlimits, problems),
    oomScoreAdj: p.oomScoreAdj ?? null,
    noNewPrivileges: p.noNewPrivileges === true,
    capabilities: planCapabilities(p.capabilities, problems, warn),
    terminal,
    // runtime-spec: consoleSize is ignored unless terminal is true.
    consoleSize: terminal && p.consoleSize !== undefined ? { height: p.consoleSize.height, width: p.consoleSize.width } : null,
    scheduler: planScheduler(p.scheduler, problems),
    ioPriority: planIoPriority(p.ioPriority, problems),
    apparmorProfile: apparmor.value,
    selinuxLabel: selinux.value,
  };
}
