// linux.memoryPolicy -> what set_mempolicy(2) gets in the container init
// (and in every exec: the policy is the container's).
//
// config-linux.md: "mode" is REQUIRED; MPOL_DEFAULT and MPOL_LOCAL take no
// nodes, MPOL_BIND, MPOL_INTERLEAVE, MPOL_WEIGHTED_INTERLEAVE and
// MPOL_PREFERRED_MANY at least one; MPOL_PREFERRED with none means local
// allocation. Whether the nodes exist is the kernel's to say (EINVAL).
import type { MemoryPolicy } from '../spec/types.js';
import { pointer, type Problems } from './errors.js';
import { parseIdList } from './id-list.js';
import type { PlanMemoryPolicy } from './types.js';

/** MPOL_* modes (<linux/mempolicy.h>). */
export const MPOL_MODES: Readonly<Record<string, number>> = {
  MPOL_DEFAULT: 0,
  MPOL_PREFERRED: 1,
  MPOL_BIND: 2,
  MPOL_INTERLEAVE: 3,
  MPOL_LOCAL: 4,
  MPOL_PREFERRED_MANY: 5,
  MPOL_WEIGHTED_INTERLEAVE: 6,
};

/** MPOL_F_* mode flags, or'ed into the mode argument. */
export const MPOL_FLAGS: Readonly<Record<string, number>> = {
  MPOL_F_NUMA_BALANCING: 1 << 13,
  MPOL_F_RELATIVE_NODES: 1 << 14,
  MPOL_F_STATIC_NODES: 1 << 15,
};

/** CONFIG_NODES_SHIFT is at most 10: node numbers stay below 1024. */
export const MAX_NODE = 1023;

const NEEDS_NODES = new Set(['MPOL_BIND', 'MPOL_INTERLEAVE', 'MPOL_WEIGHTED_INTERLEAVE', 'MPOL_PREFERRED_MANY']);
const NO_NODES = new Set(['MPOL_DEFAULT', 'MPOL_LOCAL']);

export function planMemoryPolicy(mp: MemoryPolicy | undefined, problems: Problems): PlanMemoryPolicy | null {
  if (mp === undefined) return null;
  const at = (...rest: (string | number)[]) => pointer('linux', 'memoryPolicy', ...rest);
  const before = problems.messages.length;
  const mode = mp.mode === undefined ? undefined : MPOL_MODES[mp.mode];
  if (mp.mode === undefined) problems.config(at('mode'), 'required');
  else if (mode === undefined) problems.config(at('mode'), `unknown mode "${mp.mode}"`);

  let nodes: number[] = [];
  if (mp.nodes !== undefined) {
    const r = parseIdList(mp.nodes, MAX_NODE);
    if (r.error !== null) problems.config(at('nodes'), r.error);
    nodes = r.ids;
  }
  if (mp.mode !== undefined && NO_NODES.has(mp.mode) && nodes.length > 0) {
    problems.config(at('nodes'), `${mp.mode} takes no nodes`);
  }
  if (mp.mode !== undefined && NEEDS_NODES.has(mp.mode) && nodes.length === 0 && problems.messages.length === before) {
    problems.config(at('nodes'), `${mp.mode} needs at least one node`);
  }

  let flags = 0;
  (mp.flags ?? []).forEach((f, i) => {
    const bit = MPOL_FLAGS[f];
    if (bit === undefined) problems.config(at('flags', i), `unknown flag "${f}"`);
    else flags |= bit;
  });
  const nodeFlags = flags & (MPOL_FLAGS.MPOL_F_STATIC_NODES! | MPOL_FLAGS.MPOL_F_RELATIVE_NODES!);
  if (nodeFlags === (MPOL_FLAGS.MPOL_F_STATIC_NODES! | MPOL_FLAGS.MPOL_F_RELATIVE_NODES!)) {
    problems.config(at('flags'), 'MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other');
  } else if (nodeFlags !== 0 && (mp.mode === 'MPOL_LOCAL' || (mp.mode === 'MPOL_PREFERRED' && nodes.length === 0))) {
    problems.config(at('flags'), `MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES need nodes to apply to (${mp.mode}${mp.mode === 'MPOL_PREFERRED' ? ' without nodes' : ''})`);
  }
  if (problems.messages.length !== before || mode === undefined) return null;
  return { mode, flags, nodes };
}
