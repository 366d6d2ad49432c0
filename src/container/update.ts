// `update`: new resource limits for a running (or created, or paused)
// container, written into its cgroups live and kept in its state.
//
// The input is runc 1.1.5's: either `--resources FILE|-`, linux.resources
// JSON as containerd sends it on stdin (then, as runc documents, the other
// flags are ignored: runts warns), or the per-field flags. As runc reads
// them, a flag's 0 (and a pids limit of 0 from either source) means "leave
// as is", -1 means "no limit"; memory sizes take units ("512m", "1g").
import { readFileSync } from 'node:fs';
import type { FlagValues } from '../cli/args.js';
import type { Logger } from '../log.js';
import type { LinuxResources } from '../spec/types.js';
import { requireCgroups } from './cgroups.js';
import { ContainerNotRunning, RuntsError } from './errors.js';
import type { StateStore } from './state-store.js';

const RAM_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** docker's RAMInBytes, which runc uses: "1024", "512k", "100M", "1.5g", "2GiB", "10mb" (all binary multiples). */
export function ramInBytes(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?) ?([kmgtp])?i?b?$/i.exec(text);
  if (!m) return null;
  const n = Math.floor(Number(m[1]) * RAM_UNITS[(m[2] ?? '').toLowerCase()]!);
  return Number.isSafeInteger(n) ? n : null;
}

function intFlag(flags: FlagValues, name: string, signed: boolean, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = flags[name];
  if (v === undefined || v === '') return undefined;
  const text = String(v);
  if (!(signed ? /^[-+]?\d+$/ : /^\+?\d+$/).test(text) || !Number.isSafeInteger(Number(text)) || Number(text) > max) {
    throw new RuntsError(`invalid value for ${name}: "${text}" is not ${signed ? 'an integer' : 'a non-negative integer'}${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ''}`);
  }
  return Number(text);
}

function memFlag(flags: FlagValues, name: string): number | undefined {
  const v = flags[name];
  if (v === undefined || v === '') return undefined;
  const text = String(v);
  if (text === '-1') return -1;
  const n = ramInBytes(text);
  if (n === null) throw new RuntsError(`invalid value for ${name}: invalid size: '${text}'`);
  return n;
}

/** Drops undefined members (and objects left empty). */
function compact<T extends object>(o: T): T | undefined {
  const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The per-field flags as linux.resources. */
export function resourcesFromFlags(flags: FlagValues): LinuxResources {
  for (const [name, what] of [['l3-cache-schema', 'L3 cache schema'], ['mem-bw-schema', 'memory bandwidth schema']] as const) {
    if (flags[name] !== undefined && flags[name] !== '') throw new RuntsError(`--${name}: Intel RDT (${what}) is not supported by runts`);
  }
  const pids = intFlag(flags, 'pids-limit', true);
  const weight = intFlag(flags, 'blkio-weight', false, 65535);
  const shares = intFlag(flags, 'cpu-share', false) ?? intFlag(flags, 'cpu-shares', false);
  const r: LinuxResources = {
    memory: compact({
      limit: memFlag(flags, 'memory'),
      reservation: memFlag(flags, 'memory-reservation'),
      swap: memFlag(flags, 'memory-swap'),
      kernel: memFlag(flags, 'kernel-memory'),
      kernelTCP: memFlag(flags, 'kernel-memory-tcp'),
    }),
    cpu: compact({
      shares,
      quota: intFlag(flags, 'cpu-quota', true),
      period: intFlag(flags, 'cpu-period', false),
      realtimeRuntime: intFlag(flags, 'cpu-rt-runtime', true),
      realtimePeriod: intFlag(flags, 'cpu-rt-period', false),
      cpus: (flags['cpuset-cpus'] as string | undefined) || undefined,
      mems: (flags['cpuset-mems'] as string | undefined) || undefined,
    }),
    blockIO: weight ? { weight } : undefined,
    pids: pids !== undefined ? { limit: pids } : undefined,
  };
  return compact(r) ?? {};
}

/** `--resources FILE|-`: linux.resources JSON, checked against the config schema. */
export async function readResourcesFile(path: string): Promise<LinuxResources> {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (e) {
    throw new RuntsError(`--resources: read ${path === '-' ? 'standard input' : path}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new RuntsError(`--resources: invalid JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new RuntsError('--resources: expected a JSON object (linux.resources)');
  const { validateConfig } = await import('../spec/validate.js');
  const problems = validateConfig({ ociVersion: '1.0.0', linux: { resources: doc } }).map((p) => p.replace(/^config\.json: \/linux\/resources/, '--resources: '));
  if (problems.length > 0) throw new RuntsError(problems.length === 1 ? problems[0]! : `${problems.length} problems:\n  ${problems.join('\n  ')}`);
  return doc as LinuxResources;
}

/** What the given input asks for, with runc's "0 is unchanged" for the pids limit. */
export function normalizeUpdate(r: LinuxResources): LinuxResources {
  const out = { ...r };
  if (out.pids && out.pids.limit === 0) delete out.pids;
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `patch` over `base`: objects merged member by member, arrays and values replaced. */
export function mergeResources(base: LinuxResources, patch: LinuxResources): LinuxResources {
  const merge = (a: unknown, b: unknown): unknown => {
    if (!isPlainObject(a) || !isPlainObject(b)) return b === undefined ? a : b;
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = merge(a[k], v);
    return out;
  };
  return merge(base, patch) as LinuxResources;
}

/** Parses the command line of `update` into the resources to apply. */
export async function updateInput(flags: FlagValues, log: Logger): Promise<LinuxResources> {
  const file = flags.resources as string | undefined;
  if (file === undefined || file === '') return resourcesFromFlags(flags);
  const ignored = Object.keys(flags).filter((f) => f !== 'resources' && f !== 'help' && flags[f] !== undefined && flags[f] !== false).map((f) => `--${f}`);
  if (ignored.length > 0) log.warn(`${ignored.join(', ')} ignored: --resources gives the resources to apply`);
  return readResourcesFile(file);
}

export async function updateContainer(store: StateStore, id: string, input: LinuxResources, log: Logger): Promise<void> {
  const release = store.lock(id);
  try {
    const state = store.read(id);
    const status = store.status(state);
    if (state === null || status === 'stopped' || status === 'creating') throw new ContainerNotRunning();
    const r = normalizeUpdate(input);
    const cg = await requireCgroups(state, log);
    cg.update(r);
    store.write({ ...state, resources: mergeResources(state.resources ?? {}, r) });
  } finally {
    release();
  }
}
