// Frames runts-init exchanges with runts on the channel
// (src/container/protocol.ts): [hooks -> resume], then exactly one of created
// or error, then nothing.
#pragma once

#include <sys/types.h>

#include "../common/errors.h"

namespace runts::init {

// Both return false (errno set) when runts can no longer be told.
bool send_created(int channel, pid_t pid);
bool send_error_frame(int channel, const StepError& e);

// Sends "hooks" {pid} and waits for runts' "resume": true. False when runts
// closed the channel (it aborts the create) or can no longer be told.
// Anything but "resume" throws StepError("protocol", ...).
bool runtime_hooks(int channel, pid_t pid);

}  // namespace runts::init
