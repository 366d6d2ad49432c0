#include "hooks.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <limits>

#include <nlohmann/json.hpp>

#include "../common/errors.h"
#include "../common/fd.h"
#include "../common/syscalls.h"
#include "util.h"

namespace runts::init {

namespace {

// Only the first line of stderr is reported; collect no more than this.
constexpr size_t kStderrCap = 64 * 1024;
// Longest start failure written to the exec fifo (START_ERROR_MAX in protocol.ts).
constexpr size_t kStartErrorMax = 4096;

int64_t now_ms() {
  struct timespec ts {};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// SIGPIPE ignored while hooks run (a hook may exit without reading its
// stdin), restored afterwards: an ignored disposition would survive the
// execve of the container process.
class IgnoreSigpipe {
 public:
  IgnoreSigpipe() {
    struct sigaction ign {};
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old_);
  }
  ~IgnoreSigpipe() { sigaction(SIGPIPE, &old_, nullptr); }
  IgnoreSigpipe(const IgnoreSigpipe&) = delete;
  IgnoreSigpipe& operator=(const IgnoreSigpipe&) = delete;

 private:
  struct sigaction old_ {};
};

std::string first_line(const std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string::npos) j = text.size();
    std::string line = text.substr(i, j - i);
    size_t b = line.find_first_not_of(" \t\r");
    if (b != std::string::npos) {
      size_t e = line.find_last_not_of(" \t\r");
      return line.substr(b, e - b + 1);
    }
    i = j + 1;
  }
  return "";
}

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

// In the forked hook process: stdio onto the pipes, every other fd closed
// (the exec-status pipe survives close-on-exec only), signals as a fresh
// process has them, then execve. Never returns.
[[noreturn]] void exec_hook(const PlanHook& hook, int in, int out, int err, int status) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);
  // Moved above 2 first, so the dup2s below cannot overwrite one another.
  int fds[4] = {in, out, err, status};
  for (int& fd : fds) {
    if (fd < 3) {
      int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
      if (moved < 0) _exit(126);
      fd = moved;
    }
  }
  if (dup2(fds[0], 0) < 0 || dup2(fds[1], 1) < 0 || dup2(fds[2], 2) < 0) _exit(126);
  int st = fds[3];
  if (st != 3) {
    if (dup3(st, 3, O_CLOEXEC) < 0) _exit(126);
    st = 3;
  }
  if (sys::close_range(4, ~0U, 0) < 0) {
    for (int fd = 4; fd < 65536; fd++) close(fd);
  }
  std::vector<char*> argv, envp;
  for (const auto& a : hook.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : hook.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  execve(hook.path.c_str(), argv.data(), envp.data());
  int e = errno;
  ssize_t ignored = write(st, &e, sizeof e);
  (void)ignored;
  _exit(127);
}

struct Pipe {
  Fd r, w;
};

Pipe make_pipe() {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) fail("pipe", "hook");
  return {Fd(p[0]), Fd(p[1])};
}

void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Reads what is there without blocking; false at EOF or on error.
bool drain(int fd, std::string* keep) {
  char buf[4096];
  for (;;) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r > 0) {
      if (keep && keep->size() < kStderrCap) keep->append(buf, std::min(size_t(r), kStderrCap - keep->size()));
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    return r < 0 && errno == EAGAIN;
  }
}

void run_hook(const char* kind, size_t index, const PlanHook& hook, const std::string& state) {
  std::string label = std::string(kind) + " hook #" + std::to_string(index) + " (" + hook.path + ")";
  auto failed = [&](const std::string& what) { throw StepError(label, "", 0, what); };

  Pipe in = make_pipe(), out = make_pipe(), err = make_pipe(), st = make_pipe();
  pid_t pid = fork();
  if (pid < 0) fail("fork", label);
  if (pid == 0) exec_hook(hook, in.r.get(), out.w.get(), err.w.get(), st.w.get());
  in.r.reset();
  out.w.reset();
  err.w.reset();
  st.w.reset();

  // The exec-status pipe closes on a successful execve, or carries its errno.
  int exec_errno = 0;
  ssize_t r;
  do r = read(st.r.get(), &exec_errno, sizeof exec_errno);
  while (r < 0 && errno == EINTR);
  if (r == sizeof exec_errno) {
    reap(pid);
    std::string why = strerror(exec_errno);
    if (!why.empty()) why[0] = char(tolower(static_cast<unsigned char>(why[0])));  // as the TypeScript runner words it
    failed("exec: " + why);
  }

  set_nonblock(in.w.get());
  set_nonblock(out.r.get());
  set_nonblock(err.r.get());
  // The hook's exit wakes poll through a pidfd; without one, poll ticks.
  Fd pidfd(sys::pidfd_open(pid, 0));
  const int64_t deadline =
      hook.timeout ? now_ms() + std::min<int64_t>(*hook.timeout, std::numeric_limits<int64_t>::max() / 4000) * 1000 : -1;
  size_t written = 0;
  std::string errtext;
  int status = 0;
  for (;;) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    int64_t left = deadline < 0 ? -1 : deadline - now_ms();
    if (deadline >= 0 && left <= 0) {
      kill(pid, SIGKILL);
      reap(pid);
      failed("timed out after " + std::to_string(*hook.timeout) + "s");
    }
    struct pollfd p[4];
    int n = 0;
    if (in.w.valid()) p[n++] = {in.w.get(), POLLOUT, 0};
    if (out.r.valid()) p[n++] = {out.r.get(), POLLIN, 0};
    if (err.r.valid()) p[n++] = {err.r.get(), POLLIN, 0};
    if (pidfd.valid()) p[n++] = {pidfd.get(), POLLIN, 0};
    int wait_ms = pidfd.valid() ? (left < 0 ? -1 : int(std::min<int64_t>(left, 1 << 30))) : int(std::min<int64_t>(left < 0 ? 10 : left, 10));
    if (poll(p, nfds_t(n), wait_ms) < 0 && errno != EINTR) fail("poll", label);
    if (in.w.valid()) {
      ssize_t wr = write(in.w.get(), state.data() + written, state.size() - written);
      if (wr > 0) written += size_t(wr);
      // All of it written, or the hook closed its stdin (EPIPE): done with it.
      if (written == state.size() || (wr < 0 && errno != EAGAIN && errno != EINTR)) in.w.reset();
    }
    if (out.r.valid() && !drain(out.r.get(), nullptr)) out.r.reset();
    if (err.r.valid() && !drain(err.r.get(), &errtext)) err.r.reset();
  }
  // Whatever stderr already holds; a grandchild keeping it open is not waited for.
  if (err.r.valid()) drain(err.r.get(), &errtext);

  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  std::string what = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                        : "killed by signal " + signal_name(WTERMSIG(status));
  std::string line = first_line(errtext);
  failed(line.empty() ? what : what + ": " + line);
}

}  // namespace

std::string hook_state_json(const Plan& plan, const char* status) {
  nlohmann::ordered_json j;
  j["ociVersion"] = plan.hookState.ociVersion;
  j["id"] = plan.id;
  j["status"] = status;
  j["pid"] = getpid();
  j["bundle"] = plan.hookState.bundle;
  if (!plan.hookState.annotations.empty()) {
    nlohmann::ordered_json a = nlohmann::ordered_json::object();
    for (const auto& [k, v] : plan.hookState.annotations) a[k] = v;
    j["annotations"] = std::move(a);
  }
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void run_hooks(const char* kind, const std::vector<PlanHook>& hooks, const std::string& state) {
  if (hooks.empty()) return;
  IgnoreSigpipe guard;
  for (size_t i = 0; i < hooks.size(); i++) run_hook(kind, i, hooks[i], state);
}

int release_exec_fifo(int fifo_path_fd) {
  std::string path = fd_path(fifo_path_fd);
  int fd;
  do fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    diag("open exec fifo: " + std::string(strerror(errno)));
    _exit(1);
  }
  close(fifo_path_fd);
  ssize_t w;
  do w = write(fd, "0", 1);
  while (w < 0 && errno == EINTR);
  if (w != 1) {
    diag("write exec fifo: " + std::string(strerror(errno)));
    _exit(1);
  }
  return fd;
}

void report_start_failure(int fifo_fd, const std::string& message) {
  IgnoreSigpipe guard;  // `start` may be gone
  std::string m = message.substr(0, kStartErrorMax);
  size_t off = 0;
  while (off < m.size()) {
    ssize_t w = write(fifo_fd, m.data() + off, m.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    off += size_t(w);
  }
  close(fifo_fd);
}

}  // namespace runts::init
