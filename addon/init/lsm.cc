#include "lsm.h"

#include <cerrno>

#include "../common/errors.h"
#include "util.h"

namespace runts::init {

void set_exec_labels(const PlanProcess& proc) {
  if (proc.apparmorProfile) {
    std::string data = "exec " + *proc.apparmorProfile;
    if (write_file("/proc/self/attr/apparmor/exec", data) < 0) {
      if (errno != ENOENT) fail("apparmor profile", *proc.apparmorProfile);
      if (write_file("/proc/self/attr/exec", data) < 0) fail("apparmor profile", *proc.apparmorProfile);
    }
  }
  if (proc.selinuxLabel && write_file("/proc/self/attr/exec", *proc.selinuxLabel) < 0) fail("selinux label", *proc.selinuxLabel);
}

}  // namespace runts::init
