// runts cases expected to fail until the feature lands (then delete the line).
// A listed case that fails is XFAIL and does not fail the run; one that passes
// is reported as XPASS (still not a failure), a hint to remove it here.
export const XFAIL: Record<string, string> = {
  // runts applies rootfsPropagation as runc 1.1 does: to the mount
  // namespace's / before the rootfs is bound and pivoted to, so the new / is
  // private whatever the setting (crun sets it on the new /), and with
  // "unbindable" the rootfs bind mount itself fails (EINVAL), in runc too.
  'root/propagation-shared': 'rootfsPropagation applied to the container\'s / after pivot_root (runts does as runc 1.1)',
  'root/propagation-unbindable': 'rootfsPropagation "unbindable" (the rootfs bind mount fails with EINVAL, as in runc 1.1)',
};
