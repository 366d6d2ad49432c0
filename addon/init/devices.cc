#include "devices.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>

#include "../common/errors.h"
#include "../common/fd.h"
#include "resolve.h"
#include "util.h"

namespace runts::init {

static mode_t type_bits(char type) {
  switch (type) {
    case 'b': return S_IFBLK;
    case 'p': return S_IFIFO;
    default: return S_IFCHR;  // 'c' and 'u' (unbuffered character device)
  }
}

// The host's node at the same path, bind-mounted onto an empty file.
static void bind_device(const PlanDevice& d, const Parent& at) {
  Fd file(openat(at.dir.get(), at.name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0000));
  if (!file.valid()) fail("create", d.path);
  if (mount(d.path.c_str(), fd_path(file.get()).c_str(), nullptr, MS_BIND, nullptr) < 0) fail("mount", d.path);
}

static void create_device(const PlanDevice& d, int rootfd, bool bind) {
  Parent at = ensure_parent_in_root(rootfd, d.path);
  const char* name = at.name.c_str();
  struct stat st {};
  if (fstatat(at.dir.get(), name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    int flags = S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0;
    if (unlinkat(at.dir.get(), name, flags) < 0) fail("unlink", d.path);
  } else if (errno != ENOENT) {
    fail("stat", d.path);
  }
  if (!bind) {
    if (mknodat(at.dir.get(), name, type_bits(d.type) | (d.fileMode & 07777), makedev(d.major, d.minor)) == 0) {
      // Ownership and mode exactly as planned, whatever the umask.
      if (fchownat(at.dir.get(), name, d.uid, d.gid, AT_SYMLINK_NOFOLLOW) < 0) fail("chown", d.path);
      if (fchmodat(at.dir.get(), name, d.fileMode & 07777, 0) < 0) fail("chmod", d.path);
      return;
    }
    if (errno != EPERM) fail("mknod", d.path);
  }
  bind_device(d, at);
}

void create_devices(const Plan& plan, int rootfd) {
  for (const auto& d : plan.devices) create_device(d, rootfd, plan.bindDevices);
}

void setup_dev_links(int rootfd) {
  Fd dev = ensure_in_root(rootfd, "/dev", Create::Dir);
  struct Link {
    const char* target;
    const char* name;
  };
  static const Link kLinks[] = {
      {"/proc/self/fd", "fd"},
      {"/proc/self/fd/0", "stdin"},
      {"/proc/self/fd/1", "stdout"},
      {"/proc/self/fd/2", "stderr"},
  };
  for (const auto& l : kLinks) {
    if (symlinkat(l.target, dev.get(), l.name) < 0 && errno != EEXIST) fail("symlink", std::string("/dev/") + l.name);
  }
  // Still before the root switch: this is the host's /proc.
  if (access("/proc/kcore", F_OK) == 0 && symlinkat("/proc/kcore", dev.get(), "core") < 0 && errno != EEXIST) fail("symlink", "/dev/core");
  // The container's ptmx must be its own devpts instance's, whatever is there.
  if (unlinkat(dev.get(), "ptmx", 0) < 0 && errno != ENOENT) fail("unlink", "/dev/ptmx");
  if (symlinkat("pts/ptmx", dev.get(), "ptmx") < 0) fail("symlink", "/dev/ptmx");
}

}  // namespace runts::init
