#include "resolve.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <vector>

#include "../common/errors.h"
#include "../common/syscalls.h"
#include "util.h"

namespace runts::init {

// Magic links (/proc/<pid>/root, /proc/self/fd/N) could point anywhere once
// a procfs is mounted inside the rootfs, so they are refused outright.
static constexpr uint64_t kResolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

static Fd open_rel(int rootfd, const std::string& rel, int extra_flags) {
  int fd;
  do fd = sys::openat2(rootfd, rel.c_str(), O_PATH | O_CLOEXEC | extra_flags, 0, kResolve);
  while (fd < 0 && errno == EAGAIN);  // a concurrent rename elsewhere; retry
  return Fd(fd);
}

static std::string relative(const std::string& path) {
  std::vector<std::string> parts = split_path(path);
  return join_path(parts, parts.size());
}

Fd open_in_root(int rootfd, const std::string& path, int extra_flags) { return open_rel(rootfd, relative(path), extra_flags); }

Fd ensure_in_root(int rootfd, const std::string& path, Create last) {
  std::string current = relative(path);
  // Each followed dangling symlink restarts the walk; bound it like the
  // kernel bounds symlink nesting.
  for (int restarts = 0; restarts < 40; restarts++) {
    Fd fd = open_rel(rootfd, current, 0);
    if (fd.valid()) return fd;
    if (errno != ENOENT) fail("open", path);

    std::vector<std::string> parts = split_path(current);
    bool restarted = false;
    for (size_t i = 0; i < parts.size() && !restarted; i++) {
      if (parts[i] == "..") continue;  // always exists (clamped at the root)
      std::string prefix = join_path(parts, i + 1);
      if (open_rel(rootfd, prefix, 0).valid()) continue;
      if (errno != ENOENT) fail("open", path);
      Fd parent = open_rel(rootfd, join_path(parts, i), O_DIRECTORY);
      if (!parent.valid()) fail("open", path);
      const std::string& name = parts[i];
      bool as_file = i + 1 == parts.size() && last == Create::File;
      int r;
      if (as_file) {
        r = openat(parent.get(), name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (r >= 0) r = close(r);
      } else {
        r = mkdirat(parent.get(), name.c_str(), 0755);
      }
      if (r == 0) continue;
      if (errno != EEXIST) fail(as_file ? "create" : "mkdir", path);
      // It exists but does not resolve: a dangling symlink. Continue from
      // its target, still inside the root.
      char target[PATH_MAX];
      ssize_t n = readlinkat(parent.get(), name.c_str(), target, sizeof target - 1);
      if (n < 0) fail("mkdir", path);
      target[n] = '\0';
      std::string next = target[0] == '/' ? std::string(target + 1) : join_path(parts, i) + "/" + target;
      for (size_t k = i + 1; k < parts.size(); k++) next += "/" + parts[k];
      current = next;
      restarted = true;
    }
    if (!restarted) {
      Fd done = open_rel(rootfd, current, 0);
      if (!done.valid()) fail("open", path);
      return done;
    }
  }
  fail("open", path, ELOOP);
}

Parent ensure_parent_in_root(int rootfd, const std::string& path) {
  std::vector<std::string> parts = split_path(path);
  if (parts.empty()) fail("open", path, EINVAL, "path has no last component");
  std::string name = parts.back();
  parts.pop_back();
  std::string dir = "/" + join_path(parts, parts.size());
  if (parts.empty()) dir = "/";
  return {ensure_in_root(rootfd, dir, Create::Dir), name};
}

}  // namespace runts::init
