// runts_bridge.node: the few syscalls the Node process itself needs and Node
// does not offer (see src/native/bridge.ts for the interface). Nothing here
// forks or enters a namespace: that is runts-init's job, because Node is
// multi-threaded.
#include <napi.h>

#include <cerrno>
#include <string>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "../common/syscalls.h"
#include "errno_error.h"

namespace runts::bridge {
namespace {

int32_t int_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a number");
  return info[i].As<Napi::Number>().Int32Value();
}

bool bool_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsBoolean()) throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

std::string string_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsString()) throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

// flock(fd, "ex"|"sh"|"un", nonblock). A blocking flock runs on the JS
// thread on purpose: callers hold the lock only for short state updates.
Napi::Value Flock(const Napi::CallbackInfo& info) {
  int fd = int_arg(info, 0, "fd");
  std::string op = string_arg(info, 1, "op");
  bool nonblock = bool_arg(info, 2, "nonblock");
  int how;
  if (op == "ex") how = LOCK_EX;
  else if (op == "sh") how = LOCK_SH;
  else if (op == "un") how = LOCK_UN;
  else throw Napi::TypeError::New(info.Env(), "op must be \"ex\", \"sh\" or \"un\"");
  if (nonblock) how |= LOCK_NB;
  int r;
  do r = flock(fd, how);
  while (r < 0 && errno == EINTR);
  // flock(2) documents EWOULDBLOCK for a held lock; name it so.
  if (r < 0) throw_errno(info.Env(), "flock", errno, errno == EWOULDBLOCK ? "EWOULDBLOCK" : nullptr);
  return info.Env().Undefined();
}

Napi::Value PidfdOpen(const Napi::CallbackInfo& info) {
  int pid = int_arg(info, 0, "pid");
  if (pid <= 0) throw Napi::RangeError::New(info.Env(), "pid must be positive");
  // O_CLOEXEC semantics are implied: pidfds are always close-on-exec.
  int fd = sys::pidfd_open(pid, 0);
  if (fd < 0) throw_errno(info.Env(), "pidfd_open", errno);
  return Napi::Number::New(info.Env(), fd);
}

Napi::Value PidfdSendSignal(const Napi::CallbackInfo& info) {
  int pidfd = int_arg(info, 0, "pidfd");
  int sig = int_arg(info, 1, "signal");
  if (sys::pidfd_send_signal(pidfd, sig) < 0) throw_errno(info.Env(), "pidfd_send_signal", errno);
  return info.Env().Undefined();
}

Napi::Value SetChildSubreaper(const Napi::CallbackInfo& info) {
  bool on = bool_arg(info, 0, "on");
  if (prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0, 0, 0, 0) < 0) throw_errno(info.Env(), "prctl(PR_SET_CHILD_SUBREAPER)", errno);
  return info.Env().Undefined();
}

// mkfifo with exactly `mode`: the umask of the Node process must not narrow it.
Napi::Value Mkfifo(const Napi::CallbackInfo& info) {
  std::string path = string_arg(info, 0, "path");
  int mode = int_arg(info, 1, "mode");
  if (mkfifo(path.c_str(), static_cast<mode_t>(mode)) < 0) throw_errno(info.Env(), "mkfifo", errno);
  if (chmod(path.c_str(), static_cast<mode_t>(mode) & 07777) < 0) throw_errno(info.Env(), "chmod", errno);
  return info.Env().Undefined();
}

// pipe2(O_CLOEXEC) -> [readFd, writeFd]: real pipes for a hook's stdin and
// stderr (Node's own stdio "pipe" is a socketpair, which a hook cannot
// reopen through /dev/stdin or /dev/stderr).
Napi::Value Pipe(const Napi::CallbackInfo& info) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) throw_errno(info.Env(), "pipe2", errno);
  Napi::Array out = Napi::Array::New(info.Env(), 2);
  out.Set(uint32_t(0), Napi::Number::New(info.Env(), p[0]));
  out.Set(uint32_t(1), Napi::Number::New(info.Env(), p[1]));
  return out;
}

}  // namespace
}  // namespace runts::bridge

// NODE_API_MODULE needs a plain identifier for the init function.
static Napi::Object InitBridge(Napi::Env env, Napi::Object exports) {
  using namespace runts::bridge;
  exports.Set("flock", Napi::Function::New(env, Flock, "flock"));
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen, "pidfdOpen"));
  exports.Set("pidfdSendSignal", Napi::Function::New(env, PidfdSendSignal, "pidfdSendSignal"));
  exports.Set("setChildSubreaper", Napi::Function::New(env, SetChildSubreaper, "setChildSubreaper"));
  exports.Set("mkfifo", Napi::Function::New(env, Mkfifo, "mkfifo"));
  exports.Set("pipe", Napi::Function::New(env, Pipe, "pipe"));
  return exports;
}

NODE_API_MODULE(runts_bridge, InitBridge)
