// Foreground mode: runts-init stays the container init's parent until it
// exits, forwards signals to it and, with an internal console, relays
// between its own stdio and the pty master.
#pragma once

#include <sys/types.h>

namespace runts::init {

// Returns the exit status to use: the child's exit code, or 128 + signal.
// `console_peer` (-1 if none) is the socket the pty master arrives on.
int foreground_wait(pid_t child, int console_peer);

}  // namespace runts::init
