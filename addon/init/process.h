// Per-process setup of the container init that is neither mounts nor
// identity: hostname, sysctls, keyring, cwd, rlimits, oom score, umask, and
// finding the executable.
#pragma once

#include <string>

#include "../common/plan.h"

namespace runts::init {

void set_names(const Plan& plan);        // sethostname / setdomainname
void write_sysctls(const Plan& plan);    // after the root switch: the container's /proc/sys
void join_session_keyring(const Plan& plan);
void enter_cwd(const PlanProcess& proc); // mkdir -p (0755) + chdir
void set_rlimits(const PlanProcess& proc);
void set_oom_score_adj(const PlanProcess& proc);
void set_umask(const PlanProcess& proc);

// args[0] resolved like execvp against PATH from process.env; checks that it
// exists and is executable. Throws StepError("exec", args[0], ENOENT|EACCES).
std::string resolve_executable(const PlanProcess& proc);

}  // namespace runts::init
