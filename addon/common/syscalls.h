// Thin wrappers over syscalls that glibc 2.36 either lacks or wraps in ways we
// do not want (clone3 has no wrapper; pidfd_* and close_range only appeared
// recently). Each returns what the raw syscall returns: -1 with errno set.
#pragma once

#include <linux/openat2.h>
#include <linux/sched.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>

namespace runts::sys {

inline int openat2(int dirfd, const char* path, uint64_t flags, uint64_t mode, uint64_t resolve) {
  struct open_how how {};
  how.flags = flags;
  how.mode = mode;
  how.resolve = resolve;
  return static_cast<int>(syscall(SYS_openat2, dirfd, path, &how, sizeof how));
}

// clone3 without CLONE_VM and without a stack: the child continues from the
// call like fork() and returns 0 there.
inline pid_t clone3(uint64_t flags, int exit_signal, int cgroup = -1) {
  struct clone_args args {};
  args.flags = flags;
  args.exit_signal = static_cast<uint64_t>(exit_signal);
  if (cgroup >= 0) args.cgroup = static_cast<uint64_t>(cgroup);
  return static_cast<pid_t>(syscall(SYS_clone3, &args, sizeof args));
}

// Legacy clone() with a NULL stack, fork-like; the argument order is the
// x86_64/arm64 one (flags, newsp, parent_tid, child_tid, tls).
inline pid_t clone_legacy(unsigned long flags) {
  return static_cast<pid_t>(syscall(SYS_clone, flags, nullptr, nullptr, nullptr, nullptr));
}

inline int pivot_root(const char* new_root, const char* put_old) {
  return static_cast<int>(syscall(SYS_pivot_root, new_root, put_old));
}

inline int close_range(unsigned first, unsigned last, unsigned flags) {
  return static_cast<int>(syscall(SYS_close_range, first, last, flags));
}

inline int pidfd_open(pid_t pid, unsigned flags) { return static_cast<int>(syscall(SYS_pidfd_open, pid, flags)); }

inline int pidfd_send_signal(int pidfd, int sig) {
  return static_cast<int>(syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

inline long keyctl_join_session(const char* name) {
  constexpr int kKeyctlJoinSessionKeyring = 1;  // KEYCTL_JOIN_SESSION_KEYRING
  return syscall(SYS_keyctl, kKeyctlJoinSessionKeyring, name);
}

}  // namespace runts::sys
