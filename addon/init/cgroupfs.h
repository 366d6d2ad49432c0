// A mount of type "cgroup" inside the container. On a cgroup v2 host it is a
// cgroup2 mount (or, without a cgroup namespace, a bind of the container's own
// cgroup). On a v1/hybrid host: a tmpfs at the destination with one
// directory per host hierarchy, each a cgroup mount of that hierarchy in a new
// cgroup namespace, else a bind of the host's directory for this process's
// cgroup. Errors are "mount: <destination>/<hierarchy>: <strerror>".
#pragma once

#include "../common/plan.h"

namespace runts::init {

void mount_cgroup(const PlanMount& m, int rootfd, int destfd, bool new_cgroupns);

}  // namespace runts::init
