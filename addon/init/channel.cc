#include "channel.h"

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

}  // namespace runts::init
