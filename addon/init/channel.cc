#include "channel.h"

#include <cerrno>

#include <nlohmann/json.hpp>

#include "../common/protocol.h"

namespace runts::init {

using nlohmann::json;

bool send_created(int channel, pid_t pid) {
  json j = {{"type", "created"}, {"pid", pid}};
  return protocol::write_frame(channel, j.dump());
}

bool send_error_frame(int channel, const StepError& e) {
  json j = {{"type", "error"}, {"step", e.step()}, {"target", e.target()}, {"errno", e.err()}, {"message", e.what()}};
  // Invalid UTF-8 in a path must not turn into an exception here.
  return protocol::write_frame(channel, j.dump(-1, ' ', false, json::error_handler_t::replace));
}

bool runtime_hooks(int channel, pid_t pid) {
  json hooks = {{"type", "hooks"}, {"pid", pid}};
  if (!protocol::write_frame(channel, hooks.dump())) return false;
  std::string body, err;
  if (!protocol::read_frame(channel, body, err)) return false;
  json j = json::parse(body, nullptr, false);
  std::string type = j.is_object() && j.contains("type") && j["type"].is_string() ? j["type"].get<std::string>() : "(none)";
  if (!protocol::advance("hooks", type)) fail("protocol", "", EPROTO, "unexpected message " + type + " in hooks");
  return true;
}

}  // namespace runts::init
