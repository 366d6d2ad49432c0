#include "console.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "../common/errors.h"
#include "../common/unix_socket.h"
#include "../common/fd.h"

namespace runts::init {

int connect_console_socket(const std::string& path) {
  int s = connect_unix(path);
  if (s < 0) fail("connect console socket", path);
  return s;
}

void open_console(const std::optional<std::string>& socket, bool relay, Fd& console, Fd& peer) {
  if (socket) {
    console.reset(connect_console_socket(*socket));
  } else if (relay) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) fail("socketpair", "console");
    peer.reset(sv[0]);
    console.reset(sv[1]);
  }
}

ssize_t send_fd(int sock, int fd, const std::string& payload) { return send_fd_msg(sock, payload.data(), payload.size(), fd); }

int recv_fd(int sock) {
  char data[4096];
  int fd;
  if (recv_fd_msg(sock, data, sizeof data, &fd) < 0) return -1;
  if (fd < 0) errno = EPROTO;
  return fd;
}

void setup_terminal(const PlanProcess& proc, int console_sock) {
  if (console_sock < 0) fail("console", "", EINVAL, "process.terminal is set but there is no console socket");
  Fd master(open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master.valid()) fail("open", "/dev/ptmx");
  if (unlockpt(master.get()) < 0) fail("unlockpt", "/dev/ptmx");
  unsigned int n = 0;
  if (ioctl(master.get(), TIOCGPTN, &n) < 0) fail("ioctl TIOCGPTN", "/dev/ptmx");
  std::string slave_name = "/dev/pts/" + std::to_string(n);
  if (proc.consoleSize) {
    struct winsize ws {};
    ws.ws_row = proc.consoleSize->height;
    ws.ws_col = proc.consoleSize->width;
    if (ioctl(master.get(), TIOCSWINSZ, &ws) < 0) fail("ioctl TIOCSWINSZ", slave_name);
  }
  if (send_fd(console_sock, master.get(), slave_name) < 0) fail("send console master", slave_name);
  close(console_sock);

  // TIOCGPTPEER opens the slave belonging to this very master, immune to
  // whatever the container's /dev/pts holds; the path is the fallback for
  // kernels before 4.13.
  Fd slave(ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave.valid()) slave.reset(open(slave_name.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave.valid()) fail("open", slave_name);
  master.reset();
  if (ioctl(slave.get(), TIOCSCTTY, 0) < 0) fail("ioctl TIOCSCTTY", slave_name);
  for (int target = 0; target < 3; target++) {
    if (dup2(slave.get(), target) < 0) fail("dup2", slave_name);
  }
}

}  // namespace runts::init
