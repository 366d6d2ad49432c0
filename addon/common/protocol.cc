#include "protocol.h"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

namespace runts::protocol {

const char* advance(const std::string& phase, const std::string& type) {
  for (const Row& row : kTable) {
    if (phase == row.phase && type == row.type) return row.next;
  }
  return nullptr;
}

// Reads exactly n bytes; returns the count read before EOF, or -1 on error.
static ssize_t read_full(int fd, char* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, buf + got, n - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  return static_cast<ssize_t>(got);
}

bool read_frame(int fd, std::string& body, std::string& err) {
  unsigned char hdr[4];
  ssize_t r = read_full(fd, reinterpret_cast<char*>(hdr), 4);
  if (r < 0) {
    err = std::string("read: ") + strerror(errno);
    return false;
  }
  if (r < 4) {
    err = r == 0 ? std::string(kCleanEof) : std::string("EOF before a complete frame");
    return false;
  }
  uint32_t len = uint32_t(hdr[0]) | uint32_t(hdr[1]) << 8 | uint32_t(hdr[2]) << 16 | uint32_t(hdr[3]) << 24;
  if (len > kMaxFrame) {
    err = "frame of " + std::to_string(len) + " bytes exceeds " + std::to_string(kMaxFrame);
    return false;
  }
  body.resize(len);
  r = read_full(fd, body.data(), len);
  if (r < 0) {
    err = std::string("read: ") + strerror(errno);
    return false;
  }
  if (static_cast<uint32_t>(r) < len) {
    err = "EOF in the middle of a frame";
    return false;
  }
  return true;
}

static bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    // send() with MSG_NOSIGNAL so a vanished runts gives EPIPE, not SIGPIPE;
    // the channel is a unix socket, but fall back to write() for a pipe.
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == ENOTSOCK) w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool write_frame(int fd, const std::string& body) {
  if (body.size() > kMaxFrame) {
    errno = EMSGSIZE;
    return false;
  }
  uint32_t len = static_cast<uint32_t>(body.size());
  std::string frame;
  frame.reserve(4 + body.size());
  frame.push_back(char(len & 0xff));
  frame.push_back(char((len >> 8) & 0xff));
  frame.push_back(char((len >> 16) & 0xff));
  frame.push_back(char((len >> 24) & 0xff));
  frame += body;
  return write_all(fd, frame.data(), frame.size());
}

}  // namespace runts::protocol
