// Frames runts-init sends to runts on the channel (src/container/protocol.ts):
// exactly one of created or error, then nothing.
#pragma once

#include <sys/types.h>

#include "../common/errors.h"

namespace runts::init {

// Both return false (errno set) when runts can no longer be told.
bool send_created(int channel, pid_t pid);
bool send_error_frame(int channel, const StepError& e);

}  // namespace runts::init
