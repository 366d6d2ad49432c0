// runts-init itself (A): prepares what must exist before the clone, clones
// the container init, writes its id maps, relays its verdict to runts and,
// in foreground mode, stays its parent.
#pragma once

#include <vector>

#include "../common/plan.h"

namespace runts::init {

// Returns runts-init's exit status. Throws StepError only after cleaning up
// (container init killed and reaped, exec fifo removed); the caller reports it.
int run_parent(const Plan& plan, int channel, const std::vector<int>& placeholders);

}  // namespace runts::init
