#include "mounts.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <linux/openat2.h>
#include <cstring>
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

// proc and sysfs go on an ordinary directory reached without any symlink:
// a rootfs whose /proc is a symlink would get procfs wherever it points,
// and the masked/readonly paths and LSM labels (/proc/self/attr) meant for
// /proc would miss it (CVE-2019-16884, CVE-2019-19921).
static void check_kernel_fs_destination(int rootfd, const PlanMount& m) {
  if (m.bind || (m.fstype != "proc" && m.fstype != "sysfs")) return;
  std::string rel = m.destination.substr(m.destination.find_first_not_of('/') == std::string::npos ? m.destination.size() : m.destination.find_first_not_of('/'));
  if (rel.empty()) rel = ".";
  int fd;
  do fd = sys::openat2(rootfd, rel.c_str(), O_PATH | O_CLOEXEC | O_NOFOLLOW, 0, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
  while (fd < 0 && errno == EAGAIN);
  Fd dest(fd);
  if (!dest.valid()) {
    if (errno == ENOENT) return;  // created below, as a directory
    if (errno == ELOOP)
      fail("mount", m.destination, ELOOP, m.fstype + " must be mounted on an ordinary directory, and the rootfs has a symlink on the way");
    fail("open", m.destination);
  }
  struct stat st {};
  if (fstat(dest.get(), &st) < 0) fail("stat", m.destination);
  if (!S_ISDIR(st.st_mode)) fail("mount", m.destination, ENOTDIR, m.fstype + " must be mounted on an ordinary directory");
}

static void apply_mount(const Plan& plan, size_t index, int rootfd) {
  const PlanMount& m = plan.mounts[index];
  check_kernel_fs_destination(rootfd, m);
  Fd dest = ensure_in_root(rootfd, m.destination, m.createAsFile ? Create::File : Create::Dir);
  if (m.idmap) {
    // Made by runts-init on the host (idmap.h); moved onto the destination
    // through its fd, so the resolved path is the one mounted over.
    int tree = idmapped_mount(index);
    if (tree < 0) fail("move_mount", m.destination, EBADF, "the idmapped mount was not prepared");
    if (mount_api::move_mount(tree, "", dest.get(), "", mount_api::kMoveMountFEmptyPath | mount_api::kMoveMountTEmptyPath) < 0)
      fail("move_mount", m.destination);
  } else if (m.fstype == "cgroup" && !m.bind) {
    mount_cgroup(m, rootfd, dest.get(), plan.creates("cgroup"), plan.cloneIntoCgroup);
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

// The container's /dev/null, checked to be the null device itself: a rootfs
// (or a bind-mounted /dev) may hold a file or a symlink there, and binding
// that over a masked path would expose, not hide (CVE-2025-31133 class).
static Fd verified_dev_null(int rootfd) {
  Fd null = open_in_root(rootfd, "/dev/null", O_NOFOLLOW);
  if (!null.valid()) {
    int err = errno;
    fail("mask", "/dev/null", err, err == ELOOP ? "/dev/null is a symlink, not the null device" : std::string(strerror(err)) + " (the null device masks files)");
  }
  struct stat st {};
  if (fstat(null.get(), &st) < 0) fail("stat", "/dev/null");
  if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
    fail("mask", "/dev/null", EPERM, "/dev/null is not the null device (character device 1:3), refusing to mask with it");
  return null;
}

// A masked or read-only path, resolved inside the container's root with
// magic links refused; invalid (errno ENOENT) when it does not exist.
static Fd open_protected_path(int rootfd, const std::string& path, const char* what) {
  Fd fd = open_in_root(rootfd, path);
  if (!fd.valid() && errno != ENOENT) {
    int err = errno;
    fail(what, path, err, err == ELOOP || err == EXDEV ? "resolves through a /proc magic link" : strerror(err));
  }
  return fd;
}

void mask_paths(const Plan& plan) {
  if (plan.maskedPaths.empty()) return;
  Fd root(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) fail("open", "/");
  Fd null;
  for (const auto& path : plan.maskedPaths) {
    Fd target = open_protected_path(root.get(), path, "mask");
    if (!target.valid()) continue;
    struct stat st {};
    if (fstat(target.get(), &st) < 0) fail("stat", path);
    if (S_ISDIR(st.st_mode)) {
      // An empty read-only tmpfs over the directory, mounted on it through its fd.
      if (fchdir(target.get()) < 0) fail("chdir", path);
      if (mount("tmpfs", ".", "tmpfs", MS_RDONLY, plan.maskDirData.empty() ? nullptr : plan.maskDirData.c_str()) < 0) fail("mount", path);
      continue;
    }
    if (!null.valid()) null = verified_dev_null(root.get());
    Fd tree(mount_api::open_tree(null.get(), "", mount_api::kOpenTreeClone | mount_api::kOpenTreeCloexec | mount_api::kAtEmptyPath));
    if (!tree.valid()) fail("open_tree", "/dev/null");
    if (mount_api::move_mount(tree.get(), "", target.get(), "", mount_api::kMoveMountFEmptyPath | mount_api::kMoveMountTEmptyPath) < 0)
      fail("mount", path);
  }
  if (chdir("/") < 0) fail("chdir", "/");
}

static void remount_readonly(const std::string& path) {
  // Keep nosuid/nodev/noexec and the atime mode of the mount; only add ro.
  unsigned long keep = current_flags(path) & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME);
  if (mount(nullptr, path.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, nullptr) < 0) fail("mount", path);
}

void readonly_paths(const Plan& plan) {
  if (plan.readonlyPaths.empty()) return;
  Fd root(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) fail("open", "/");
  for (const auto& path : plan.readonlyPaths) {
    Fd target = open_protected_path(root.get(), path, "readonly");
    if (!target.valid()) continue;
    // A recursive bind of the path onto itself, by fd: what gets bound and
    // where it lands are both the resolved path inside the root.
    Fd tree(mount_api::open_tree(target.get(), "", mount_api::kOpenTreeClone | mount_api::kOpenTreeCloexec | mount_api::kAtEmptyPath | mount_api::kAtRecursive));
    if (!tree.valid()) fail("open_tree", path);
    if (mount_api::move_mount(tree.get(), "", target.get(), "", mount_api::kMoveMountFEmptyPath | mount_api::kMoveMountTEmptyPath) < 0)
      fail("mount", path);
    // Read-only on that new mount only, its other flags kept; a remount
    // through /proc where mount_setattr is missing (before Linux 5.12).
    mount_api::Attr attr;
    attr.attr_set = mount_api::kAttrRdonly;
    if (mount_api::mount_setattr(tree.get(), "", mount_api::kAtEmptyPath, attr) < 0) {
      if (errno != ENOSYS) fail("mount", path);
      remount_readonly(fd_path(tree.get()));
    }
  }
}

void readonly_rootfs(const Plan& plan) {
  if (plan.readonlyRootfs) remount_readonly("/");
}

}  // namespace runts::init
