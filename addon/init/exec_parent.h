// `runts exec`, native side: runts-init (A) pins the container init with a
// pidfd, opens its namespaces and root, moves itself into its cgroups, joins
// the namespaces (user first, mount last), and forks the new process (E),
// which enters the container's root, sets itself up like the container init
// does (terminal, cwd, rlimits, umask, identity) and reports ready. A then
// tells runts "created" with E's host pid, lets E exec, and either exits
// (detached) or waits for E and exits with its status (n, or 128 + signal).
#pragma once

#include <vector>

#include "../common/exec_plan.h"

namespace runts::init {

// Returns runts-init's exit status. Failures before "created" are thrown as
// StepError (main reports them on the channel).
int run_exec(const ExecPlan& plan, int channel, const std::vector<int>& placeholders);

}  // namespace runts::init
