// runts_bridge.node: the few syscalls the Node process itself needs and Node
// does not offer (see src/native/bridge.ts for the interface). Nothing here
// enters a namespace or runs code in a forked child: that is runts-init's
// job, because Node is multi-threaded (spawn.cc only posix_spawns it).
#include <napi.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>
#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <unistd.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>

#include "../common/syscalls.h"
#include "../common/unix_socket.h"
#include "errno_error.h"
#include "seccomp.h"
#include "spawn.h"

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

// waitpid(pid, WNOHANG) for one child the shim adopted as subreaper:
// null while it runs, else {code} or {signal} (ECHILD: null too, for a pid
// that is not, or no longer, this process's child).
Napi::Value WaitPid(const Napi::CallbackInfo& info) {
  int32_t pid = int_arg(info, 0, "pid");
  if (pid <= 0) throw Napi::TypeError::New(info.Env(), "pid must be positive");
  int status = 0;
  pid_t r;
  do r = waitpid(pid, &status, WNOHANG);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    if (errno == ECHILD) return info.Env().Null();
    throw_errno(info.Env(), "waitpid", errno);
  }
  if (r == 0) return info.Env().Null();
  Napi::Object o = Napi::Object::New(info.Env());
  if (WIFEXITED(status)) o.Set("code", Napi::Number::New(info.Env(), WEXITSTATUS(status)));
  else if (WIFSIGNALED(status)) o.Set("signal", Napi::Number::New(info.Env(), WTERMSIG(status)));
  else return info.Env().Null();
  return o;
}

// getsockopt(SO_PEERCRED) of a connected unix socket: {pid, uid, gid}.
Napi::Value PeerCred(const Napi::CallbackInfo& info) {
  int fd = int_arg(info, 0, "fd");
  struct ucred cred {};
  socklen_t len = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) throw_errno(info.Env(), "getsockopt(SO_PEERCRED)", errno);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("pid", Napi::Number::New(info.Env(), cred.pid));
  o.Set("uid", Napi::Number::New(info.Env(), cred.uid));
  o.Set("gid", Napi::Number::New(info.Env(), cred.gid));
  return o;
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

// pollIn(fds, timeoutMs) -> Promise of each fd's revents (all 0 on
// timeout): poll(2) for POLLIN on a libuv worker thread, for the waits of
// `start` and `delete` (the exec fifo, the init's pidfd) that would
// otherwise sleep in steps. The JS thread stays free: the containerd shim
// serves other containers meanwhile.
class PollWorker : public Napi::AsyncWorker {
 public:
  PollWorker(Napi::Env env, std::vector<struct pollfd> fds, int timeout)
      : Napi::AsyncWorker(env), fds_(std::move(fds)), timeout_(timeout), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    int r;
    do r = poll(fds_.data(), fds_.size(), timeout_);
    while (r < 0 && errno == EINTR);
    if (r < 0) err_ = errno;
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (err_ != 0) {
      deferred_.Reject(errno_error(env, "poll", err_).Value());
      return;
    }
    Napi::Array out = Napi::Array::New(env, fds_.size());
    for (uint32_t i = 0; i < fds_.size(); i++) out.Set(i, Napi::Number::New(env, fds_[i].revents));
    deferred_.Resolve(out);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  std::vector<struct pollfd> fds_;
  int timeout_;
  int err_ = 0;
  Napi::Promise::Deferred deferred_;
};

Napi::Value PollIn(const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || !info[0].IsArray()) throw Napi::TypeError::New(info.Env(), "fds must be an array");
  Napi::Array fds = info[0].As<Napi::Array>();
  int timeout = int_arg(info, 1, "timeoutMs");
  std::vector<struct pollfd> p(fds.Length());
  for (uint32_t i = 0; i < fds.Length(); i++) p[i] = {fds.Get(i).As<Napi::Number>().Int32Value(), POLLIN, 0};
  auto* worker = new PollWorker(info.Env(), std::move(p), timeout);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// ---- cgroup v2 device rules: loadDeviceProgram(insns, cgroupDir) ---------
//
// Loads `insns` (struct bpf_insn array built by src/cgroups/devices-bpf.ts)
// as a BPF_PROG_TYPE_CGROUP_DEVICE program and attaches it to the cgroup
// directory, then detaches the programs that were there before: the new
// rules are in force before the old ones go, so there is no moment without
// rules. When the cgroup's programs were attached without BPF_F_ALLOW_MULTI
// (someone else's single program), the attach uses the same flags, which
// replaces that program in one step.

// The verifier gives up with EAGAIN when a signal is pending (do_check
// checks signal_pending), which a profiled Node (SIGPROF every sampling
// interval) hits: try again, a bounded number of times, as libbpf does.
long bpf_call(int cmd, union bpf_attr* attr) {
  long r;
  int eagain = 0;
  do r = syscall(SYS_bpf, cmd, attr, sizeof *attr);
  while (r < 0 && (errno == EINTR || (errno == EAGAIN && cmd == BPF_PROG_LOAD && ++eagain < 20)));
  return r;
}

uint64_t ptr_u64(const void* p) { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p)); }

// An fd closed on every way out.
struct ScopedFd {
  int fd = -1;
  explicit ScopedFd(int f) : fd(f) {}
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() {
    if (fd >= 0) close(fd);
  }
};

int load_device_prog(const Napi::Env& env, const uint8_t* insns, size_t len) {
  static const char kLicense[] = "Apache-2.0";
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = ptr_u64(insns);
  attr.insn_cnt = static_cast<uint32_t>(len / 8);
  attr.license = ptr_u64(kLicense);
  int fd = static_cast<int>(bpf_call(BPF_PROG_LOAD, &attr));
  if (fd >= 0) return fd;
  int err = errno;
  // Once more with the verifier's log, to say why (a log on the first try
  // could fail a good program whose log does not fit).
  std::vector<char> log(1 << 16);
  attr.log_level = 1;
  attr.log_buf = ptr_u64(log.data());
  attr.log_size = static_cast<uint32_t>(log.size());
  int again = static_cast<int>(bpf_call(BPF_PROG_LOAD, &attr));
  if (again >= 0) return again;
  log.back() = 0;
  std::string text(log.data());
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  std::string call = "bpf(BPF_PROG_LOAD, BPF_PROG_TYPE_CGROUP_DEVICE)";
  Napi::Error e = Napi::Error::New(env, call + ": " + strerror(err) + (text.empty() ? "" : " (verifier: " + text + ")"));
  const char* name = strerrorname_np(err);
  e.Set("code", Napi::String::New(env, name ? name : "E" + std::to_string(err)));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("syscall", Napi::String::New(env, "bpf"));
  if (!text.empty()) e.Set("verifierLog", Napi::String::New(env, text));
  throw e;
}

Napi::Value LoadDeviceProgram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsBuffer()) throw Napi::TypeError::New(env, "insns must be a Buffer");
  auto buf = info[0].As<Napi::Buffer<uint8_t>>();
  if (buf.Length() == 0 || buf.Length() % 8 != 0) throw Napi::RangeError::New(env, "insns must be a non-empty array of 8-byte struct bpf_insn");
  std::string dir = string_arg(info, 1, "cgroupDir");

  ScopedFd prog(load_device_prog(env, buf.Data(), buf.Length()));
  ScopedFd cg(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (cg.fd < 0) throw_errno(env, "open " + dir, errno);

  // What is attached now (and how).
  std::vector<uint32_t> ids(64);
  union bpf_attr q;
  for (;;) {
    std::memset(&q, 0, sizeof q);
    q.query.target_fd = static_cast<uint32_t>(cg.fd);
    q.query.attach_type = BPF_CGROUP_DEVICE;
    q.query.prog_ids = ptr_u64(ids.data());
    q.query.prog_cnt = static_cast<uint32_t>(ids.size());
    if (bpf_call(BPF_PROG_QUERY, &q) == 0) break;
    if (errno == ENOSPC && ids.size() < 4096) {
      ids.resize(ids.size() * 4);
      continue;
    }
    throw_errno(env, "bpf(BPF_PROG_QUERY) on " + dir, errno);
  }
  uint32_t old_count = q.query.prog_cnt;
  uint32_t old_flags = q.query.attach_flags;
  bool multi = old_count == 0 || (old_flags & BPF_F_ALLOW_MULTI) != 0;

  union bpf_attr a;
  std::memset(&a, 0, sizeof a);
  a.target_fd = static_cast<uint32_t>(cg.fd);
  a.attach_bpf_fd = static_cast<uint32_t>(prog.fd);
  a.attach_type = BPF_CGROUP_DEVICE;
  a.attach_flags = multi ? BPF_F_ALLOW_MULTI : old_flags;
  if (bpf_call(BPF_PROG_ATTACH, &a) < 0) throw_errno(env, "bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE) to " + dir, errno);
  if (!multi) return env.Undefined();  // the attach replaced the single program

  for (uint32_t i = 0; i < old_count && i < ids.size(); i++) {
    union bpf_attr g;
    std::memset(&g, 0, sizeof g);
    g.prog_id = ids[i];
    ScopedFd old(static_cast<int>(bpf_call(BPF_PROG_GET_FD_BY_ID, &g)));
    if (old.fd < 0) {
      if (errno == ENOENT) continue;  // detached meanwhile
      throw_errno(env, "bpf(BPF_PROG_GET_FD_BY_ID) for a program on " + dir, errno);
    }
    union bpf_attr d;
    std::memset(&d, 0, sizeof d);
    d.target_fd = static_cast<uint32_t>(cg.fd);
    d.attach_bpf_fd = static_cast<uint32_t>(old.fd);
    d.attach_type = BPF_CGROUP_DEVICE;
    if (bpf_call(BPF_PROG_DETACH, &d) < 0 && errno != ENOENT) {
      throw_errno(env, "bpf(BPF_PROG_DETACH) of an earlier device program from " + dir, errno);
    }
  }
  return env.Undefined();
}

// ---- console sockets (the shim's side of --console-socket) ---------------

// listenUnix(path) -> a listening SOCK_STREAM unix socket bound at `path`,
// close-on-exec. Node's own net.Server would accept() on its own; this fd is
// only accepted from by acceptFd.
Napi::Value ListenUnix(const Napi::CallbackInfo& info) {
  std::string path = string_arg(info, 0, "path");
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) throw_errno(info.Env(), "bind " + path, ENAMETOOLONG);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw_errno(info.Env(), "socket", errno);
  ScopedFd s(fd);
  if (bind(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) < 0) throw_errno(info.Env(), "bind " + path, errno);
  if (listen(fd, 4) < 0) throw_errno(info.Env(), "listen " + path, errno);
  s.fd = -1;
  return Napi::Number::New(info.Env(), fd);
}

// acceptFd(listenFd, timeoutMs) -> the fd one peer sends with SCM_RIGHTS
// (close-on-exec), e.g. runts-init's pty master. Waits with poll() up to
// `timeoutMs` for the connection and again for the message (ETIMEDOUT),
// so it never blocks the JS thread for longer; the connection is closed.
Napi::Value AcceptFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int lfd = int_arg(info, 0, "listenFd");
  int timeout = int_arg(info, 1, "timeoutMs");
  auto wait_in = [&](int fd, const char* what) {
    struct pollfd p {fd, POLLIN, 0};
    int r;
    do r = poll(&p, 1, timeout);
    while (r < 0 && errno == EINTR);
    if (r < 0) throw_errno(env, std::string("poll (") + what + ")", errno);
    if (r == 0) throw_errno(env, std::string("console socket: ") + what, ETIMEDOUT);
  };
  wait_in(lfd, "waiting for a connection");
  int c;
  do c = accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
  while (c < 0 && errno == EINTR);
  if (c < 0) throw_errno(env, "accept", errno);
  ScopedFd conn(c);
  wait_in(c, "waiting for the fd");
  char data[4096];
  int got;
  if (recv_fd_msg(c, data, sizeof data, &got) < 0) throw_errno(env, "recvmsg (console socket)", errno);
  if (got < 0) throw_errno(env, "console socket: no fd in the message", EBADMSG);
  return Napi::Number::New(env, got);
}

// mount(2) and umount2(2) as given: the shim mounts the rootfs containerd
// hands it without starting mount(8) (a process, blocking the server's
// event loop); the option parsing is done in TypeScript (src/shim/mount-options.ts).
Napi::Value Mount(const Napi::CallbackInfo& info) {
  std::string source = string_arg(info, 0, "source");
  std::string target = string_arg(info, 1, "target");
  std::string fstype = string_arg(info, 2, "fstype");
  if (info.Length() < 5 || !info[3].IsNumber()) throw Napi::TypeError::New(info.Env(), "flags must be a number");
  unsigned long flags = static_cast<unsigned long>(info[3].As<Napi::Number>().Int64Value());
  std::string data = string_arg(info, 4, "data");
  if (mount(source.c_str(), target.c_str(), fstype.empty() ? nullptr : fstype.c_str(), flags, data.empty() ? nullptr : data.c_str()) < 0)
    throw_errno(info.Env(), "mount " + target, errno);
  return info.Env().Undefined();
}

Napi::Value Umount(const Napi::CallbackInfo& info) {
  std::string target = string_arg(info, 0, "target");
  int flags = int_arg(info, 1, "flags");
  if (umount2(target.c_str(), flags) < 0) throw_errno(info.Env(), "umount " + target, errno);
  return info.Env().Undefined();
}

// setWinsize(fd, rows, cols): ioctl(TIOCSWINSZ), e.g. on a pty master.
Napi::Value SetWinsize(const Napi::CallbackInfo& info) {
  int fd = int_arg(info, 0, "fd");
  int rows = int_arg(info, 1, "rows");
  int cols = int_arg(info, 2, "cols");
  if (rows < 0 || rows > 0xffff || cols < 0 || cols > 0xffff) throw Napi::RangeError::New(info.Env(), "rows and cols must be 0..65535");
  struct winsize ws {};
  ws.ws_row = static_cast<unsigned short>(rows);
  ws.ws_col = static_cast<unsigned short>(cols);
  if (ioctl(fd, TIOCSWINSZ, &ws) < 0) throw_errno(info.Env(), "ioctl(TIOCSWINSZ)", errno);
  return info.Env().Undefined();
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
  exports.Set("waitPid", Napi::Function::New(env, WaitPid, "waitPid"));
  exports.Set("peerCred", Napi::Function::New(env, PeerCred, "peerCred"));
  exports.Set("mkfifo", Napi::Function::New(env, Mkfifo, "mkfifo"));
  exports.Set("pipe", Napi::Function::New(env, Pipe, "pipe"));
  exports.Set("pollIn", Napi::Function::New(env, PollIn, "pollIn"));
  exports.Set("listenUnix", Napi::Function::New(env, ListenUnix, "listenUnix"));
  exports.Set("acceptFd", Napi::Function::New(env, AcceptFd, "acceptFd"));
  exports.Set("setWinsize", Napi::Function::New(env, SetWinsize, "setWinsize"));
  exports.Set("mount", Napi::Function::New(env, Mount, "mount"));
  exports.Set("umount", Napi::Function::New(env, Umount, "umount"));
  exports.Set("loadDeviceProgram", Napi::Function::New(env, LoadDeviceProgram, "loadDeviceProgram"));
  exports.Set("compileSeccomp", Napi::Function::New(env, CompileSeccomp, "compileSeccomp"));
  exports.Set("seccompFlagSupported", Napi::Function::New(env, SeccompFlagSupported, "seccompFlagSupported"));
  exports.Set("spawn", Napi::Function::New(env, Spawn, "spawn"));
  exports.Set("socketPair", Napi::Function::New(env, SocketPair, "socketPair"));
  exports.Set("recvNow", Napi::Function::New(env, RecvNow, "recvNow"));
  exports.Set("shutdown", Napi::Function::New(env, Shutdown, "shutdown"));
  return exports;
}

NODE_API_MODULE(runts_bridge, InitBridge)
