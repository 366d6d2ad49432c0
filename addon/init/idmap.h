// Idmapped bind mounts (options "idmap"/"ridmap"). The kernel only idmaps a
// detached mount, and only for a caller privileged over the source's
// filesystem, which for a host path means the host's user namespace: the
// container init, in its own user namespace, could not. So runts-init (A)
// makes them before it joins or creates any namespace, and the container
// init (C), which inherits the fds with the clone, moves each onto its
// destination. Nothing here is shared between processes: each keeps its
// own copy of the table and closes it when done.
#pragma once

#include <cstddef>

#include "../common/plan.h"

namespace runts::init {

// In A, before join_namespaces: for every plan mount with an idmap, a clone
// of its source (recursive for rbind) with MOUNT_ATTR_IDMAP applied (to every
// mount of the clone for ridmap), held as an O_CLOEXEC fd.
void prepare_idmapped_mounts(const Plan& plan);

// The fd prepare_idmapped_mounts made for plan.mounts[index], or -1.
int idmapped_mount(size_t index);

// Closes them all: in A once C is cloned, in C once the mounts are applied.
void release_idmapped_mounts();

}  // namespace runts::init
