// `exec`: start one more process inside an existing container. runts checks
// the container, composes the process (config.json's, or a process.json),
// and hands an ExecPlan to runts-init, which joins the container init's
// namespaces, cgroups and root and starts the process. Every failure is
// reported as runc reports it: "exec failed: <reason>", exit status 255.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { constants } from 'node:os';
import { forwardSignals } from './forward-signals.js';
import type { Process } from '../spec/types.js';
import { loadSpec } from '../spec/load.js';
import { validateProcess } from '../spec/validate.js';
import { buildExecPlan, type ExecOverrides } from '../plan/exec-plan.js';
import type { Logger } from '../log.js';
import { RuntsError } from './errors.js';
import { cgroupProcsFiles } from './cgroups.js';
import { cgroupProcsForInit } from './exec-cgroups.js';
import { subCgroupProcs } from './exec-subcgroup.js';
import { runExec, type ExecHandle } from './exec-runner.js';
import { spawnInit, spawnInitAhead } from './init-runner.js';
import { stateRootCompiler } from '../seccomp/cache.js';
import { writeFileAtomic } from './files.js';
import { detectHostLsm } from '../plan/lsm.js';
import { readProcStat } from './proc.js';
import { signalContainer } from './signal-process.js';
import type { StateStore } from './state-store.js';

const SIGNUM = constants.signals as Record<string, number>;

/** runc's exit status for every failure of exec itself (the process's own status is passed through). */
export const EXEC_FAILED = 255;

export interface ExecOptions {
  id: string;
  /** --process: path of a process.json (relative to the cwd), replacing config.json's process and the per-field flags. */
  processFile: string | null;
  overrides: ExecOverrides;
  consoleSocket: string | null;
  detach: boolean;
  pidFile: string | null;
  preserveFds: number;
  /** --cgroup values: sub-cgroups of the container's cgroups to run in ([] for the container's own). */
  cgroups: string[];
  log: Logger;
  /** fds for the process's stdin, stdout and stderr (the shim's pipes); default: runts' own. */
  stdio?: readonly [number, number, number];
}


function errnoText(e: NodeJS.ErrnoException): string {
  return /^[A-Z0-9_]+: ([^,]+),/.exec(e.message)?.[1] ?? e.message;
}

/** Reads and schema-checks a process.json. */
export function loadProcessFile(path: string): Process {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RuntsError(`open ${path}: ${errnoText(e as NodeJS.ErrnoException)}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new RuntsError(`process.json: invalid JSON: ${(e as Error).message}`);
  }
  const errors = validateProcess(doc);
  if (errors.length > 0) throw new RuntsError(errors.length === 1 ? errors[0]! : `${errors.length} problems:\n  ${errors.join('\n  ')}`);
  return doc as Process;
}

/** Everything up to "created", under the container's lock. */
async function start(store: StateStore, opts: ExecOptions): Promise<ExecHandle> {
  const processFile = opts.processFile === null ? null : loadProcessFile(opts.processFile);
  const terminal = processFile !== null ? processFile.terminal === true : opts.overrides.tty;
  // runc's own checks and words.
  if (opts.detach && terminal && opts.consoleSocket === null) {
    throw new RuntsError('cannot allocate tty if runts will detach without setting console socket');
  }
  if ((!opts.detach || !terminal) && opts.consoleSocket !== null) {
    throw new RuntsError('cannot use console socket if runts will not detach or allocate tty');
  }

  const release = store.lock(opts.id);
  // runts-init starts (exec, sealed re-exec) while the plan is built; it
  // exits without a word if runts gives up before sending it.
  const spawned = spawnInitAhead(opts.preserveFds, opts.stdio);
  let talking = false;
  try {
    const state = store.read(opts.id);
    const status = store.status(state);
    if (state === null) throw new RuntsError('cannot exec in a container that is still being created');
    if (status === 'stopped') throw new RuntsError('cannot exec in a stopped container');
    // A process joining frozen cgroups would freeze with them (runc: --ignore-paused, which runts does not have).
    if (status === 'paused') throw new RuntsError('cannot exec in a paused container');
    const spec = loadSpec(state.bundle);
    const plan = buildExecPlan(
      {
        id: opts.id,
        init: { pid: state.pid, startTime: state.pidStartTime },
        spec,
        processFile,
        overrides: opts.overrides,
        consoleSocket: opts.consoleSocket === null ? null : resolve(opts.consoleSocket),
        detach: opts.detach,
        preserveFds: opts.preserveFds,
        cgroupProcs:
          opts.cgroups.length > 0
            ? subCgroupProcs(state.cgroups, opts.cgroups)
            : state.cgroups
              ? cgroupProcsFiles(state.cgroups)
              : cgroupProcsForInit(state.pid),
        lsm: detectHostLsm(),
        bundle: state.bundle,
        status,
      },
      // What the config's own process says was already warned about at create.
      {
        warn: (m) => (processFile === null ? opts.log.debug(m) : opts.log.warn(m)),
        debug: (m) => opts.log.debug(m),
        compileSeccomp: stateRootCompiler(store.root),
      },
    );
    opts.log.debug('exec plan built', { id: opts.id, args: plan.process.args, namespaces: plan.namespaces.map((n) => n.type), cgroups: plan.cgroupProcs });
    try {
      talking = true;
      return await runExec(plan, spawned ?? spawnInit(plan.preserveFds, opts.stdio));
    } catch (e) {
      // The init may have gone between the status check and the setns.
      if (store.status(state) === 'stopped') throw new RuntsError('cannot exec in a stopped container');
      throw e;
    }
  } catch (e) {
    if (spawned && !talking) await spawned.abort();
    throw e;
  } finally {
    release();
  }
}

/** Runs `exec`; resolves to the exit status for the CLI. */
export async function execProcess(store: StateStore, opts: ExecOptions): Promise<number> {
  // Signals that arrive before the process exists are passed on once it does.
  const early: number[] = [];
  let target: { pid: number; pidStartTime: string; ownPidNamespace: boolean } | null = null;
  const forward = (signum: number): void => {
    if (target === null) {
      early.push(signum);
      return;
    }
    try {
      signalContainer(target, signum, false);
    } catch {
      // already exited; its status arrives through `exited`
    }
  };
  const stopForwarding = opts.detach ? () => {} : forwardSignals(forward);
  try {
    let handle: ExecHandle;
    try {
      handle = await start(store, opts);
      if (opts.pidFile !== null) writeFileAtomic(opts.pidFile, String(handle.pid));
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new RuntsError(`exec failed: ${msg}`, EXEC_FAILED);
    }
    if (opts.detach) {
      await handle.exited;
      return 0;
    }
    const stat = readProcStat(handle.pid);
    target = { pid: handle.pid, pidStartTime: stat?.startTime ?? '', ownPidNamespace: false };
    for (const s of early.splice(0)) forward(s);
    const { code, signal } = await handle.exited;
    if (code !== null) return code;
    // runts-init itself died by a signal: report it the shell way.
    return 128 + (signal ? SIGNUM[signal]! : 0);
  } finally {
    stopForwarding();
  }
}
