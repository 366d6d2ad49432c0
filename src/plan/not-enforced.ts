// Settings accepted but not yet applied. Refusing them would break every
// config containerd, docker and `runc spec` write (they always carry
// linux.resources, if only a device rule); applying nothing silently would
// be a lie. So each one present is reported as a warning, in the log that
// containerd keeps (or on stderr without --log), until cgroups land.
import type { Spec } from '../spec/types.js';

export function warnNotEnforced(spec: Spec, warn: (message: string) => void): void {
  const resources = spec.linux?.resources;
  const keys = resources ? Object.keys(resources).filter((k) => (resources as Record<string, unknown>)[k] !== undefined) : [];
  if (keys.length > 0) {
    warn(`config.json: /linux/resources: ${keys.join(', ')} not enforced: runts does not manage cgroups yet`);
  }
  if (spec.linux?.cgroupsPath !== undefined) {
    warn(`config.json: /linux/cgroupsPath: ignored: runts does not manage cgroups yet (the container stays in the caller's cgroups)`);
  }
}
