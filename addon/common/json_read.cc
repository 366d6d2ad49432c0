#include "json_read.h"

#include <cerrno>
#include <cstdlib>
#include <limits>

#include <nlohmann/json.hpp>

#include "errors.h"

namespace runts::json_read {

void bad(const std::string& path, const std::string& why) { fail("plan", path, EINVAL, why); }

std::string sub(const std::string& path, const char* key) { return path.empty() ? key : path + "." + key; }
std::string idx(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

bool absolute(const std::string& s) { return !s.empty() && s[0] == '/'; }

const json& field(const json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end()) bad(sub(path, key), "missing field");
  return *it;
}

const json& object(const json& obj, const char* key, const std::string& path) {
  const json& v = field(obj, key, path);
  if (!v.is_object()) bad(sub(path, key), "expected an object");
  return v;
}

const json& array(const json& obj, const char* key, const std::string& path) {
  const json& v = field(obj, key, path);
  if (!v.is_array()) bad(sub(path, key), "expected an array");
  return v;
}

std::string str(const json& v, const std::string& path) {
  if (!v.is_string()) bad(path, "expected a string");
  return v.get<std::string>();
}
std::string str(const json& obj, const char* key, const std::string& path) { return str(field(obj, key, path), sub(path, key)); }

std::optional<std::string> opt_str(const json& obj, const char* key, const std::string& path) {
  const json& v = field(obj, key, path);
  if (v.is_null()) return std::nullopt;
  return str(v, sub(path, key));
}

bool boolean(const json& obj, const char* key, const std::string& path) {
  const json& v = field(obj, key, path);
  if (!v.is_boolean()) bad(sub(path, key), "expected a boolean");
  return v.get<bool>();
}

int64_t integer(const json& v, const std::string& path, int64_t lo, int64_t hi) {
  int64_t n;
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > uint64_t(std::numeric_limits<int64_t>::max())) bad(path, "out of range");
    n = int64_t(u);
  } else if (v.is_number_integer()) {
    n = v.get<int64_t>();
  } else {
    bad(path, "expected an integer");
  }
  if (n < lo || n > hi) bad(path, "out of range");
  return n;
}
int64_t integer(const json& obj, const char* key, const std::string& path, int64_t lo, int64_t hi) {
  return integer(field(obj, key, path), sub(path, key), lo, hi);
}

uint64_t decimal_u64(const json& obj, const char* key, const std::string& path) {
  std::string s = str(obj, key, path);
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) bad(sub(path, key), "expected a decimal string");
  errno = 0;
  unsigned long long v = strtoull(s.c_str(), nullptr, 10);
  if (errno == ERANGE) bad(sub(path, key), "out of range");
  return v;
}

std::vector<std::string> strings(const json& obj, const char* key, const std::string& path) {
  const json& a = array(obj, key, path);
  std::vector<std::string> out;
  out.reserve(a.size());
  for (size_t i = 0; i < a.size(); i++) out.push_back(str(a[i], idx(sub(path, key), i)));
  return out;
}

std::vector<int> ints(const json& obj, const char* key, const std::string& path, int64_t lo, int64_t hi) {
  const json& a = array(obj, key, path);
  std::vector<int> out;
  out.reserve(a.size());
  for (size_t i = 0; i < a.size(); i++) out.push_back(int(integer(a[i], idx(sub(path, key), i), lo, hi)));
  return out;
}

}  // namespace runts::json_read
