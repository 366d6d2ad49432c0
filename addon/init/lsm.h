// AppArmor and SELinux exec transitions: the profile or label the plan
// names (only when the host has the module: src/plan/lsm.ts) takes effect
// at the process's execve, so runts-init itself never runs under it.
#pragma once

#include "../common/plan.h"

namespace runts::init {

// AppArmor: "exec <profile>" to /proc/self/attr/apparmor/exec, or to
// /proc/self/attr/exec on kernels without the per-module directory.
// SELinux: the label to /proc/self/attr/exec. Throws StepError naming the
// profile or label. Needs the container's /proc (after the root switch).
void set_exec_labels(const PlanProcess& proc);

}  // namespace runts::init
