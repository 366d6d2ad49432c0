// Small helpers used across runts-init.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace runts::init {

// Opens `path` (O_WRONLY|O_CLOEXEC) and writes `data` in one write(2), as
// procfs files such as uid_map and /proc/sys/* require. Returns 0, or -1 with
// errno set.
int write_file(const std::string& path, const std::string& data);

// Reads a whole (small) file; returns false with errno set on failure.
bool read_file(const std::string& path, std::string& out);

// "/a/b/c" -> {"a","b","c"}; empty and "." components dropped.
std::vector<std::string> split_path(const std::string& path);

// Joins components [0, n) as a relative path; "." when n == 0.
std::string join_path(const std::vector<std::string>& parts, size_t n);

// "/proc/self/fd/<fd>", the magic link through which syscalls that take only
// a path (mount, open of a fifo) can act on an fd.
std::string fd_path(int fd);

// waitpid() for `pid`, retried on EINTR; returns the wait status.
int reap(pid_t pid);

// A wait status in words: "exit status 3", "killed by signal Killed".
std::string describe_status(int status);

// Diagnostics of runts-init itself go to stderr, always with this prefix.
void diag(const std::string& msg);

}  // namespace runts::init
