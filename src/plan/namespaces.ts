// linux.namespaces -> the ordered namespace list runts-init joins or creates.
import type { LinuxNamespace } from '../spec/types.js';
import type { NamespaceType, PlanNamespace } from './types.js';
import { pointer, type Problems } from './errors.js';

/**
 * The order runts-init handles namespaces in. A joined user namespace comes
 * first: it grants the capabilities needed to join the namespaces it owns.
 * A joined mount namespace comes last, because entering it changes the root
 * that later namespace paths would be resolved against. Namespaces created
 * by the clone have no order among themselves; they follow the same list
 * for a stable plan.
 */
export const NAMESPACE_ORDER: readonly NamespaceType[] = ['user', 'pid', 'network', 'ipc', 'uts', 'cgroup', 'time', 'mount'];

/** What the rest of the plan needs to know about the namespaces. */
export interface NamespaceSet {
  list: PlanNamespace[];
  /** Configured at all (new or joined): the container does not share the host's. */
  has(type: NamespaceType): boolean;
  /** Created fresh by the clone. */
  isNew(type: NamespaceType): boolean;
}

export function planNamespaces(namespaces: LinuxNamespace[] | undefined, problems: Problems): NamespaceSet {
  const byType = new Map<NamespaceType, PlanNamespace>();
  (namespaces ?? []).forEach((ns, i) => {
    if (!NAMESPACE_ORDER.includes(ns.type)) {
      // The schema rejects these; kept for callers that skip validation.
      problems.config(pointer('linux', 'namespaces', i, 'type'), `unknown namespace type "${ns.type}"`);
      return;
    }
    if (byType.has(ns.type)) {
      problems.config(pointer('linux', 'namespaces', i, 'type'), `duplicate namespace "${ns.type}"`);
      return;
    }
    let path: string | null = null;
    if (ns.path !== undefined) {
      if (!ns.path.startsWith('/')) {
        problems.config(pointer('linux', 'namespaces', i, 'path'), `namespace path "${ns.path}" must be absolute`);
      }
      path = ns.path;
    }
    byType.set(ns.type, { type: ns.type, path });
  });

  // runts-init sets up the rootfs (mounts, pivot_root) inside the container's
  // mount namespace. Without a new one that work lands in the host's mount
  // table: runc 1.1.5 then leaks its mounts onto the host and fails.
  const mount = byType.get('mount');
  const mountIndex = (namespaces ?? []).findIndex((ns) => ns.type === 'mount');
  if (mount === undefined) {
    problems.config(
      pointer('linux', 'namespaces'),
      'a new mount namespace is required (add {"type": "mount"}): the rootfs is set up inside it',
    );
  } else if (mount.path !== null) {
    problems.config(
      pointer('linux', 'namespaces', mountIndex, 'path'),
      'joining an existing mount namespace is not supported: the rootfs is set up in a new one',
    );
  }

  const joined = NAMESPACE_ORDER.flatMap((t) => {
    const ns = byType.get(t);
    return ns !== undefined && ns.path !== null ? [ns] : [];
  });
  const created = NAMESPACE_ORDER.flatMap((t) => {
    const ns = byType.get(t);
    return ns !== undefined && ns.path === null ? [ns] : [];
  });
  return {
    list: [...joined, ...created],
    has: (type) => byType.has(type),
    isNew: (type) => byType.get(type)?.path === null,
  };
}
