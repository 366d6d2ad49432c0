// The hooks the container init (C) runs itself, inside the container's
// namespaces (config.md "POSIX-platform Hooks"): createContainer (before
// pivot_root, so the path resolves in the runtime's root view) and
// startContainer (after `runts start`, in the container's root, just before
// the execve). The TypeScript runner (src/hooks/run-hook.ts) runs the other
// kinds and words its failures the same way:
//   "<kind> hook #<i> (<path>): exit status N[: <first line of stderr>]"
//   "<kind> hook #<i> (<path>): killed by signal SIGx[: ...]"
//   "<kind> hook #<i> (<path>): timed out after Ns"
//   "<kind> hook #<i> (<path>): exec: <strerror>"
#pragma once

#include <string>
#include <vector>

#include "../common/plan.h"

namespace runts::init {

// The runtime-spec state document for a hook run in the container: status as
// given, pid as this process sees itself (1 in a new pid namespace).
std::string hook_state_json(const Plan& plan, const char* status);

// Runs `hooks` in order, each with `state` on its stdin, stdout discarded,
// stderr collected, all other fds closed, the timeout enforced (SIGKILL).
// Throws StepError carrying the message above at the first failure.
void run_hooks(const char* kind, const std::vector<PlanHook>& hooks, const std::string& state);

// Blocks opening the exec fifo (through its O_PATH fd, which is closed) for
// writing until `runts start` opens it for reading, writes "0" and returns
// the open, close-on-exec write end: it stays open until exec_process
// closes it right before the execve, so `start` reads EOF only then (or when
// the init died).
// Errors are printed and end the process (A is gone by now).
int release_exec_fifo(int fifo_path_fd);

// Writes a startContainer failure after the "0" for `start` to report (see
// src/container/protocol.ts, "The exec fifo"), then closes the fifo.
void report_start_failure(int fifo_fd, const std::string& message);

}  // namespace runts::init
