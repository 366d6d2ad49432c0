// Loading the plan's seccomp filter (compiled by runts) and handing a
// SCMP_ACT_NOTIFY listener fd to the seccomp agent.
//
// The listener is created by the filtered process (C or E) itself; it gives
// it to runts-init (A) over their sync socket, and A, still on the host,
// connects to the agent's socket:
//   C -> A  {"type":"seccomp"} + the fd (SCM_RIGHTS)
//   A -> C  "seccomp-ok" once the agent has it
// A failure on A's side ends the create (or exec) like any other step's.
#pragma once

#include <sys/types.h>

#include <optional>

#include "../common/seccomp_plan.h"

namespace runts::init {

// seccomp(SECCOMP_SET_MODE_FILTER, flags, program); returns the listener fd
// when the flags ask for one, else -1. Throws StepError("seccomp", ...).
int load_seccomp(const PlanSeccomp& filter);

// C or E, right after load_seccomp with a listener: hands `fd` to A, waits
// for "seccomp-ok" and closes it. A gone: _exit(1).
void hand_listener_to_parent(int sync, int fd);

// C or E during setup: loads `filter` if it is due at `at`, and hands a
// listener over through `sync`.
void load_seccomp_at(const std::optional<PlanSeccomp>& filter, PlanSeccomp::LoadAt at, int sync);

// A, before it joins any namespace (the path is the host's): connects to
// the filter's agent; -1 without a filter or a listener. Throws
// StepError("seccomp agent", path, ...).
int connect_agent(const std::optional<PlanSeccomp>& filter);

// A: sends the plan's state document, with `pid` filled in, and `fd` over
// `conn`, then closes `conn` and `fd`. Throws StepError("seccomp agent", ...).
void send_to_agent(const PlanSeccomp::Listener& listener, int conn, int fd, pid_t pid);

}  // namespace runts::init
