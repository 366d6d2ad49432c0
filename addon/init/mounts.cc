#include "mounts.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

#include "../common/errors.h"
#include "../common/syscalls.h"
#include "cgroupfs.h"
#include "idmap.h"
#include "mount_attr.h"
#include "mountinfo.h"
#include "resolve.h"
#include "util.h"

namespace runts::init {

// The per-mount flags statvfs reports, as MS_* flags for a bind remount.
static unsigned long current_flags(const std::string& target) {
  struct statvfs st {};
  if (statvfs(target.c_str(), &st) < 0) return 0;
  unsigned long f = 0;
  if (st.f_flag & ST_RDONLY) f |= MS_RDONLY;
  if (st.f_flag & ST_NOSUID) f |= MS_NOSUID;
  if (st.f_flag & ST_NODEV) f |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
  if (st.f_flag & ST_NOATIME) f |= MS_NOATIME;
  if (st.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
  if (st.f_flag & ST_RELATIME) f |= MS_RELATIME;
  return f;
}

void remount_bind(const std::string& target, unsigned long flags, const std::string& what) {
  unsigned long f = (flags & ~static_cast<unsigned long>(MS_REC)) | MS_BIND | MS_REMOUNT;
  if (mount(nullptr, target.c_str(), nullptr, f, nullptr) == 0) return;
  if (errno != EPERM) fail("mount", what);
  if (mount(nullptr, target.c_str(), nullptr, f | current_flags(target), nullptr) < 0) fail("mount", what);
}

// pivot_root fails with EINVAL when the mount holding the new root is shared
// (rootfsPropagation "shared"); make just that one private.
static void make_parent_private(const std::string& rootfs) {
  char real[PATH_MAX];
  if (!realpath(rootfs.c_str(), real)) fail("realpath", rootfs);
  std::string r = real;
  std::vector<MountInfo> mounts = read_mountinfo();
  const MountInfo* best = nullptr;
  for (const auto& m : mounts) {
    const std::string& mp = m.mount_point;
    bool under = mp == "/" || r == mp || (r.compare(0, mp.size(), mp) == 0 && r.size() > mp.size() && r[mp.size()] == '/');
    // Later lines are mounted on top of earlier ones at the same place.
    if (under && (!best || mp.size() >= best->mount_point.size())) best = &m;
  }
  if (!best || best->optional.find("shared:") == std::string::npos) return;
  if (mount(nullptr, best->mount_point.c_str(), nullptr, MS_PRIVATE, nullptr) < 0) fail("mount", best->mount_point);
}

Fd prepare_rootfs(const Plan& plan) {
  if (!plan.find_namespace("mount"))
    fail("mount", plan.rootfs, EINVAL, "the rootfs needs a mount namespace (none is created or joined)");
  if (plan.rootfsPropagation != 0 && mount(nullptr, "/", nullptr, plan.rootfsPropagation, nullptr) < 0) fail("mount", "/");
  make_parent_private(plan.rootfs);
  if (mount(plan.rootfs.c_str(), plan.rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) fail("mount", plan.rootfs);
  Fd root(open(plan.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) fail("open", plan.rootfs);
  return root;
}

static void apply_mount(const Plan& plan, size_t index, int rootfd) {
  const PlanMount& m = plan.mounts[index];
  Fd dest = ensure_in_root(rootfd, m.destination, m.createAsFile ? Create::File : Create::Dir);
  if (m.idmap) {
    // Made by runts-init on the host (idmap.h); moved onto the destination
    // through its fd, so the resolved path is the one mounted over.
    int tree = idmapped_mount(index);
    if (tree < 0) fail("move_mount", m.destination, EBADF, "the idmapped mount was not prepared");
    if (mount_api::move_mount(tree, "", dest.get(), "", mount_api::kMoveMountFEmptyPath | mount_api::kMoveMountTEmptyPath) < 0)
      fail("move_mount", m.destination);
  } else if (m.fstype == "cgroup" && !m.bind) {
    mount_cgroup(m, rootfd, dest.get(), plan.creates("cgroup"));
  } else {
    const char* type = m.bind ? nullptr : m.fstype.c_str();
    const char* data = m.data.empty() ? nullptr : m.data.c_str();
    if (mount(m.source.c_str(), fd_path(dest.get()).c_str(), type, m.flags, data) < 0) fail("mount", m.destination);
  }
  // The O_PATH fd still names the directory underneath; remount and
  // propagation changes need the new mount's root, so look it up again.
  Fd top = open_in_root(rootfd, m.destination);
  if (!top.valid()) fail("open", m.destination);
  unsigned long extra = m.flags & ~static_cast<unsigned long>(MS_BIND | MS_REC);
  if (m.bind && extra != 0) remount_bind(fd_path(top.get()), m.flags, m.destination);
  set_mount_attrs(top.get(), m);
  for (unsigned long p : m.propagation) {
    if (mount(nullptr, fd_path(top.get()).c_str(), nullptr, p, nullptr) < 0) fail("mount", m.destination);
  }
}

void apply_mounts(const Plan& plan, int rootfd) {
  for (size_t i = 0; i < plan.mounts.size(); i++) apply_mount(plan, i, rootfd);
  release_idmapped_mounts();
}

void switch_root(const Plan& plan) {
  if (chdir(plan.rootfs.c_str()) < 0) fail("chdir", plan.rootfs);
  if (plan.noPivot) {
    if (mount(plan.rootfs.c_str(), "/", nullptr, MS_MOVE, nullptr) < 0) fail("mount", plan.rootfs);
    if (chroot(".") < 0) fail("chroot", plan.rootfs);
  } else {
    // pivot_root(".", ".") stacks the old root on top of the new one; it is
    // then detached without ever needing a directory to put it in. Making it
    // a slave first keeps the unmount from propagating to the host.
    Fd old_root(open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!old_root.valid()) fail("open", "/");
    if (sys::pivot_root(".", ".") < 0) fail("pivot_root", plan.rootfs);
    // "." still names the new root's directory (a lookup of "." does not
    // climb onto the mount stacked over it): act on the old root through
    // its fd, or MS_SLAVE|MS_REC would hit the container's own mounts.
    if (fchdir(old_root.get()) < 0) fail("fchdir", "old root");
    if (mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) < 0) fail("mount", "old root");
    if (umount2(".", MNT_DETACH) < 0) fail("umount", "old root");
  }
  if (chdir("/") < 0) fail("chdir", "/");
  if (plan.rootPropagation != 0 && mount(nullptr, "/", nullptr, plan.rootPropagation, nullptr) < 0) fail("mount", "/ (rootfsPropagation)");
}

void mask_paths(const Plan& plan) {
  for (const auto& path : plan.maskedPaths) {
    struct stat st {};
    if (stat(path.c_str(), &st) < 0) {
      if (errno == ENOENT) continue;
      fail("stat", path);
    }
    int r = S_ISDIR(st.st_mode) ? mount("tmpfs", path.c_str(), "tmpfs", MS_RDONLY, plan.maskDirData.empty() ? nullptr : plan.maskDirData.c_str())
                                : mount("/dev/null", path.c_str(), nullptr, MS_BIND, nullptr);
    if (r < 0) fail("mount", path);
  }
}

static void remount_readonly(const std::string& path) {
  // Keep nosuid/nodev/noexec and the atime mode of the mount; only add ro.
  unsigned long keep = current_flags(path) & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME);
  if (mount(nullptr, path.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, nullptr) < 0) fail("mount", path);
}

void readonly_paths(const Plan& plan) {
  for (const auto& path : plan.readonlyPaths) {
    if (mount(path.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) {
      if (errno == ENOENT) continue;
      fail("mount", path);
    }
    remount_readonly(path);
  }
}

void readonly_rootfs(const Plan& plan) {
  if (plan.readonlyRootfs) remount_readonly("/");
}

}  // namespace runts::init
