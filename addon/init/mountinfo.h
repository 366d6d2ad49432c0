// /proc/self/mountinfo, parsed: used to find the mount holding the rootfs
// (its propagation matters to pivot_root) and the host's cgroup hierarchies.
#pragma once

#include <string>
#include <vector>

namespace runts::init {

struct MountInfo {
  std::string root;          // path of the mount's root within its filesystem
  std::string mount_point;   // where it is mounted
  std::string optional;      // "shared:1 master:2" (may be empty)
  std::string fstype;
  std::string source;
  std::string super_options;
};

// Throws StepError("read", "/proc/self/mountinfo") when unreadable.
std::vector<MountInfo> read_mountinfo();

}  // namespace runts::init
