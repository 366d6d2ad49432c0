// Which shim server a container goes to. As containerd-shim-runc-v2 does,
// containers whose config.json carries the same group annotation (the runc
// shim's own label first, then the CRI pod's sandbox id) share one server,
// whose socket address is derived from that group id instead of the
// container id. RUNTS_SHIM_GROUP, inherited from containerd's environment,
// chooses the policy: "pod" (the default, as above), "container" (one
// server per container, annotations ignored) or "namespace" (one server for
// every container of a containerd namespace). Pure but for the file read.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const GROUP_ENV = 'RUNTS_SHIM_GROUP';
export const GROUP_ANNOTATIONS = ['io.containerd.runc.v2.group', 'io.kubernetes.cri.sandbox-id'] as const;
/**
 * The group id of namespace mode. containerd ids cannot contain "@"
 * (identifiers are [A-Za-z0-9] runs joined by . _ -), so no container or
 * pod id maps to the same socket.
 */
export const NAMESPACE_GROUP = '@namespace';

export type GroupMode = 'container' | 'pod' | 'namespace';

/** The policy named by RUNTS_SHIM_GROUP; unset or empty means "pod". */
export function groupMode(value: string | undefined): GroupMode {
  if (value === undefined || value === '' || value === 'pod') return 'pod';
  if (value === 'container' || value === 'namespace') return value;
  throw new Error(`${GROUP_ENV}=${value}: expected pod, container or namespace`);
}

/** The id the server's socket address is derived from. */
export function groupId(id: string, annotations: Readonly<Record<string, string>>, mode: GroupMode): string {
  if (mode === 'namespace') return NAMESPACE_GROUP;
  if (mode === 'pod') {
    for (const key of GROUP_ANNOTATIONS) {
      const v = annotations[key];
      if (typeof v === 'string' && v !== '') return v;
    }
  }
  return id;
}

/** The annotations of <bundle>/config.json ({} when it has none). */
export function readAnnotations(bundle: string): Record<string, string> {
  const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as { annotations?: unknown };
  const a = spec.annotations;
  if (a === null || typeof a !== 'object' || Array.isArray(a)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(a)) if (typeof v === 'string') out[k] = v;
  return out;
}
