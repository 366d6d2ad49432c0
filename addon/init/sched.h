// How the process runs rather than what it sees: personality(2),
// set_mempolicy(2), CPU affinity, ioprio_set(2), sched_setattr(2), and the
// LSM exec transitions (lsm.h). The plan decides every value (src/plan/
// scheduler.ts, memory-policy.ts, personality.ts, lsm.ts); these only make
// the calls and name what failed.
#pragma once

#include <optional>
#include <vector>

#include "../common/plan.h"

namespace runts::init {

// sched_setaffinity(0) to `cpus`; nothing when empty. `which` ("initial",
// "final") names the setting in an error.
void set_cpu_affinity(const std::vector<int>& cpus, const char* which);

// For the container init and an exec alike, after the root switch and
// before the identity changes (a higher priority or the RT I/O class needs
// privileges the process may be about to lose), in this order: personality,
// memory policy, `final_cpus` affinity (before the scheduler: a
// SCHED_DEADLINE task may not narrow its affinity), I/O priority, scheduler,
// and the AppArmor/SELinux exec transitions (taking effect at the execve).
void apply_process_attrs(const PlanProcess& proc, std::optional<unsigned long> personality,
                         const std::optional<PlanMemoryPolicy>& memory_policy, const std::vector<int>& final_cpus);

}  // namespace runts::init
