// process.rlimits -> setrlimit(2) resource numbers and exact decimal values.
import type { Rlimit } from '../spec/types.js';
import type { PlanRlimit } from './types.js';
import { pointer, type Problems } from './errors.js';

/** Index = RLIMIT_* number (<asm-generic/resource.h>; the same on x86 and arm64). */
export const RLIMIT_NAMES: readonly string[] = [
  'RLIMIT_CPU',
  'RLIMIT_FSIZE',
  'RLIMIT_DATA',
  'RLIMIT_STACK',
  'RLIMIT_CORE',
  'RLIMIT_RSS',
  'RLIMIT_NPROC',
  'RLIMIT_NOFILE',
  'RLIMIT_MEMLOCK',
  'RLIMIT_AS',
  'RLIMIT_LOCKS',
  'RLIMIT_SIGPENDING',
  'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE',
  'RLIMIT_RTPRIO',
  'RLIMIT_RTTIME',
];

const BY_NAME: ReadonlyMap<string, number> = new Map(RLIMIT_NAMES.map((name, i) => [name, i]));

export function rlimitNumber(name: string): number | undefined {
  return BY_NAME.get(name);
}

/** RLIM_INFINITY: (rlim_t)-1. */
export const RLIM_INFINITY = 18446744073709551615n;

/**
 * The exact value as a bigint. JSON.parse turns 18446744073709551615
 * (RLIM_INFINITY, the usual "unlimited") into 18446744073709551616, so
 * anything at or above 2^64 means infinity. Below that, values past 2^53
 * have already lost precision in the parse; they are kept as parsed.
 */
export function rlimitValue(n: number): bigint {
  const v = BigInt(Math.trunc(n));
  return v > RLIM_INFINITY ? RLIM_INFINITY : v;
}

export function planRlimits(rlimits: Rlimit[] | undefined, problems: Problems): PlanRlimit[] {
  const out: PlanRlimit[] = [];
  const seen = new Map<string, number>();
  (rlimits ?? []).forEach((r, i) => {
    const at = (field: string) => pointer('process', 'rlimits', i, field);
    const resource = rlimitNumber(r.type);
    if (resource === undefined) {
      problems.config(at('type'), `unknown rlimit "${r.type}"`);
      return;
    }
    const first = seen.get(r.type);
    if (first !== undefined) {
      problems.config(at('type'), `duplicate rlimit "${r.type}" (first at ${pointer('process', 'rlimits', first)})`);
      return;
    }
    seen.set(r.type, i);
    const soft = rlimitValue(r.soft);
    const hard = rlimitValue(r.hard);
    if (soft > hard) {
      problems.config(at('soft'), `soft limit ${soft} is above the hard limit ${hard} for ${r.type}`);
      return;
    }
    out.push({ resource, soft: soft.toString(), hard: hard.toString() });
  });
  return out;
}
