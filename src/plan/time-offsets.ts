// linux.timeOffsets: clock offsets written to /proc/<pid>/timens_offsets,
// which is only possible for a time namespace the container creates.
import type { LinuxTimeOffsets } from '../spec/types.js';
import type { PlanTimeOffset } from './types.js';
import { pointer, type Problems } from './errors.js';
import type { NamespaceSet } from './namespaces.js';

const CLOCKS: readonly PlanTimeOffset['clock'][] = ['monotonic', 'boottime'];
const NSEC_PER_SEC = 1_000_000_000;

export function planTimeOffsets(offsets: LinuxTimeOffsets | undefined, ns: NamespaceSet, problems: Problems): PlanTimeOffset[] {
  if (offsets === undefined) return [];
  const entries = Object.entries(offsets as Record<string, { secs?: number; nanosecs?: number } | undefined>);
  if (entries.length === 0) return [];
  if (!ns.isNew('time')) {
    problems.config(
      pointer('linux', 'timeOffsets'),
      'time offsets need a new time namespace (add {"type": "time"} without a path)',
    );
  }
  const out: PlanTimeOffset[] = [];
  for (const [clock, value] of entries) {
    const at = (...rest: string[]) => pointer('linux', 'timeOffsets', clock, ...rest);
    if (!(CLOCKS as readonly string[]).includes(clock)) {
      problems.config(at(), `unknown clock "${clock}" (only ${CLOCKS.join(' and ')} can be offset)`);
      continue;
    }
    const nanosecs = value?.nanosecs ?? 0;
    if (nanosecs >= NSEC_PER_SEC) {
      problems.config(at('nanosecs'), `${nanosecs} must be below ${NSEC_PER_SEC}; put whole seconds in secs`);
      continue;
    }
    out.push({ clock: clock as PlanTimeOffset['clock'], secs: value?.secs ?? 0, nanosecs });
  }
  return out;
}
