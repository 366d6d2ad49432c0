// `create`: validate, plan, spawn runts-init, record the state. On any
// failure nothing is left behind: no state dir, no fifo, no process.
import { lstatSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadSpec } from '../spec/load.js';
import { buildPlan } from '../plan/build-plan.js';
import { stateRootCompiler } from '../seccomp/cache.js';
import { planHooks } from '../plan/hooks.js';
import type { HookStateBase } from '../hooks/state.js';
import type { Logger } from '../log.js';
import type { CgroupManager } from '../cgroups/manager.js';
import { RuntsError } from './errors.js';
import { writeFileAtomic } from './files.js';
import { cgroupProcsFiles, removeCgroups, setUpCgroups } from './cgroups.js';
import { runInit, spawnInit, spawnInitAhead, type InitHandle, type SpawnedInit } from './init-runner.js';
import { readProcStat } from './proc.js';
import { signalContainer, waitGone } from './signal-process.js';
import { SPEC_VERSION, StateStore, validateId, type StoredState } from './state-store.js';

export interface CreateOptions {
  id: string;
  bundle: string;
  pidFile: string | null;
  consoleSocket: string | null;
  noPivot: boolean;
  noNewKeyring: boolean;
  preserveFds: number;
  /** runts stays the parent of the container (foreground `run`). */
  foreground: boolean;
  log: Logger;
  /** fds for the container process's stdin, stdout and stderr (the shim's pipes); default: runts' own. */
  stdio?: readonly [number, number, number];
}

export interface Created {
  state: StoredState;
  init: InitHandle;
}

/** RFC 3339 with nanoseconds and trailing zeros trimmed, like Go's RFC3339Nano. */
export function nowRfc3339Nano(): string {
  return rfc3339Nano(Date.now(), Number(process.hrtime.bigint() % 1_000_000n));
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * The UTC time `epochMs` (+ `subMs` nanoseconds) in that form, computed
 * without a Date: the first Date formatting loads the host's time zone
 * (/etc/localtime), ~0.3 ms of every create for a UTC string.
 */
export function rfc3339Nano(epochMs: number, subMs: number): string {
  const ms = ((epochMs % 86_400_000) + 86_400_000) % 86_400_000;
  // Days since 1970-01-01 to a civil date (proleptic Gregorian), as in
  // Howard Hinnant's days_from_civil inverse.
  const z = (epochMs - ms) / 86_400_000 + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const secs = Math.floor(ms / 1000);
  const frac = (pad(ms % 1000, 3) + pad(subMs, 6)).replace(/0+$/, '');
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${pad(secs % 60, 2)}${frac ? `.${frac}` : ''}Z`;
}

function checkBundle(bundle: string): void {
  try {
    if (!statSync(bundle).isDirectory()) throw new RuntsError(`chdir ${bundle}: not a directory`);
  } catch (e) {
    if (e instanceof RuntsError) throw e;
    throw new RuntsError(`chdir ${bundle}: no such file or directory`);
  }
}

/** As runc: the rootfs must be a real directory, not a symlink that could point anywhere later. */
function checkRootfs(rootfs: string): void {
  let st;
  try {
    st = lstatSync(rootfs);
  } catch {
    throw new RuntsError(`invalid rootfs: ${rootfs}: no such file or directory`);
  }
  if (st.isSymbolicLink()) throw new RuntsError(`invalid rootfs: ${rootfs}: not an absolute path, or a symlink`);
  if (!st.isDirectory()) throw new RuntsError(`invalid rootfs: ${rootfs}: not a directory`);
}

export async function createContainer(store: StateStore, opts: CreateOptions): Promise<Created> {
  validateId(opts.id);
  const bundle = resolve(opts.bundle);
  checkBundle(bundle);
  // runts-init starts (exec, sealed re-exec) while the plan is built; it
  // exits without a word if runts gives up before sending it.
  const spawned = spawnInitAhead(opts.preserveFds, opts.stdio);
  const talking = { started: false };
  try {
    return await createFrom(store, opts, bundle, spawned, talking);
  } catch (e) {
    if (spawned && !talking.started) await spawned.abort();
    throw e;
  }
}

async function createFrom(
  store: StateStore,
  opts: CreateOptions,
  bundle: string,
  spawned: SpawnedInit | null,
  talking: { started: boolean },
): Promise<Created> {
  const spec = loadSpec(bundle);
  const terminal = spec.process?.terminal === true;
  if (opts.consoleSocket !== null && !terminal) {
    throw new RuntsError('cannot use console socket if runts will not detach or allocate tty');
  }
  if (terminal && opts.consoleSocket === null && !opts.foreground) {
    throw new RuntsError('cannot allocate tty if runts will detach without setting console socket');
  }
  const plan = buildPlan(spec, {
    id: opts.id,
    bundle,
    execFifo: store.fifoPath(opts.id),
    consoleSocket: opts.consoleSocket === null ? null : resolve(opts.consoleSocket),
    noPivot: opts.noPivot,
    noNewKeyring: opts.noNewKeyring,
    preserveFds: opts.preserveFds,
    foreground: opts.foreground,
  }, {
    warn: (m) => opts.log.warn(m),
    debug: (m) => opts.log.debug(m),
    compileSeccomp: stateRootCompiler(store.root),
  });
  checkRootfs(plan.rootfs);
  opts.log.debug('plan built', { id: opts.id, mounts: plan.mounts.length, namespaces: plan.namespaces.map((n) => n.type) });

  // Already checked by buildPlan; the runtime's own kinds, normalised.
  const hooks = planHooks(spec.hooks);
  const hookBase: HookStateBase = { ociVersion: SPEC_VERSION, id: opts.id, bundle, annotations: spec.annotations ?? {} };

  store.create(opts.id);
  const release = store.lock(opts.id);
  let init: InitHandle | undefined;
  let state: StoredState | undefined;
  let cg: CgroupManager | null = null;
  try {
    // The cgroups exist, with their limits, before any container process:
    // runts-init puts the container init in them right after the clone
    // (InitPlan.cgroupProcs) and stays out of them itself.
    cg = await setUpCgroups({ id: opts.id, cgroupsPath: spec.linux?.cgroupsPath, resources: spec.linux?.resources, log: opts.log });
    const saved = cg?.save();
    const placed = {
      ...plan,
      cgroupProcs: saved ? cgroupProcsFiles(saved) : [],
      cloneIntoCgroup: saved?.version === 2 ? (Object.values(saved.paths)[0] ?? null) : null,
    };
    talking.started = true;
    // The hook runner (and node:child_process behind it) loads only for a config with hooks.
    const onHooks = async (pid: number): Promise<void> => (await import('../hooks/lifecycle.js')).runCreateHooks(hookBase, hooks, pid, opts.log);
    init = await runInit(placed, { onHooks }, spawned ?? spawnInit(placed.preserveFds, opts.stdio));
    const stat = readProcStat(init.pid);
    if (!stat) throw new RuntsError(`container init (pid ${init.pid}) exited during create`);
    state = {
      ociVersion: SPEC_VERSION,
      id: opts.id,
      pid: init.pid,
      pidStartTime: stat.startTime,
      bundle,
      rootfs: plan.rootfs,
      created: nowRfc3339Nano(),
      annotations: spec.annotations ?? {},
      ownPidNamespace: plan.namespaces.some((n) => n.type === 'pid' && n.path === null),
      hooks: { poststart: hooks.poststart, poststop: hooks.poststop },
      ...(cg ? { cgroups: cg.save() } : {}),
      ...(spec.linux?.resources ? { resources: spec.linux.resources } : {}),
    };
    store.write(state);
    if (opts.pidFile !== null) writeFileAtomic(opts.pidFile, String(init.pid));
    if (!opts.foreground) await init.exited;
    return { state, init };
  } catch (e) {
    if (init) {
      const ref = { pid: init.pid, pidStartTime: readProcStat(init.pid)?.startTime ?? '', ownPidNamespace: true };
      try {
        signalContainer(ref, 9, true);
        await waitGone(ref);
      } catch {
        // already gone
      }
    }
    if (cg) {
      // runts-init and anything the container started go with it.
      try {
        await removeCgroups(cg);
      } catch (e2) {
        opts.log.warn(`removing the container's cgroups after the failed create: ${(e2 as Error).message}`);
      }
    }
    store.remove(opts.id);
    // As runc does, and as the lifecycle says for a failed prestart,
    // createRuntime or createContainer hook (steps 12, 13): the container
    // is destroyed, then the poststop hooks run.
    if (hooks.poststop.length > 0) await (await import('../hooks/lifecycle.js')).runPoststop(hookBase, hooks.poststop, opts.log);
    throw e;
  } finally {
    release();
  }
}
