// The container process's identity: bounding set, groups, gid, uid,
// capability sets, ambient set, no_new_privs, in that order.
#pragma once

#include "../common/plan.h"

namespace runts::init {

void apply_identity(const PlanProcess& proc);

}  // namespace runts::init
