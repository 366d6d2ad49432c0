#include "util.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "../common/fd.h"

namespace runts::init {

int write_file(const std::string& path, const std::string& data) {
  Fd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return -1;
  ssize_t w;
  do w = write(fd.get(), data.data(), data.size());
  while (w < 0 && errno == EINTR);
  if (w < 0) return -1;
  if (static_cast<size_t>(w) != data.size()) {
    errno = EIO;
    return -1;
  }
  return 0;
}

bool read_file(const std::string& path, std::string& out) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  out.clear();
  char buf[4096];
  for (;;) {
    ssize_t r = read(fd.get(), buf, sizeof buf);
    if (r < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (r == 0) return true;
    out.append(buf, static_cast<size_t>(r));
  }
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string c = path.substr(i, j - i);
    if (!c.empty() && c != ".") parts.push_back(std::move(c));
    i = j + 1;
  }
  return parts;
}

std::string join_path(const std::vector<std::string>& parts, size_t n) {
  if (n == 0) return ".";
  std::string out;
  for (size_t i = 0; i < n; i++) {
    if (i) out += '/';
    out += parts[i];
  }
  return out;
}

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

int reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

void diag(const std::string& msg) {
  std::string line = "runts-init: " + msg + "\n";
  ssize_t ignored = write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace runts::init
