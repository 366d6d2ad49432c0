#include "seccomp_plan.h"

#include <nlohmann/json.hpp>

#include "json_read.h"

namespace runts {

using nlohmann::json;
using namespace json_read;

namespace {

// BPF_MAXINSNS instructions of 8 bytes.
constexpr size_t kMaxProgram = 4096 * 8;

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Standard base64 with padding, as Buffer#toString('base64') writes it.
bool base64_decode(const std::string& in, std::string& out) {
  if (in.size() % 4 != 0) return false;
  out.clear();
  for (size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; k++) {
      char c = in[i + k];
      if (c == '=' && i + 4 == in.size() && k >= 2) {
        v[k] = 0;
        pad++;
      } else if (pad > 0 || (v[k] = b64_value(c)) < 0) {
        return false;
      }
    }
    uint32_t n = (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) | (uint32_t(v[2]) << 6) | uint32_t(v[3]);
    out += char(n >> 16);
    if (pad < 2) out += char((n >> 8) & 0xff);
    if (pad < 1) out += char(n & 0xff);
  }
  return true;
}

}  // namespace

std::optional<PlanSeccomp> decode_seccomp(const json& obj, const char* key, const std::string& path) {
  const json& v = field(obj, key, path);
  if (v.is_null()) return std::nullopt;
  std::string p = sub(path, key);
  if (!v.is_object()) bad(p, "expected an object or null");
  PlanSeccomp s;
  if (!base64_decode(str(v, "program", p), s.program)) bad(sub(p, "program"), "not base64");
  if (s.program.empty() || s.program.size() % 8 != 0 || s.program.size() > kMaxProgram)
    bad(sub(p, "program"), "not a BPF program (1 to 4096 instructions of 8 bytes)");
  s.flags = static_cast<unsigned>(integer(v, "flags", p, 0, kU32));
  std::string at = str(v, "loadAt", p);
  if (at == "before-exec") s.loadAt = PlanSeccomp::LoadAt::BeforeExec;
  else if (at == "after-identity") s.loadAt = PlanSeccomp::LoadAt::AfterIdentity;
  else if (at == "before-identity") s.loadAt = PlanSeccomp::LoadAt::BeforeIdentity;
  else bad(sub(p, "loadAt"), "expected \"before-exec\", \"after-identity\" or \"before-identity\"");
  const json& l = field(v, "listener", p);
  if (!l.is_null()) {
    std::string q = sub(p, "listener");
    if (!l.is_object()) bad(q, "expected an object or null");
    PlanSeccomp::Listener listener{str(l, "path", q), object(l, "state", q).dump()};
    if (!absolute(listener.path)) bad(sub(q, "path"), "must be absolute");
    s.listener = std::move(listener);
  }
  if (s.listener && s.loadAt == PlanSeccomp::LoadAt::BeforeExec) bad(sub(p, "loadAt"), "a listener needs the filter loaded during setup");
  return s;
}

}  // namespace runts
