// Unix-socket pieces runts-init and the bridge share: connecting to a path,
// and one message carrying one fd (SCM_RIGHTS). Each returns what the
// syscalls return: -1 with errno set on failure, retried on EINTR.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

namespace runts {

// A SOCK_STREAM socket (close-on-exec) connected to `path`; ENAMETOOLONG
// when the path does not fit in sockaddr_un.
int connect_unix(const std::string& path);

// One sendmsg(MSG_NOSIGNAL) of `len` bytes with `fd` attached; bytes sent.
ssize_t send_fd_msg(int sock, const void* data, size_t len, int fd);

// One recvmsg(MSG_CMSG_CLOEXEC) into `buf`; `*fd` gets the first fd that
// came with it, or -1 (any further fds are closed). Bytes read, 0 at EOF.
ssize_t recv_fd_msg(int sock, void* buf, size_t len, int* fd);

}  // namespace runts
