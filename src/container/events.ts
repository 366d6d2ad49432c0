// `events`: the container's cgroup statistics as runc prints them, once
// (--stats) or every --interval, plus {"type":"oom","id":...} whenever the
// kernel's OOM killer kills in the container.
//
// OOM notices come from a counter the kernel keeps per memory cgroup (v1
// memory.oom_control "oom_kill", v2 memory.events "oom_kill"), read every
// quarter second: one event for each reading that went up. runc 1.1.5
// listens on an eventfd instead and, on this host, reports one OOM as
// thousands of identical events; containerd takes any of them as "the
// container hit OOM", which one per increase says as well.
//
// The stream ends (status 0) when the container has stopped, after a last
// look at the OOM counter (the OOM killer may have taken the init itself).
// runc keeps printing stats of the stopped container until it is deleted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SavedCgroups } from '../cgroups/manager.js';
import type { Logger } from '../log.js';
import { requireCgroups } from './cgroups.js';
import { RuntsError } from './errors.js';
import { sleep } from './files.js';
import { isAlive } from './proc.js';
import type { StateStore, StoredState } from './state-store.js';

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration ("5s", "1m30s", "250ms", "1.5h", "0"), in milliseconds; null when malformed. */
export function parseDuration(text: string): number | null {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return null;
  let total = 0;
  const part = /^(\d+\.?\d*|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/;
  while (s !== '') {
    const m = part.exec(s);
    if (!m) return null;
    total += Number(m[1]) * UNITS[m[2]!]!;
    s = s.slice(m[0].length);
  }
  return sign * total;
}

/** The kernel's count of OOM kills in the container's memory cgroup; null where there is none to read. */
export function oomKills(cgroups: SavedCgroups): bigint | null {
  const file = cgroups.version === 1
    ? cgroups.paths.memory && join(cgroups.paths.memory, 'memory.oom_control')
    : cgroups.paths[''] && join(cgroups.paths[''], 'memory.events');
  if (!file) return null;
  try {
    const m = /^oom_kill (\d+)$/m.exec(readFileSync(file, 'utf8'));
    return m ? BigInt(m[1]!) : null;
  } catch {
    return null;
  }
}

export function oomEvent(id: string): string {
  return JSON.stringify({ type: 'oom', id });
}

function runningState(store: StateStore, id: string): StoredState {
  const state = store.read(id);
  if (state === null || store.status(state) === 'stopped') throw new RuntsError(`container with id ${id} is not running`);
  return state;
}

/** `events --stats`: one stats line. */
export async function statsOnce(store: StateStore, id: string, log: Logger): Promise<string> {
  const state = runningState(store, id);
  const cg = await requireCgroups(state, log);
  const { formatStatsEvent } = await import('../cgroups/stats.js');
  return formatStatsEvent(id, cg.stats());
}

const OOM_POLL_MS = 250;

/** `events`: stats every `intervalMs` and OOM notices, written line by line until the container stops. */
export async function streamEvents(store: StateStore, id: string, intervalMs: number, log: Logger, write: (line: string) => void): Promise<void> {
  const state = runningState(store, id);
  const cg = await requireCgroups(state, log);
  const { formatStatsEvent } = await import('../cgroups/stats.js');
  let kills = oomKills(state.cgroups!);
  if (kills === null) log.debug('no OOM kill counter in the memory cgroup: OOM events are not reported');
  const checkOom = (): void => {
    const now = oomKills(state.cgroups!);
    if (now !== null && kills !== null && now > kills) write(oomEvent(id));
    if (now !== null) kills = now;
  };
  let nextStats = Date.now() + intervalMs;
  for (;;) {
    checkOom();
    if (!isAlive(state.pid, state.pidStartTime) || !store.exists(id)) return;
    if (Date.now() >= nextStats) {
      let line: string;
      try {
        line = formatStatsEvent(id, cg.stats());
      } catch (e) {
        // Deleted meanwhile (its cgroup went with it): the stream is over.
        if (!isAlive(state.pid, state.pidStartTime) || !store.exists(id)) return;
        throw e;
      }
      write(line);
      nextStats += intervalMs;
      if (nextStats < Date.now()) nextStats = Date.now() + intervalMs;
    }
    await sleep(Math.max(1, Math.min(OOM_POLL_MS, nextStats - Date.now())));
  }
}
