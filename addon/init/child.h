// The container init (C): everything between the clone and the execve.
#pragma once

#include <vector>

#include "../common/plan.h"

namespace runts::init {

struct ChildFds {
  int sync = -1;          // C's end of the A<->C socketpair
  int parent_sync = -1;   // A's end: closed in C
  int channel = -1;       // the runts channel: closed in C
  int fifo = -1;          // O_PATH fd of the exec fifo (opened by A on the host)
  int console = -1;       // where the pty master goes; -1 without a terminal
  int console_peer = -1;  // A's end of an internal console socketpair: closed in C
  std::vector<int> placeholders;  // /dev/null stand-ins below 3 + preserveFds, closed before exec
  int agent = -1;         // A's connection to the seccomp agent: closed in C
};

// Never returns: execs the container process, or reports an error to A and exits.
[[noreturn]] void run_child(const Plan& plan, const ChildFds& fds);

}  // namespace runts::init
