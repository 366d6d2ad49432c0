// The container's mount table: rootfs preparation, the plan's mounts (all
// resolved inside the rootfs), the root switch, then masked and read-only
// paths. Runs in the container init (C), in its own mount namespace.
#pragma once

#include <string>

#include "../common/fd.h"
#include "../common/plan.h"

namespace runts::init {

// Sets the propagation of "/", makes the rootfs' parent mount private when it
// is shared (pivot_root refuses shared parents), bind-mounts the rootfs onto
// itself and returns an O_PATH fd of that bind mount.
Fd prepare_rootfs(const Plan& plan);

// Every plan mount, in order, onto its destination resolved inside `rootfd`
// (idmapped ones are moved there from the trees prepare_idmapped_mounts
// made), each followed by its bind remount, mount_setattr attributes and
// propagation changes.
void apply_mounts(const Plan& plan, int rootfd);

// pivot_root (or MS_MOVE + chroot with noPivot); afterwards "/" is the rootfs.
void switch_root(const Plan& plan);

// After the switch: masked paths, read-only paths, read-only rootfs.
void mask_paths(const Plan& plan);
void readonly_paths(const Plan& plan);
void readonly_rootfs(const Plan& plan);

// MS_REMOUNT|MS_BIND of `target` (a path or /proc/self/fd/N) with `flags`;
// where the kernel refuses to clear a locked flag (EPERM, e.g. nosuid
// inherited in a user namespace) retries keeping the mount's current flags.
// `what` names the mount in errors.
void remount_bind(const std::string& target, unsigned long flags, const std::string& what);

}  // namespace runts::init
