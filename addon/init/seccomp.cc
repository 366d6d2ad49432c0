#include "seccomp.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <nlohmann/json.hpp>

#include "../common/errors.h"
#include "../common/fd.h"
#include "../common/unix_socket.h"
#include "sync.h"

namespace runts::init {

int load_seccomp(const PlanSeccomp& filter) {
  // A copy, for sock_filter's alignment.
  std::vector<sock_filter> insns(filter.program.size() / sizeof(sock_filter));
  memcpy(insns.data(), filter.program.data(), insns.size() * sizeof(sock_filter));
  sock_fprog prog{static_cast<unsigned short>(insns.size()), insns.data()};
  long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, filter.flags, &prog);
  if (r < 0) fail("seccomp", "load filter", errno);
  return (filter.flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) ? static_cast<int>(r) : -1;
}

void hand_listener_to_parent(int sync, int fd) {
  if (!send_with_fd(sync, R"({"type":"seccomp"})", fd)) _exit(1);
  close(fd);
  if (!wait_word(sync, "seccomp-ok")) _exit(1);
}

void load_seccomp_at(const std::optional<PlanSeccomp>& filter, PlanSeccomp::LoadAt at, int sync) {
  if (!filter || filter->loadAt != at) return;
  int fd = load_seccomp(*filter);
  if (fd >= 0) hand_listener_to_parent(sync, fd);
}

int connect_agent(const std::optional<PlanSeccomp>& filter) {
  if (!filter || !filter->listener) return -1;
  int s = connect_unix(filter->listener->path);
  if (s < 0) fail("seccomp agent", filter->listener->path);
  return s;
}

void send_to_agent(const PlanSeccomp::Listener& listener, int conn, int fd, pid_t pid) {
  Fd owned(fd), sock(conn);
  nlohmann::json doc = nlohmann::json::parse(listener.state);
  doc["pid"] = pid;
  if (doc.contains("state") && doc["state"].is_object()) doc["state"]["pid"] = pid;
  std::string text = doc.dump();

  // The fd travels with the first bytes; the rest (if the socket buffer
  // took only part) follows in plain sends.
  ssize_t w = send_fd_msg(sock.get(), text.data(), text.size(), fd);
  if (w < 0) fail("seccomp agent", listener.path);
  size_t sent = static_cast<size_t>(w);
  while (sent < text.size()) {
    do w = send(sock.get(), text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    while (w < 0 && errno == EINTR);
    if (w < 0) fail("seccomp agent", listener.path);
    sent += static_cast<size_t>(w);
  }
}

}  // namespace runts::init
