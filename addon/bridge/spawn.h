// Starting runts-init and talking to it without node:child_process (see spawn.cc).
#pragma once

#include <napi.h>

namespace runts::bridge {

Napi::Value Spawn(const Napi::CallbackInfo& info);
Napi::Value SocketPair(const Napi::CallbackInfo& info);
Napi::Value RecvNow(const Napi::CallbackInfo& info);
Napi::Value Shutdown(const Napi::CallbackInfo& info);

}  // namespace runts::bridge
