// runts-init itself (A): prepares what must exist before the clone, clones
// the container init, writes its id maps, relays its verdict to runts and,
// in foreground mode, stays its parent.
#pragma once

#include <sys/types.h>

#include <functional>
#include <vector>

#include "../common/fd.h"
#include "../common/plan.h"

namespace runts::init {

// Returns runts-init's exit status. Throws StepError only after cleaning up
// (container init killed and reaped, exec fifo removed); the caller reports it.
int run_parent(const Plan& plan, int channel, const std::vector<int>& placeholders);

// A's last step for create and exec alike, once the child (C or E) reported
// ready: tells runts "created" with its pid and lets it go on ("commit").
// Detached, waits until the child no longer depends on A and returns 0; in
// the foreground closes `sync` and the channel, stays the child's parent and
// returns its status (foreground_wait, with `console_peer`). When runts can't
// be told, nobody would ever learn of the child: it is killed and reaped,
// `undo` runs, and the result is 1.
int hand_over(int channel, Fd& sync, pid_t child, bool foreground, Fd& console_peer, const std::function<void()>& undo = {});

}  // namespace runts::init
