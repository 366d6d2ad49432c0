#include "mount_attr.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "../common/errors.h"

namespace runts::init {

namespace mount_api {

int open_tree(int dirfd, const char* path, unsigned flags) { return static_cast<int>(syscall(SYS_open_tree, dirfd, path, flags)); }

int move_mount(int from_dirfd, const char* from_path, int to_dirfd, const char* to_path, unsigned flags) {
  return static_cast<int>(syscall(SYS_move_mount, from_dirfd, from_path, to_dirfd, to_path, flags));
}

int mount_setattr(int dirfd, const char* path, unsigned flags, const Attr& attr) {
  Attr copy = attr;  // the kernel takes a non-const pointer
  return static_cast<int>(syscall(SYS_mount_setattr, dirfd, path, flags, &copy, sizeof copy));
}

}  // namespace mount_api

using namespace mount_api;

// The options that produce these attributes (src/plan/mount-options.ts), for
// error messages only: "rro, rnosuid".
static std::string option_names(uint64_t set, uint64_t clr) {
  static const struct {
    uint64_t attr;
    const char* on;
    const char* off;
  } kBits[] = {
      {kAttrRdonly, "rro", "rrw"},         {kAttrNosuid, "rnosuid", "rsuid"},           {kAttrNodev, "rnodev", "rdev"},
      {kAttrNoexec, "rnoexec", "rexec"},   {kAttrNodiratime, "rnodiratime", "rdiratime"}, {kAttrNosymfollow, "rnosymfollow", "rsymfollow"},
  };
  std::string out;
  auto add = [&out](const char* name) { out += (out.empty() ? "" : ", ") + std::string(name); };
  for (const auto& b : kBits) {
    if (set & b.attr) add(b.on);
    if (clr & b.attr) add(b.off);
  }
  if ((clr & kAttrAtime) == kAttrAtime) {
    uint64_t mode = set & kAttrAtime;
    add(mode == kAttrNoatime ? "rnoatime" : mode == kAttrStrictatime ? "rstrictatime" : "rrelatime");
  }
  return out;
}

void set_mount_attrs(int fd, const PlanMount& m) {
  if (m.attrSet == 0 && m.attrClr == 0 && !m.attrRecursive) return;
  Attr attr;
  attr.attr_set = m.attrSet;
  attr.attr_clr = m.attrClr;
  unsigned flags = kAtEmptyPath | (m.attrRecursive ? kAtRecursive : 0);
  if (mount_setattr(fd, "", flags, attr) == 0) return;
  int err = errno;
  std::string why = strerror(err);
  std::string names = option_names(m.attrSet, m.attrClr);
  std::string note = names.empty() ? "" : "applying " + names;
  if (err == ENOSYS) note += std::string(note.empty() ? "" : "; ") + "mount_setattr needs Linux 5.12 or later";
  if (!note.empty()) why += " (" + note + ")";
  fail("mount_setattr", m.destination, err, why);
}

}  // namespace runts::init
