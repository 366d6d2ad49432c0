// runts cases expected to fail until the feature lands (then delete the line).
// A listed case that fails is XFAIL and does not fail the run; one that passes
// is reported as XPASS (still not a failure), a hint to remove it here.
export const XFAIL: Record<string, string> = {
  'seccomp/errno': 'seccomp (src/plan/unsupported.ts)',
  'seccomp/errno-ret': 'seccomp (src/plan/unsupported.ts)',
  'seccomp/kill': 'seccomp (src/plan/unsupported.ts)',
  'seccomp/log-allows': 'seccomp (src/plan/unsupported.ts)',
  'seccomp/non-root-without-nnp': 'seccomp (src/plan/unsupported.ts)',
  'seccomp/arg-filter': 'seccomp (src/plan/unsupported.ts)',
  'process/scheduler': 'process.scheduler (src/plan/unsupported.ts)',
  'process/io-priority': 'process.ioPriority (src/plan/unsupported.ts)',
  'process/exec-cpu-affinity': 'process.execCPUAffinity (src/plan/unsupported.ts)',
  'linux/personality': 'linux.personality (src/plan/unsupported.ts)',
  // runts applies rootfsPropagation as runc 1.1 does: to the mount
  // namespace's / before the rootfs is bound and pivoted to, so the new / is
  // private whatever the setting (crun sets it on the new /), and with
  // "unbindable" the rootfs bind mount itself fails (EINVAL), in runc too.
  'root/propagation-shared': 'rootfsPropagation applied to the container\'s / after pivot_root (runts does as runc 1.1)',
  'root/propagation-unbindable': 'rootfsPropagation "unbindable" (the rootfs bind mount fails with EINVAL, as in runc 1.1)',
};
