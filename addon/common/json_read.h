// Strict readers for the plans runts sends to runts-init (plan.cc, the init
// plan; exec_plan.cc, the exec plan). Each names the offending field by its
// path in the plan ("process.rlimits[2].soft") and throws StepError with step
// "plan", that path as target and errno EINVAL: runts-init never guesses.
//
// Convention: `path` is the path of the object being read ("" for the top
// level), `key` the member; a failure names sub(path, key).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace runts::json_read {

using nlohmann::json;

inline constexpr int64_t kU32 = 0xffffffffLL;

// Throws StepError("plan", path, EINVAL, why).
[[noreturn]] void bad(const std::string& path, const std::string& why);

// "a" + "b" -> "a.b" ("" + "b" -> "b"); "a" + 2 -> "a[2]".
std::string sub(const std::string& path, const char* key);
std::string idx(const std::string& path, size_t i);

bool absolute(const std::string& s);  // non-empty and starting with '/'

// The member `key` of `obj` (present, any type): "missing field" otherwise.
const json& field(const json& obj, const char* key, const std::string& path);
const json& object(const json& obj, const char* key, const std::string& path);
const json& array(const json& obj, const char* key, const std::string& path);

std::string str(const json& v, const std::string& path);  // `v` itself, named `path`
std::string str(const json& obj, const char* key, const std::string& path);
std::optional<std::string> opt_str(const json& obj, const char* key, const std::string& path);  // null -> nullopt
bool boolean(const json& obj, const char* key, const std::string& path);

// An integer within [lo, hi]; JSON numbers with a fraction are refused.
int64_t integer(const json& v, const std::string& path, int64_t lo, int64_t hi);  // `v` itself
int64_t integer(const json& obj, const char* key, const std::string& path, int64_t lo, int64_t hi);

// 64-bit values travel as decimal strings (they may exceed 2^53).
uint64_t decimal_u64(const json& obj, const char* key, const std::string& path);

std::vector<std::string> strings(const json& obj, const char* key, const std::string& path);
std::vector<int> ints(const json& obj, const char* key, const std::string& path, int64_t lo, int64_t hi);

}  // namespace runts::json_read
