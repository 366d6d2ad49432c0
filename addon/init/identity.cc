#include "identity.h"

#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "../common/errors.h"
#include "util.h"

namespace runts::init {

namespace {

std::string cap_name(int cap) {
  static const char* const kNames[] = {
      "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID",
      "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
      "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
      "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
      "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
      "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"};
  if (cap >= 0 && cap < int(sizeof kNames / sizeof *kNames)) return kNames[cap];
  return "cap " + std::to_string(cap);
}

// The highest capability this kernel knows: /proc/sys/kernel/cap_last_cap,
// or probing the bounding set where that file is not reachable.
int last_cap() {
  std::string text;
  if (read_file("/proc/sys/kernel/cap_last_cap", text)) {
    char* end = nullptr;
    long v = strtol(text.c_str(), &end, 10);
    if (end != text.c_str() && v >= 0 && v < 64) return int(v);
  }
  int cap = 0;
  while (cap < 63 && prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0) cap++;
  return cap;
}

uint64_t mask_of(const std::vector<int>& caps, int last) {
  uint64_t m = 0;
  for (int c : caps) {
    if (c <= last) m |= uint64_t(1) << c;  // unknown to this kernel: skipped
  }
  return m;
}

void set_ids(const PlanProcess& proc) {
  if (setgroups(proc.additionalGids.size(), proc.additionalGids.data()) < 0) fail("setgroups", "");
  if (setresgid(proc.gid, proc.gid, proc.gid) < 0) fail("setgid", std::to_string(proc.gid));
  if (setresuid(proc.uid, proc.uid, proc.uid) < 0) fail("setuid", std::to_string(proc.uid));
}

}  // namespace

void apply_identity(const PlanProcess& proc) {
  if (!proc.capabilities) {
    set_ids(proc);
  } else {
    const PlanCapabilities& caps = *proc.capabilities;
    int last = last_cap();
    uint64_t bounding = mask_of(caps.bounding, last);
    for (int c = 0; c <= last; c++) {
      if (!(bounding & (uint64_t(1) << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) fail("capbset drop", cap_name(c));
    }
    // Keep the permitted set across the uid change; capset then sets it exactly.
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) fail("prctl", "PR_SET_KEEPCAPS");
    set_ids(proc);
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) fail("prctl", "PR_SET_KEEPCAPS");

    uint64_t eff = mask_of(caps.effective, last), prm = mask_of(caps.permitted, last), inh = mask_of(caps.inheritable, last);
    struct __user_cap_header_struct hdr {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2] = {};
    data[0] = {uint32_t(eff), uint32_t(prm), uint32_t(inh)};
    data[1] = {uint32_t(eff >> 32), uint32_t(prm >> 32), uint32_t(inh >> 32)};
    if (syscall(SYS_capset, &hdr, data) < 0) fail("capset", "");

    for (int c : caps.ambient) {
      if (c > last) continue;
      // EPERM: not in both permitted and inheritable, which runtime-spec
      // configs often produce (runc's default spec has no inheritable set);
      // the kernel cannot honour it, and runc carries on as well.
      if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0 && errno != EPERM) fail("cap ambient raise", cap_name(c));
    }
  }
  if (proc.noNewPrivileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail("prctl", "PR_SET_NO_NEW_PRIVS");
}

}  // namespace runts::init
