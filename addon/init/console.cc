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
#include "../common/fd.h"

namespace runts::init {

int connect_console_socket(const std::string& path) {
  Fd s(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s.valid()) fail("socket", path);
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) fail("connect console socket", path, ENAMETOOLONG);
  memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int r;
  do r = connect(s.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr);
  while (r < 0 && errno == EINTR);
  if (r < 0) fail("connect console socket", path);
  return s.release();
}

ssize_t send_fd(int sock, int fd, const std::string& payload) {
  struct iovec iov {};
  iov.iov_base = const_cast<char*>(payload.data());
  iov.iov_len = payload.size();
  alignas(struct cmsghdr) char ctrl[CMSG_SPACE(sizeof(int))] = {};
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = ctrl;
  msg.msg_controllen = sizeof ctrl;
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  ssize_t r;
  do r = sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  return r;
}

int recv_fd(int sock) {
  char data[4096];
  struct iovec iov {data, sizeof data};
  alignas(struct cmsghdr) char ctrl[CMSG_SPACE(sizeof(int))] = {};
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = ctrl;
  msg.msg_controllen = sizeof ctrl;
  ssize_t r;
  do r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0) return -1;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
      int fd;
      memcpy(&fd, CMSG_DATA(c), sizeof fd);
      return fd;
    }
  }
  errno = EPROTO;
  return -1;
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
