// JS errors for failed syscalls, shaped like Node's own: message
// "<call>: <strerror>", .code = errno name ("ESRCH"), .errno = the number.
#pragma once

#include <napi.h>

#include <string>

namespace runts::bridge {

// The error itself, e.g. to reject a promise with.
Napi::Error errno_error(const Napi::Env& env, const std::string& call, int err, const char* code_override = nullptr);

// Throws (as a C++ exception that node-addon-api turns into a JS throw).
[[noreturn]] void throw_errno(const Napi::Env& env, const std::string& call, int err, const char* code_override = nullptr);

}  // namespace runts::bridge
