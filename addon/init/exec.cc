#include "exec.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "../common/errors.h"
#include "../common/syscalls.h"
#include "seccomp.h"
#include "util.h"

namespace runts::init {

void check_cwd() {
  char buf[PATH_MAX];
  // The raw syscall: glibc's getcwd() turns the answer below into ENOENT.
  if (syscall(SYS_getcwd, buf, sizeof buf) < 0) fail("getcwd", "");
  // A cwd outside the root (a leaked host directory fd) reads "(unreachable)...".
  if (buf[0] != '/') fail("getcwd", buf, EPERM, "current working directory is outside the container");
}

// Fallback for kernels before 5.9: close what /proc/self/fd lists.
static void close_from(int first) {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return;
  int self = dirfd(d);
  std::vector<int> fds;
  while (struct dirent* e = readdir(d)) {
    int fd = atoi(e->d_name);
    if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && fd >= first && fd != self) fds.push_back(fd);
  }
  closedir(d);
  for (int fd : fds) close(fd);
}

void exec_process(const PlanProcess& proc, int preserve_fds, const std::string& path, const std::vector<int>& placeholders,
                  const std::optional<PlanSeccomp>& seccomp) {
  int keep = 3 + preserve_fds;
  for (int fd : placeholders) close(fd);
  if (sys::close_range(static_cast<unsigned>(keep), ~0U, 0) < 0) close_from(keep);
  for (int fd = 3; fd < keep; fd++) {
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0 && (flags & FD_CLOEXEC)) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
  }
  bool late = seccomp && seccomp->loadAt == PlanSeccomp::LoadAt::BeforeExec;
  try {
    if (!seccomp || late) check_cwd();
    if (late) load_seccomp(*seccomp);
  } catch (const StepError& e) {
    diag(e.what());
    _exit(127);
  }

  std::vector<char*> argv, envp;
  for (const auto& a : proc.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : proc.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  execve(path.c_str(), argv.data(), envp.data());
  diag("exec " + path + ": " + strerror(errno));
  _exit(127);
}

}  // namespace runts::init
