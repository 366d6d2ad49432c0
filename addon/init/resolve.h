// Paths inside the container's rootfs, resolved by the kernel with
// openat2(RESOLVE_IN_ROOT) relative to an fd of the rootfs: ".." and
// absolute symlinks stop at the rootfs, so nothing in the bundle can make a
// mount or device land on the host. Every creation is done relative to an fd
// obtained the same way.
#pragma once

#include <string>

#include "../common/fd.h"

namespace runts::init {

// O_PATH fd of `path` (container-absolute) inside `rootfd`, following
// symlinks within the root; invalid Fd with errno set when it fails.
Fd open_in_root(int rootfd, const std::string& path, int extra_flags = 0);

enum class Create { Dir, File };

// Like open_in_root, but first creates what is missing: directories (0755)
// component by component, and the last one as `last` (an empty 0644 file or
// a directory). A dangling symlink on the way is followed inside the root,
// as a lookup would. Throws StepError("mkdir"/"create"/"open", path).
Fd ensure_in_root(int rootfd, const std::string& path, Create last);

// The O_PATH fd of the parent directory of `path` (created if missing) and
// the last component, for *at() calls that make or replace `path` itself.
struct Parent {
  Fd dir;
  std::string name;
};
Parent ensure_parent_in_root(int rootfd, const std::string& path);

}  // namespace runts::init
