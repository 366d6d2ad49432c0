// Seccomp profile compilation for the Node side (see seccomp.cc).
#pragma once

#include <napi.h>

namespace runts::bridge {

Napi::Value CompileSeccomp(const Napi::CallbackInfo& info);
Napi::Value SeccompFlagSupported(const Napi::CallbackInfo& info);

}  // namespace runts::bridge
