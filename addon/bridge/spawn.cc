// Starting runts-init without node:child_process: loading child_process
// (and the net and stream modules behind it) and libuv's fork of the whole
// Node process cost create and exec ~5 ms of their start-up. posix_spawn(3)
// (clone(CLONE_VM|CLONE_VFORK) then execve in glibc) starts the helper
// directly; the child runs no code of ours between the two. The channel is a
// socketpair the caller reads with recvNow after pollIn, and the exit is
// seen on a pidfd.
#include "spawn.h"

#include <cerrno>
#include <csignal>
#include <string>
#include <vector>
#include <fcntl.h>
#include <spawn.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/syscalls.h"
#include "errno_error.h"

namespace runts::bridge {
namespace {

std::vector<std::string> string_array(const Napi::Env& env, const Napi::Value& v, const char* what) {
  if (!v.IsArray()) throw Napi::TypeError::New(env, std::string(what) + " must be an array of strings");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<std::string> out;
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value e = a.Get(i);
    if (!e.IsString()) throw Napi::TypeError::New(env, std::string(what) + " must be an array of strings");
    out.push_back(e.As<Napi::String>().Utf8Value());
  }
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Closes the fds it holds when it goes out of scope.
struct FdList {
  std::vector<int> fds;
  ~FdList() {
    for (int fd : fds) close(fd);
  }
};

}  // namespace

// spawn(path, argv, env, fds) -> {pid, pidfd}: the child gets fds[i] as its
// fd i and nothing else, all signals at their defaults and none blocked
// (Node ignores SIGPIPE, and an ignored signal stays ignored across exec),
// except glibc's own two internal signals, which its posix_spawn leaves
// ignored (runts-init resets them). Fails with the errno of the fork or exec
// (ENOENT, EACCES...) as "spawn <path>: <strerror>".
Napi::Value Spawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsString()) throw Napi::TypeError::New(env, "spawn(path, argv, env, fds)");
  std::string path = info[0].As<Napi::String>().Utf8Value();
  std::vector<std::string> argv = string_array(env, info[1], "argv");
  std::vector<std::string> envv = string_array(env, info[2], "env");
  if (!info[3].IsArray()) throw Napi::TypeError::New(env, "fds must be an array of numbers");
  Napi::Array fa = info[3].As<Napi::Array>();
  const int n = static_cast<int>(fa.Length());

  // Each source is first duplicated above every target slot, so that no
  // dup2 in the child overwrites a source a later one still needs, and no
  // dup2 is fd-onto-itself (which would keep close-on-exec set).
  FdList high;
  for (int i = 0; i < n; i++) {
    Napi::Value v = fa.Get(static_cast<uint32_t>(i));
    if (!v.IsNumber()) throw Napi::TypeError::New(env, "fds must be an array of numbers");
    int src = v.As<Napi::Number>().Int32Value();
    int d = fcntl(src, F_DUPFD_CLOEXEC, n < 3 ? 3 : n);
    if (d < 0) throw_errno(env, "spawn " + path + ": fd " + std::to_string(src), errno);
    high.fds.push_back(d);
  }

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  for (int i = 0; i < n; i++) posix_spawn_file_actions_adddup2(&actions, high.fds[static_cast<size_t>(i)], i);
#if __GLIBC_PREREQ(2, 34)
  // Fds someone opened into this process without close-on-exec (a caller's
  // leftovers) stay behind too.
  posix_spawn_file_actions_addclosefrom_np(&actions, n);
#endif
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  auto cargv = c_strings(argv);
  auto cenv = c_strings(envv);
  pid_t pid = -1;
  int err = posix_spawn(&pid, path.c_str(), &actions, &attr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) throw_errno(env, "spawn " + path, err);

  // The child is ours and not reaped yet (only waitPid reaps it), so the
  // pid cannot have been reused: the pidfd names this child.
  int pidfd = sys::pidfd_open(pid, 0);
  if (pidfd < 0) {
    int e = errno;
    kill(pid, SIGKILL);
    throw_errno(env, "pidfd_open of the spawned " + path, e);
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", Napi::Number::New(env, pid));
  o.Set("pidfd", Napi::Number::New(env, pidfd));
  return o;
}

// socketpair(AF_UNIX, SOCK_STREAM, close-on-exec) -> [a, b].
Napi::Value SocketPair(const Napi::CallbackInfo& info) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) throw_errno(info.Env(), "socketpair", errno);
  Napi::Array out = Napi::Array::New(info.Env(), 2);
  out.Set(uint32_t(0), Napi::Number::New(info.Env(), sv[0]));
  out.Set(uint32_t(1), Napi::Number::New(info.Env(), sv[1]));
  return out;
}

// recvNow(fd, max) -> what the socket holds now, up to `max` bytes
// (MSG_DONTWAIT on a blocking socket): a Buffer, empty at end of stream,
// or null when nothing is there yet.
Napi::Value RecvNow(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber()) throw Napi::TypeError::New(env, "recvNow(fd, max)");
  int fd = info[0].As<Napi::Number>().Int32Value();
  int64_t max = info[1].As<Napi::Number>().Int64Value();
  if (max <= 0 || max > (1 << 24)) throw Napi::RangeError::New(env, "max must be 1..16 MiB");
  std::vector<char> buf(static_cast<size_t>(max));
  ssize_t r;
  do r = recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return env.Null();
    throw_errno(env, "recv", errno);
  }
  return Napi::Buffer<char>::Copy(env, buf.data(), static_cast<size_t>(r));
}

// shutdown(fd, SHUT_RDWR): the peer reads end of stream now, even while
// another thread's poll still holds the socket open (close would not do).
Napi::Value Shutdown(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "shutdown(fd)");
  int fd = info[0].As<Napi::Number>().Int32Value();
  if (shutdown(fd, SHUT_RDWR) < 0 && errno != ENOTCONN) throw_errno(info.Env(), "shutdown", errno);
  return info.Env().Undefined();
}

}  // namespace runts::bridge
