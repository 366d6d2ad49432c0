// The private conversation between runts-init (A) and the container init (C)
// over their SOCK_SEQPACKET socketpair: one datagram per message.
//   A -> C  "go"       id maps are written; C may start setting up
//   C -> A  hooks      (plan.pauseForRuntimeHooks) mounts and devices are in
//                      place, pivot_root is next: runts may run its hooks
//   A -> C  "resume"   runts answered "resume" on the channel
//   C -> A  seccomp    + a SCM_RIGHTS fd: the seccomp listener (seccomp.h)
//   A -> C  "seccomp-ok"  the agent has it
//   C -> A  ready      C is blocked-ready (only the exec fifo is left)
//   C -> A  error      a step failed: {step, target, errno, reason}
//   A -> C  "commit"   runts was told "created": C may outlive A now
// C closes its end once it no longer depends on A (its parent-death signal
// is cleared), and a detached A waits for that before exiting; so a
// container exists exactly when runts heard "created". EOF from either side
// means the peer died.
#pragma once

#include <functional>
#include <string>

#include "../common/errors.h"

namespace runts::init {

void send_go(int fd);  // throws StepError("sync", ...)
// Waits for "go"; false when A is gone (EOF or error).
bool wait_go(int fd);

void send_ready(int fd);  // best effort: A may be gone
// C: asks A to pause for the runtime's hooks and waits for "resume"; false
// when A is gone (it aborted, or died).
bool pause_for_hooks(int fd);
// A: lets C go on after the runtime's hooks.
void send_resume(int fd);  // throws StepError("sync", ...)
// A: after the created frame went out. C: waits for it; false when A is gone.
void send_commit(int fd);
bool wait_commit(int fd);
// A: blocks until C has closed its end.
void wait_closed(int fd);
void send_error(int fd, const StepError& e);

// C or E, once A said "go": runs `set_up`. A failure is reported to A (a
// StepError as it is, any other exception as StepError(step, "", 0, what))
// and ends the process (exit 1). Otherwise reports ready and waits for
// "commit" (A gone: exit 1); then clears the parent-death signal and closes
// `fd`: only once runts heard "created" may the process outlive A.
// Returns what set_up returned (the resolved executable).
std::string set_up_and_commit(int fd, const char* step, const std::function<std::string()>& set_up);

// One message carrying `fd` (SCM_RIGHTS); false when the peer is gone.
bool send_with_fd(int fd, const std::string& msg, int passed);
// Waits for the message `word`; false on EOF, error or another message.
bool wait_word(int fd, const char* word);
// A: a one-word answer; throws StepError("sync", ...) when C is gone.
void send_word(int fd, const char* word);

struct Report {
  enum Kind { Ready, Hooks, Seccomp, Failed, Gone } kind;
  std::string step, target, reason;
  int err = 0;
  int fd = -1;  // Seccomp: the listener fd, now A's to close
};
// Blocks until C reports or its end of the socket closes.
Report read_report(int fd);

}  // namespace runts::init
