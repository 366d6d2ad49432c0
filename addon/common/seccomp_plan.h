// The plans' "seccomp" member (PlanSeccomp in src/plan/types.ts), shared by
// the init plan and the exec plan.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace runts {

struct PlanSeccomp {
  enum class LoadAt { BeforeExec, AfterIdentity, BeforeIdentity };
  std::string program;  // struct sock_filter[], decoded from base64
  unsigned flags;       // SECCOMP_FILTER_FLAG_*
  LoadAt loadAt;
  struct Listener {
    std::string path;
    std::string state;  // the state document as JSON text; pid and state.pid are filled in before sending
  };
  std::optional<Listener> listener;
};

// `obj[key]`: null -> nullopt. Errors as the plan decoders'.
std::optional<PlanSeccomp> decode_seccomp(const nlohmann::json& obj, const char* key, const std::string& path);

}  // namespace runts
