// The new mount API (Linux 5.2+: open_tree, move_mount; 5.12+:
// mount_setattr) as raw syscalls with our own copies of the uapi constants,
// so the build needs neither a recent glibc nor <linux/mount.h> (which
// clashes with <sys/mount.h>); and the one use runts-init makes of
// mount_setattr for plan attributes (the recursive options rro, rnosuid...).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "../common/plan.h"

namespace runts::init {

namespace mount_api {

// include/uapi/linux/mount.h
inline constexpr uint64_t kAttrRdonly = 0x1;
inline constexpr uint64_t kAttrNosuid = 0x2;
inline constexpr uint64_t kAttrNodev = 0x4;
inline constexpr uint64_t kAttrNoexec = 0x8;
inline constexpr uint64_t kAttrAtime = 0x70;  // MOUNT_ATTR__ATIME: the atime mode field
inline constexpr uint64_t kAttrRelatime = 0x0;
inline constexpr uint64_t kAttrNoatime = 0x10;
inline constexpr uint64_t kAttrStrictatime = 0x20;
inline constexpr uint64_t kAttrNodiratime = 0x80;
inline constexpr uint64_t kAttrIdmap = 0x100000;
inline constexpr uint64_t kAttrNosymfollow = 0x200000;

inline constexpr unsigned kOpenTreeClone = 1;           // OPEN_TREE_CLONE
inline constexpr unsigned kOpenTreeCloexec = 02000000;  // OPEN_TREE_CLOEXEC (O_CLOEXEC)
inline constexpr unsigned kMoveMountFEmptyPath = 0x4;   // MOVE_MOUNT_F_EMPTY_PATH
inline constexpr unsigned kMoveMountTEmptyPath = 0x40;  // MOVE_MOUNT_T_EMPTY_PATH
// include/uapi/linux/fcntl.h
inline constexpr unsigned kAtEmptyPath = 0x1000;  // AT_EMPTY_PATH
inline constexpr unsigned kAtRecursive = 0x8000;  // AT_RECURSIVE

// struct mount_attr, MOUNT_ATTR_SIZE_VER0.
struct Attr {
  uint64_t attr_set = 0;
  uint64_t attr_clr = 0;
  uint64_t propagation = 0;
  uint64_t userns_fd = 0;
};

// Each returns what the syscall returns: -1 with errno set on failure.
int open_tree(int dirfd, const char* path, unsigned flags);
int move_mount(int from_dirfd, const char* from_path, int to_dirfd, const char* to_path, unsigned flags);
int mount_setattr(int dirfd, const char* path, unsigned flags, const Attr& attr);

}  // namespace mount_api

// The plan's attrSet/attrClr on the mount `fd` (an O_PATH fd of its root),
// with AT_RECURSIVE when attrRecursive; nothing when the plan asks for
// nothing. Errors name the destination and the options that needed the call.
void set_mount_attrs(int fd, const PlanMount& m);

}  // namespace runts::init
