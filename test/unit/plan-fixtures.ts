// Shared fixtures for the plan tests: the config `runc spec` (runc 1.1.5)
// prints, and helpers that build a plan or collect its errors.
import assert from 'node:assert/strict';
import { buildPlan, PlanError, type PlanEnv, type PlanOptions } from '../../src/plan/build-plan.ts';
import type { InitPlan } from '../../src/plan/types.ts';
import type { Spec } from '../../src/spec/types.ts';

const RUNC_SPEC: Spec = {
  "ociVersion": "1.0.2-dev",
  "process": {
    "terminal": true,
    "user": {
      "uid": 0,
      "gid": 0
    },
    "args": [
      "sh"
    ],
    "env": [
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "TERM=xterm"
    ],
    "cwd": "/",
    "capabilities": {
      "bounding": [
        "CAP_AUDIT_WRITE",
        "CAP_KILL",
        "CAP_NET_BIND_SERVICE"
      ],
      "effective": [
        "CAP_AUDIT_WRITE",
        "CAP_KILL",
        "CAP_NET_BIND_SERVICE"
      ],
      "permitted": [
        "CAP_AUDIT_WRITE",
        "CAP_KILL",
        "CAP_NET_BIND_SERVICE"
      ],
      "ambient": [
        "CAP_AUDIT_WRITE",
        "CAP_KILL",
        "CAP_NET_BIND_SERVICE"
      ]
    },
    "rlimits": [
      {
        "type": "RLIMIT_NOFILE",
        "hard": 1024,
        "soft": 1024
      }
    ],
    "noNewPrivileges": true
  },
  "root": {
    "path": "rootfs",
    "readonly": true
  },
  "hostname": "runc",
  "mounts": [
    {
      "destination": "/proc",
      "type": "proc",
      "source": "proc"
    },
    {
      "destination": "/dev",
      "type": "tmpfs",
      "source": "tmpfs",
      "options": [
        "nosuid",
        "strictatime",
        "mode=755",
        "size=65536k"
      ]
    },
    {
      "destination": "/dev/pts",
      "type": "devpts",
      "source": "devpts",
      "options": [
        "nosuid",
        "noexec",
        "newinstance",
        "ptmxmode=0666",
        "mode=0620",
        "gid=5"
      ]
    },
    {
      "destination": "/dev/shm",
      "type": "tmpfs",
      "source": "shm",
      "options": [
        "nosuid",
        "noexec",
        "nodev",
        "mode=1777",
        "size=65536k"
      ]
    },
    {
      "destination": "/dev/mqueue",
      "type": "mqueue",
      "source": "mqueue",
      "options": [
        "nosuid",
        "noexec",
        "nodev"
      ]
    },
    {
      "destination": "/sys",
      "type": "sysfs",
      "source": "sysfs",
      "options": [
        "nosuid",
        "noexec",
        "nodev",
        "ro"
      ]
    },
    {
      "destination": "/sys/fs/cgroup",
      "type": "cgroup",
      "source": "cgroup",
      "options": [
        "nosuid",
        "noexec",
        "nodev",
        "relatime",
        "ro"
      ]
    }
  ],
  "linux": {
    "resources": {
      "devices": [
        {
          "allow": false,
          "access": "rwm"
        }
      ]
    },
    "namespaces": [
      {
        "type": "pid"
      },
      {
        "type": "network"
      },
      {
        "type": "ipc"
      },
      {
        "type": "uts"
      },
      {
        "type": "mount"
      }
    ],
    "maskedPaths": [
      "/proc/acpi",
      "/proc/asound",
      "/proc/kcore",
      "/proc/keys",
      "/proc/latency_stats",
      "/proc/timer_list",
      "/proc/timer_stats",
      "/proc/sched_debug",
      "/sys/firmware",
      "/proc/scsi"
    ],
    "readonlyPaths": [
      "/proc/bus",
      "/proc/fs",
      "/proc/irq",
      "/proc/sys",
      "/proc/sysrq-trigger"
    ]
  }
};

/** A fresh copy of runc's default config, safe to mutate. */
export function runcSpec(): Spec {
  return structuredClone(RUNC_SPEC);
}

export function options(over: Partial<PlanOptions> = {}): PlanOptions {
  return {
    id: 'c1',
    bundle: '/bundles/c1',
    execFifo: '/run/runts/c1/exec.fifo',
    consoleSocket: '/tmp/console.sock',
    noPivot: false,
    noNewKeyring: false,
    preserveFds: 0,
    foreground: false,
    ...over,
  };
}

/**
 * Never touch the host: bind sources ending in ".file" or "/f" are files;
 * no AppArmor, no SELinux; seccomp "compiles" to one instruction per rule,
 * syscall names starting with "unknown" are unknown.
 */
export const fakeEnv: PlanEnv = {
  sourceKind: (p) => (p.endsWith('.file') || p.endsWith('/f') ? 'file' : 'dir'),
  lsm: { apparmor: false, selinux: false },
  capLast: 40,
  compileSeccomp: (profile) => {
    const known = profile.rules.filter((r) => !r.syscall.startsWith('unknown'));
    return { program: new Uint8Array(8 * (known.length + 1)), unknown: profile.rules.filter((r) => !known.includes(r)).map((r) => r.syscall) };
  },
};

/** runc's default config, edited by `edit`, planned. */
export function plan(edit: (s: Spec) => void = () => {}, over: Partial<PlanOptions> = {}, env: PlanEnv = fakeEnv): InitPlan {
  const s = runcSpec();
  edit(s);
  return buildPlan(s, options(over), env);
}

/** Warnings buildPlan reports for runc's default config edited by `edit`. */
export function warnings(edit: (s: Spec) => void, over: Partial<PlanOptions> = {}): string[] {
  return messages(edit, over).warn;
}

/** Warnings and debug notes buildPlan emits for runc's default config edited by `edit`. */
export function messages(edit: (s: Spec) => void, over: Partial<PlanOptions> = {}): { warn: string[]; debug: string[] } {
  const out = { warn: [] as string[], debug: [] as string[] };
  plan(edit, over, { ...fakeEnv, warn: (m) => out.warn.push(m), debug: (m) => out.debug.push(m) });
  return out;
}

/** The PlanError messages for runc's default config edited by `edit`. */
export function errors(edit: (s: Spec) => void, over: Partial<PlanOptions> = {}): string[] {
  try {
    plan(edit, over);
  } catch (e) {
    assert.ok(e instanceof PlanError, `expected a PlanError, got ${String(e)}`);
    return e.errors;
  }
  assert.fail('expected buildPlan to throw a PlanError');
}

/** Asserts that exactly one problem is reported, with this message. */
export function assertOnlyError(edit: (s: Spec) => void, message: string, over: Partial<PlanOptions> = {}): void {
  assert.deepEqual(errors(edit, over), [message]);
}

/** A user namespace with one 65536-id range at 100000, as podman/containerd configure it. */
export function withUserns(s: Spec): void {
  s.linux!.namespaces!.push({ type: 'user' });
  s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
}
