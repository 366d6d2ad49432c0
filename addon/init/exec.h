// The last moments of a process runts-init starts (the container init, an
// exec): close every fd it must not inherit, check the cwd, exec.
#pragma once

#include <string>
#include <vector>

#include "../common/plan.h"

namespace runts::init {

// Closes fds from 3 + preserve_fds up (and the `placeholders` below that),
// clears close-on-exec on the preserved ones, verifies the cwd is inside the
// container (CVE-2024-21626 class), loads a seccomp filter due "before-exec"
// as the last step, and execve()s `path` with proc.args and proc.env; for the
// container init and an exec alike. With a filter loaded earlier, the cwd
// was checked before it (the filter may block getcwd). Never returns: on
// failure prints "runts-init: <what>: <strerror>" and _exit(127).
[[noreturn]] void exec_process(const PlanProcess& proc, int preserve_fds, const std::string& path, const std::vector<int>& placeholders,
                               const std::optional<PlanSeccomp>& seccomp);

// Throws StepError("getcwd", ...) if the cwd is unreachable from the root.
void check_cwd();

}  // namespace runts::init
