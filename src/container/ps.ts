// `ps`: the container's processes, as the host pids in its cgroup. JSON is
// that array (what containerd reads); the table is the host's `ps` output
// (`ps -ef` unless other ps arguments follow the id) cut down to the rows
// of those pids, as runc prints it.
import { spawnSync } from 'node:child_process';
import type { Logger } from '../log.js';
import { openCgroups } from './cgroups.js';
import { RuntsError } from './errors.js';
import type { StateStore } from './state-store.js';

/** Host pids of the container's processes; [] once it has stopped. */
export async function containerPids(store: StateStore, id: string, log: Logger): Promise<number[]> {
  const state = store.read(id);
  if (state === null) return [];
  const cg = await openCgroups(state, log);
  if (cg) return cg.pids();
  // No cgroup of its own: the init is all runts can name.
  return store.status(state) === 'stopped' ? [] : [state.pid];
}

/** runc prints Go's nil slice for a container without processes. */
export function formatPidsJson(pids: readonly number[]): string {
  return pids.length === 0 ? 'null' : JSON.stringify(pids);
}

/** Keeps the header and the rows whose PID column is one of `pids`. */
export function filterPsOutput(output: string, pids: readonly number[]): string {
  const lines = output.split('\n');
  const header = lines[0] ?? '';
  const column = header.trim().split(/\s+/).indexOf('PID');
  if (column < 0) throw new RuntsError("couldn't find PID field in ps output");
  const wanted = new Set(pids);
  const out = [header];
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const field = line.trim().split(/\s+/)[column] ?? '';
    if (!/^\d+$/.test(field)) throw new RuntsError(`unexpected pid '${field}': not a number`);
    if (wanted.has(Number(field))) out.push(line);
  }
  return out.join('\n') + '\n';
}

/** Runs the host's ps with `args` (default -ef) and filters its table. */
export function psTable(pids: readonly number[], args: readonly string[]): string {
  const r = spawnSync('ps', args.length > 0 ? [...args] : ['-ef'], { encoding: 'utf8' });
  if (r.error) throw new RuntsError(`ps: ${r.error.message}`);
  if (r.status !== 0) {
    const how = r.status === null ? `signal: ${r.signal}` : `exit status ${r.status}`;
    throw new RuntsError(`${how}: ${(r.stdout + r.stderr).trim()}`);
  }
  return filterPsOutput(r.stdout, pids);
}
