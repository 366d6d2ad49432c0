// Per-process setup of the container init that is neither mounts nor
// identity: hostname, sysctls, keyring, cwd, rlimits, oom score, umask, and
// finding the executable.
#pragma once

#include <sys/types.h>

#include <string>

#include "../common/plan.h"

namespace runts::init {

void set_names(const Plan& plan);        // sethostname / setdomainname
void write_sysctls(const Plan& plan);    // after the root switch: the container's /proc/sys
void join_session_keyring(const Plan& plan);
void enter_cwd(const PlanProcess& proc); // mkdir -p (0755) + chdir
void set_rlimits(const PlanProcess& proc);
// Of `pid`, or of this process (a no-op when the value is already there).
// A sets the container init's before letting it go: C is non-dumpable, so
// in a user namespace its /proc/self files belong to the host's root, and a
// negative value needs CAP_SYS_RESOURCE on the host in any case.
void set_oom_score_adj(const PlanProcess& proc, pid_t pid = 0);
void set_umask(const PlanProcess& proc);

// args[0] resolved like execvp against PATH from process.env; checks that it
// exists and is executable. Throws StepError("exec", args[0], ENOENT|EACCES).
std::string resolve_executable(const PlanProcess& proc);

}  // namespace runts::init
