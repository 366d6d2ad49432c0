#include "sync.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>

#include <nlohmann/json.hpp>

#include "../common/errors.h"
#include "../common/unix_socket.h"

namespace runts::init {

using nlohmann::json;

static bool send_msg(int fd, const std::string& msg) {
  ssize_t w;
  do w = send(fd, msg.data(), msg.size(), MSG_NOSIGNAL);
  while (w < 0 && errno == EINTR);
  return w == static_cast<ssize_t>(msg.size());
}

// One datagram; returns its size, 0 at EOF, -1 on error. An fd that came
// with it is stored in *passed (-1 if none; closed when passed is null).
static ssize_t recv_msg(int fd, std::string& out, int* passed = nullptr) {
  char buf[65536];
  int got;
  ssize_t r = recv_fd_msg(fd, buf, sizeof buf, &got);
  if (passed) *passed = got;
  else if (got >= 0) close(got);
  if (r > 0) out.assign(buf, static_cast<size_t>(r));
  return r;
}

bool send_with_fd(int fd, const std::string& text, int passed) {
  return send_fd_msg(fd, text.data(), text.size(), passed) == static_cast<ssize_t>(text.size());
}

bool wait_word(int fd, const char* word) {
  std::string m;
  return recv_msg(fd, m) > 0 && m == word;
}

void send_word(int fd, const char* word) {
  if (!send_msg(fd, word)) fail("sync", std::string("send ") + word + " to the container process");
}

void send_go(int fd) {
  if (!send_msg(fd, "go")) fail("sync", "send go to the container init");
}

bool wait_go(int fd) {
  std::string m;
  return recv_msg(fd, m) > 0 && m == "go";
}

void send_ready(int fd) { send_msg(fd, R"({"type":"ready"})"); }

bool pause_for_hooks(int fd) {
  if (!send_msg(fd, R"({"type":"hooks"})")) return false;
  std::string m;
  return recv_msg(fd, m) > 0 && m == "resume";
}

void send_resume(int fd) {
  if (!send_msg(fd, "resume")) fail("sync", "send resume to the container init");
}

void send_commit(int fd) { send_msg(fd, "commit"); }

bool wait_commit(int fd) {
  std::string m;
  return recv_msg(fd, m) > 0 && m == "commit";
}

void wait_closed(int fd) {
  std::string m;
  while (recv_msg(fd, m) > 0) {
  }
}

void send_error(int fd, const StepError& e) {
  json j = {{"type", "error"}, {"step", e.step()}, {"target", e.target()}, {"errno", e.err()}, {"reason", e.reason()}};
  send_msg(fd, j.dump(-1, ' ', false, json::error_handler_t::replace));
}

Report read_report(int fd) {
  std::string m;
  int passed = -1;
  ssize_t r = recv_msg(fd, m, &passed);
  if (r <= 0) return {Report::Gone, "", "", "", r < 0 ? errno : 0};
  // Only "seccomp" carries an fd; anything else that brought one drops it.
  if (passed >= 0 && m != R"({"type":"seccomp"})") {
    close(passed);
    passed = -1;
  }
  if (passed >= 0) return {Report::Seccomp, "", "", "", 0, passed};
  json j = json::parse(m, nullptr, false);
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
    return {Report::Failed, "sync", "", "malformed report from the container init", EPROTO};
  if (j["type"] == "ready") return {Report::Ready, "", "", "", 0};
  if (j["type"] == "hooks") return {Report::Hooks, "", "", "", 0};
  Report rep{Report::Failed, j.value("step", std::string("init")), j.value("target", std::string()), j.value("reason", std::string()),
             j.value("errno", 0)};
  return rep;
}

std::string set_up_and_commit(int fd, const char* step, const std::function<std::string()>& set_up) {
  std::string result;
  try {
    result = set_up();
  } catch (const StepError& e) {
    send_error(fd, e);
    _exit(1);
  } catch (const std::exception& e) {
    send_error(fd, StepError(step, "", 0, e.what()));
    _exit(1);
  }
  send_ready(fd);
  if (!wait_commit(fd)) _exit(1);
  prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
  close(fd);
  return result;
}

}  // namespace runts::init
