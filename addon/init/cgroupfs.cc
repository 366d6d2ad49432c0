#include "cgroupfs.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>
#include <vector>

#include "../common/errors.h"
#include "../common/fd.h"
#include "mountinfo.h"
#include "mounts.h"
#include "resolve.h"
#include "util.h"

namespace runts::init {

namespace {

constexpr long kCgroup2Magic = 0x63677270;  // CGROUP2_SUPER_MAGIC
constexpr unsigned long kPerMount = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME;

// The hierarchy's identity in /proc/self/cgroup: its controllers (and
// name=...) from the mount's super options, minus rw/ro.
std::string controllers_of(const MountInfo& m) {
  std::string out;
  std::istringstream opts(m.super_options);
  std::string o;
  while (std::getline(opts, o, ',')) {
    if (o == "rw" || o == "ro" || o.empty()) continue;
    // Options that are not controllers or a name.
    if (o == "xattr" || o == "noprefix" || o == "clone_children" || o == "cpuset_v2_mode" || o.rfind("release_agent=", 0) == 0) continue;
    out += (out.empty() ? "" : ",") + o;
  }
  return out;
}

// Path of this process's cgroup in the hierarchy with `controllers` ("" for v2).
std::string own_cgroup(const std::string& controllers) {
  std::string text;
  if (!read_file("/proc/self/cgroup", text)) fail("read", "/proc/self/cgroup");
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    if (line.substr(a + 1, b - a - 1) == controllers) return line.substr(b + 1);
  }
  return "/";
}

// The host directory for this process's cgroup under mount `m`.
std::string host_dir(const MountInfo& m, const std::string& controllers) {
  std::string path = own_cgroup(controllers);
  // The mount may expose a subtree (root != "/"); paths are relative to it.
  if (m.root != "/" && path.compare(0, m.root.size(), m.root) == 0) path = path.substr(m.root.size());
  std::string dir = m.mount_point + (path == "/" ? "" : path);
  struct stat st {};
  return stat(dir.c_str(), &st) == 0 ? dir : m.mount_point;
}

// Binds `source` onto `name` in directory `parent`, then applies the
// per-mount flags to the new mount (found by opening `name` again: an fd
// taken before the mount names the directory underneath).
void bind_with_flags(const std::string& source, int parent, const std::string& name, unsigned long flags, const std::string& what) {
  Fd below(openat(parent, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!below.valid()) fail("open", what);
  if (mount(source.c_str(), fd_path(below.get()).c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) fail("mount", what);
  if (!(flags & kPerMount)) return;
  Fd top(openat(parent, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!top.valid()) fail("open", what);
  remount_bind(fd_path(top.get()), flags & kPerMount, what);
}

}  // namespace

void mount_cgroup(const PlanMount& m, int rootfd, int destfd, bool new_cgroupns) {
  std::string target = fd_path(destfd);
  struct statfs host {};
  if (statfs("/sys/fs/cgroup", &host) == 0 && host.f_type == kCgroup2Magic) {
    if (new_cgroupns) {
      if (mount("cgroup2", target.c_str(), "cgroup2", m.flags & kPerMount, nullptr) < 0) fail("mount", m.destination);
    } else {
      // A fresh cgroup2 mount would show the whole host tree; bind the
      // container's own cgroup instead.
      std::string own = "/sys/fs/cgroup" + own_cgroup("");
      if (mount(own.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) fail("mount", m.destination);
      Fd bound = open_in_root(rootfd, m.destination, O_DIRECTORY);
      if (!bound.valid()) fail("open", m.destination);
      if (m.flags & kPerMount) remount_bind(fd_path(bound.get()), m.flags & kPerMount, m.destination);
    }
    return;
  }

  // v1 or hybrid: a tmpfs to hold one directory per hierarchy; made
  // read-only at the end if asked, once the directories exist.
  unsigned long tmpfs_flags = (m.flags & kPerMount & ~static_cast<unsigned long>(MS_RDONLY)) | MS_NOSUID | MS_NODEV | MS_NOEXEC;
  if (mount("tmpfs", target.c_str(), "tmpfs", tmpfs_flags, "mode=755") < 0) fail("mount", m.destination);
  Fd top = open_in_root(rootfd, m.destination, O_DIRECTORY);
  if (!top.valid()) fail("open", m.destination);

  for (const auto& h : read_mountinfo()) {
    bool v1 = h.fstype == "cgroup";
    if (!v1 && h.fstype != "cgroup2") continue;
    if (h.mount_point.rfind("/sys/fs/cgroup/", 0) != 0) continue;  // only the standard layout
    std::string name = h.mount_point.substr(h.mount_point.rfind('/') + 1);
    std::string what = m.destination + "/" + name;
    if (mkdirat(top.get(), name.c_str(), 0755) < 0 && errno != EEXIST) fail("mkdir", what);
    std::string controllers = v1 ? controllers_of(h) : "";
    if (new_cgroupns) {
      // A fresh mount shows the namespace's root: the container's cgroup.
      Fd dir(openat(top.get(), name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!dir.valid()) fail("open", what);
      const char* type = v1 ? "cgroup" : "cgroup2";
      if (mount(type, fd_path(dir.get()).c_str(), type, m.flags & kPerMount, v1 ? controllers.c_str() : nullptr) < 0) fail("mount", what);
    } else {
      bind_with_flags(host_dir(h, controllers), top.get(), name, m.flags, what);
    }
    // Co-mounted controllers ("cpu,cpuacct") are also reachable by each name.
    if (name.find(',') != std::string::npos) {
      std::istringstream parts(name);
      std::string part;
      while (std::getline(parts, part, ',')) {
        if (symlinkat(name.c_str(), top.get(), part.c_str()) < 0 && errno != EEXIST) fail("symlink", m.destination + "/" + part);
      }
    }
  }
  if (m.flags & MS_RDONLY) remount_bind(fd_path(top.get()), (m.flags & kPerMount) | MS_NOSUID | MS_NODEV | MS_NOEXEC, m.destination);
}

}  // namespace runts::init
