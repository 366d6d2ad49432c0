// The container's pty: created inside the container (its own devpts), the
// master handed out over a unix socket with SCM_RIGHTS, the slave made the
// controlling terminal and stdio of the container init.
#pragma once

#include <optional>
#include <string>

#include "../common/fd.h"
#include "../common/plan.h"

namespace runts::init {

// C: opens /dev/ptmx, sends the master (payload: the slave's name, e.g.
// "/dev/pts/0") on `console_sock`, closes the socket, and makes the slave
// fds 0, 1, 2 and the controlling terminal (setsid() was already done).
void setup_terminal(const PlanProcess& proc, int console_sock);

// Connects a SOCK_STREAM unix socket (close-on-exec) to `path`, the caller's
// console socket. Throws StepError("connect console socket", path, ...).
int connect_console_socket(const std::string& path);

// Where the new process's pty master goes, set up on the host before any
// setns: the caller's console socket when there is one, else, when runts-init
// relays the terminal itself (`relay`), an internal socketpair whose other
// end (`peer`) runts-init keeps. Neither: both stay invalid.
void open_console(const std::optional<std::string>& socket, bool relay, Fd& console, Fd& peer);

// Sends exactly one fd with `payload` as the data (SCM_RIGHTS, one sendmsg);
// the bytes sent, or -1 with errno on failure.
ssize_t send_fd(int sock, int fd, const std::string& payload);
// Receives one fd (close-on-exec); -1 with errno on failure, EPROTO when the
// message carried no fd.
int recv_fd(int sock);

}  // namespace runts::init
