#include "errno_error.h"

#include <cstring>

namespace runts::bridge {

Napi::Error errno_error(const Napi::Env& env, const std::string& call, int err, const char* code_override) {
  Napi::Error e = Napi::Error::New(env, call + ": " + strerror(err));
  const char* name = code_override ? code_override : strerrorname_np(err);
  e.Set("code", Napi::String::New(env, name ? name : "E" + std::to_string(err)));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("syscall", Napi::String::New(env, call));
  return e;
}

void throw_errno(const Napi::Env& env, const std::string& call, int err, const char* code_override) {
  throw errno_error(env, call, err, code_override);
}

}  // namespace runts::bridge
