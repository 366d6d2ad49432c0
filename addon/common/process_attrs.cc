#include "process_attrs.h"

#include <limits>

#include <nlohmann/json.hpp>

#include "json_read.h"

namespace runts {

using nlohmann::json;
using namespace json_read;

namespace {

constexpr int kMaxCpu = 8191;   // src/plan/scheduler.ts MAX_CPU
constexpr int kMaxNode = 1023;  // src/plan/memory-policy.ts MAX_NODE

}  // namespace

std::optional<PlanScheduler> decode_scheduler(const json& obj, const char* key, const std::string& path) {
  const json& s = field(obj, key, path);
  if (s.is_null()) return std::nullopt;
  std::string p = sub(path, key);
  if (!s.is_object()) bad(p, "expected an object or null");
  PlanScheduler out;
  out.policy = int(integer(s, "policy", p, 0, 6));
  out.flags = uint64_t(integer(s, "flags", p, 0, 0x7f));
  out.nice = int(integer(s, "nice", p, -20, 19));
  out.priority = int(integer(s, "priority", p, 0, 99));
  out.runtime = decimal_u64(s, "runtime", p);
  out.deadline = decimal_u64(s, "deadline", p);
  out.period = decimal_u64(s, "period", p);
  return out;
}

std::optional<PlanMemoryPolicy> decode_memory_policy(const json& obj, const char* key, const std::string& path) {
  const json& m = field(obj, key, path);
  if (m.is_null()) return std::nullopt;
  std::string p = sub(path, key);
  if (!m.is_object()) bad(p, "expected an object or null");
  PlanMemoryPolicy out;
  out.mode = int(integer(m, "mode", p, 0, 6));
  out.flags = int(integer(m, "flags", p, 0, 0xe000));
  if (out.flags & ~0xe000) bad(sub(p, "flags"), "unknown MPOL_F_* bits");
  out.nodes = ints(m, "nodes", p, 0, kMaxNode);
  return out;
}

PlanCpuAffinity decode_cpu_affinity(const json& obj, const char* key, const std::string& path) {
  std::string p = sub(path, key);
  const json& a = object(obj, key, path);
  return {ints(a, "initial", p, 0, kMaxCpu), ints(a, "final", p, 0, kMaxCpu)};
}

std::optional<unsigned long> decode_personality(const json& obj, const char* key, const std::string& path) {
  const json& v = field(obj, key, path);
  if (v.is_null()) return std::nullopt;
  int64_t persona = integer(v, sub(path, key), 0, 8);
  if (persona != 0 && persona != 8) bad(sub(path, key), "expected 0 (PER_LINUX) or 8 (PER_LINUX32)");
  return static_cast<unsigned long>(persona);
}

}  // namespace runts
