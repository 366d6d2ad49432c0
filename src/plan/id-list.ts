// Lists of CPU or NUMA node numbers in the kernel's "list format"
// (Documentation/admin-guide/cgroup-v2.rst, cpuset.cpus): comma-separated
// numbers and inclusive ranges, "0-3,7". Used by process.execCPUAffinity
// and linux.memoryPolicy.nodes.

export interface IdListResult {
  /** Sorted, without duplicates; [] for an empty or blank string. */
  ids: number[];
  /** Why the text is not a list, or null. */
  error: string | null;
}

/**
 * Parses `text`; numbers above `max` are refused (they would need a mask
 * larger than the kernel accepts). Blanks around entries are allowed, as the
 * kernel's own parser allows them.
 */
export function parseIdList(text: string, max: number): IdListResult {
  const ids = new Set<number>();
  if (text.trim() === '') return { ids: [], error: null };
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    const m = /^(\d+)(?:-(\d+))?$/.exec(entry);
    if (m === null) return { ids: [], error: `"${text}" is not a list like "0-3,7" (bad entry "${entry}")` };
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return { ids: [], error: `"${text}": range "${entry}" ends before it starts` };
    if (hi > max) return { ids: [], error: `"${text}": ${hi} is above the largest allowed number (${max})` };
    for (let n = lo; n <= hi; n++) ids.add(n);
  }
  return { ids: [...ids].sort((a, b) => a - b), error: null };
}
