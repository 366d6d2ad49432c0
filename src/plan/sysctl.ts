// linux.sysctl: only keys that belong to a namespace the container does not
// share with the host may be set; anything else would change the host.
import type { NamespaceType, PlanSysctl } from './types.js';
import { pointer, type Problems } from './errors.js';
import type { NamespaceSet } from './namespaces.js';

/** The IPC-namespaced kernel.* keys (ipc/ipc_sysctl.c). */
const IPC_KERNEL_KEYS: ReadonlySet<string> = new Set([
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.msg_next_id',
  'kernel.sem',
  'kernel.sem_next_id',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_next_id',
  'kernel.shm_rmid_forced',
]);

/** The namespace a sysctl key lives in, or null when it is global. */
export function sysctlNamespace(key: string): NamespaceType | null {
  if (IPC_KERNEL_KEYS.has(key) || key.startsWith('fs.mqueue.')) return 'ipc';
  if (key.startsWith('net.')) return 'network';
  if (key === 'kernel.hostname' || key === 'kernel.domainname') return 'uts';
  return null;
}

/**
 * The key in dotted form, or why it cannot be used. Keys may use "/" as the
 * separator (sysctl(8) style); they are normalised to dots, which is what
 * the plan carries. A key mixing both would need its dots kept literally
 * (e.g. a VLAN interface "eth0.100"), which the plan's dots-to-slashes
 * convention cannot express yet.
 */
function normaliseKey(key: string): { key: string } | { error: string } {
  const parts = key.includes('/') ? key.split('/') : key.split('.');
  // The key becomes a path under /proc/sys: it must not climb out of it.
  if (parts.some((p) => p === '' || p === '.' || p === '..') || key.includes('\0')) {
    return { error: `sysctl "${key}" is not a valid key` };
  }
  if (key.includes('/') && key.includes('.')) {
    return { error: `sysctl "${key}" mixes "/" and "." separators, which runts does not support yet` };
  }
  return { key: parts.join('.') };
}

export function planSysctl(
  sysctl: Record<string, string> | undefined,
  ns: NamespaceSet,
  fields: { hostname: boolean; domainname: boolean },
  problems: Problems,
): PlanSysctl[] {
  const out: PlanSysctl[] = [];
  for (const [rawKey, value] of Object.entries(sysctl ?? {})) {
    const at = pointer('linux', 'sysctl', rawKey);
    const normal = normaliseKey(rawKey);
    if ('error' in normal) {
      problems.config(at, normal.error);
      continue;
    }
    const { key } = normal;
    const owner = sysctlNamespace(key);
    if (owner === null) {
      problems.config(at, `sysctl "${rawKey}" is not namespaced: setting it would change the host`);
      continue;
    }
    if (!ns.has(owner)) {
      problems.config(at, `sysctl "${rawKey}" belongs to the ${owner} namespace, which the container shares with the host`);
      continue;
    }
    if ((key === 'kernel.hostname' && fields.hostname) || (key === 'kernel.domainname' && fields.domainname)) {
      const field = key === 'kernel.hostname' ? 'hostname' : 'domainname';
      problems.config(at, `sysctl "${rawKey}" conflicts with /${field}; set only one`);
      continue;
    }
    if (value.includes('\0')) {
      problems.config(at, 'value must not contain NUL');
      continue;
    }
    out.push({ key, value });
  }
  return out;
}
