// runts-init: started by runts with the channel socket at $RUNTS_INIT_FD,
// reads one plan frame and creates the container it describes, or one exec
// frame and starts a process inside an existing container. See
// /work/shared/DESIGN.md ("The process model") and src/plan/types.ts.
#include <dirent.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <nlohmann/json.hpp>

#include "../common/errors.h"
#include "../common/exec_plan.h"
#include "../common/plan.h"
#include "../common/protocol.h"
#include "../common/syscalls.h"
#include "channel.h"
#include "exec_parent.h"
#include "parent.h"
#include "sealed_exe.h"
#include "util.h"

using namespace runts;
using nlohmann::json;

namespace {

// Every fd below `end` that is not open gets /dev/null, so that no fd
// runts-init opens later can take its number and be handed to the container
// as a preserved fd (or as its stdio). Returns those at or above 3: they are
// closed again before the exec.
std::vector<int> fill_fd_gaps(int begin, int end, int skip) {
  std::vector<int> filled;
  for (int fd = begin; fd < end; fd++) {
    if (fd == skip || fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
    // Stdio stand-ins must survive the exec (the container gets /dev/null
    // there); the others are closed before it anyway.
    int cloexec = fd < 3 ? 0 : O_CLOEXEC;
    int n = open("/dev/null", O_RDWR | cloexec);
    if (n < 0) continue;
    if (n != fd) {
      dup3(n, fd, cloexec);
      close(n);
    }
    if (fd >= 3) filled.push_back(fd);
  }
  return filled;
}

// Fds the caller of runts left open without O_CLOEXEC (a shell's, a shim's)
// reach runts-init through Node's spawn; the container init would hold them
// until its exec. Everything from `first` on goes, except the channel.
void close_inherited(int first, int channel) {
  std::vector<int> stray;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (struct dirent* e = readdir(d)) {
      int fd = atoi(e->d_name);
      if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && fd >= first && fd != channel && fd != dirfd(d)) stray.push_back(fd);
    }
    closedir(d);
  } else {
    // No /proc: close_range around the channel.
    if (channel > first) sys::close_range(static_cast<unsigned>(first), static_cast<unsigned>(channel - 1), 0);
    sys::close_range(static_cast<unsigned>(std::max(first, channel + 1)), ~0U, 0);
  }
  for (int fd : stray) close(fd);
}

// Every signal at its default, as the container's process must start: an
// ignored signal stays ignored across execve. runts spawns runts-init with
// glibc's posix_spawn, which resets what it can but leaves glibc's own
// internal signals (32 and 33) ignored; glibc's sigaction refuses to touch
// those, hence the raw syscall.
void reset_signal_dispositions() {
  struct {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)();
    uint64_t mask;
  } dfl{SIG_DFL, 0, nullptr, 0};
  for (int sig = 1; sig <= 64; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    syscall(SYS_rt_sigaction, sig, &dfl, nullptr, sizeof dfl.mask);
  }
}

// The first frame: "plan" (create) or "exec", as the protocol table allows.
json read_first_frame(int channel, std::string& type) {
  std::string body, err;
  if (!protocol::read_frame(channel, body, err)) {
    // runts started us ahead of its plan and then gave up (e.g. an invalid
    // config): nothing was done, nothing to say.
    if (err == protocol::kCleanEof) _exit(0);
    fail("protocol", "", EPROTO, err);
  }
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) fail("protocol", "", EPROTO, "frame is not a JSON object");
  auto t = j.find("type");
  if (t == j.end() || !t->is_string()) fail("protocol", "", EPROTO, "frame has no type");
  type = t->get<std::string>();
  if (!protocol::advance("start", type)) fail("protocol", "", EPROTO, "unexpected message " + type + " in start");
  auto plan = j.find("plan");
  if (plan == j.end()) fail("plan", "plan", EINVAL, "missing field");
  return std::move(*plan);
}

}  // namespace

int main(int argc, char** argv, char** envp) {
  if (argc > 1 && strcmp(argv[1], "--version") == 0) {
    printf("runts-init (plan version %d, exec plan version %d)\n", kPlanVersion, kExecPlanVersion);
    return 0;
  }
  reset_signal_dispositions();
  // Before anything else: never enter a container from the host's file.
  init::ensure_sealed(argv, envp);
  // Named after the memfd otherwise ("memfd:runts-init"); ps shows this name.
  prctl(PR_SET_NAME, "runts-init", 0, 0, 0);
  const char* env = getenv(protocol::kInitFdEnv);
  char* end = nullptr;
  long channel = env ? strtol(env, &end, 10) : -1;
  if (!env || *env == '\0' || *end != '\0' || channel < 3 || channel > 1 << 20) {
    init::diag(std::string(protocol::kInitFdEnv) + " must name the channel fd; runts-init is started by runts");
    return 1;
  }
  if (fcntl(int(channel), F_GETFD) < 0) {
    init::diag(std::string(protocol::kInitFdEnv) + "=" + env + ": " + strerror(errno));
    return 1;
  }
  // Nothing of runts-init's may land on the container's stdio.
  fill_fd_gaps(0, 3, -1);
  // The channel must not reach the container, whatever happens.
  fcntl(int(channel), F_SETFD, FD_CLOEXEC);

  try {
    std::string type;
    json frame = read_first_frame(int(channel), type);
    if (type == "exec") {
      ExecPlan plan = decode_exec_plan(frame);
      close_inherited(3 + plan.preserveFds, int(channel));
      std::vector<int> placeholders = fill_fd_gaps(3, 3 + plan.preserveFds, int(channel));
      return init::run_exec(plan, int(channel), placeholders);
    }
    Plan plan = decode_plan(frame);
    close_inherited(3 + plan.preserveFds, int(channel));
    std::vector<int> placeholders = fill_fd_gaps(3, 3 + plan.preserveFds, int(channel));
    return init::run_parent(plan, int(channel), placeholders);
  } catch (const StepError& e) {
    if (!init::send_error_frame(int(channel), e)) init::diag(e.what());
    return 1;
  } catch (const std::exception& e) {
    StepError se("runts-init", "", 0, e.what());
    if (!init::send_error_frame(int(channel), se)) init::diag(se.what());
    return 1;
  }
}
