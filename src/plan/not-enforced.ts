// Settings accepted but not applied get a warning here, in the log that
// containerd keeps (or on stderr without --log), rather than silence.
//
// None are left: linux.resources and linux.cgroupsPath are enforced by
// src/cgroups at create (src/container/cgroups.ts), and what a host cannot
// apply (a controller it does not mount, kernel memory limits a modern
// kernel ignores) is warned about there, naming the setting and the reason.
import type { Spec } from '../spec/types.js';

export function warnNotEnforced(_spec: Spec, _warn: (message: string) => void): void {}
