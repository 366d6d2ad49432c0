#include "exec_plan.h"

#include <cerrno>
#include <cstdlib>
#include <limits>

#include <nlohmann/json.hpp>

#include "errors.h"

namespace runts {

using nlohmann::json;

namespace {

// The process object has the same shape as the init plan's; plan.cc keeps
// its reader private, so the field checks are repeated here (same rules,
// same messages).

[[noreturn]] void bad(const std::string& path, const std::string& why) { fail("plan", path, EINVAL, why); }

std::string sub(const std::string& path, const char* key) { return path.empty() ? key : path + "." + key; }
std::string idx(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

const json& field(const json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end()) bad(sub(path, key), "missing field");
  return *it;
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

constexpr int64_t kU32 = 0xffffffffLL;

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
  for (size_t i = 0; i < a.size(); i++) out.push_back(str(a[i], idx(sub(path, key), i)));
  return out;
}

std::vector<int> ints(const json& obj, const char* key, const std::string& path, int64_t lo, int64_t hi) {
  const json& a = array(obj, key, path);
  std::vector<int> out;
  for (size_t i = 0; i < a.size(); i++) out.push_back(int(integer(a[i], idx(sub(path, key), i), lo, hi)));
  return out;
}

PlanProcess process(const json& obj, const std::string& p) {
  if (!obj.is_object()) bad(p, "expected an object");
  PlanProcess out;
  out.args = strings(obj, "args", p);
  if (out.args.empty()) bad(sub(p, "args"), "must not be empty");
  out.env = strings(obj, "env", p);
  out.cwd = str(obj, "cwd", p);
  if (out.cwd.empty() || out.cwd[0] != '/') bad(sub(p, "cwd"), "must be absolute");
  out.uid = uint32_t(integer(obj, "uid", p, 0, kU32));
  out.gid = uint32_t(integer(obj, "gid", p, 0, kU32));
  const json& groups = array(obj, "additionalGids", p);
  for (size_t i = 0; i < groups.size(); i++)
    out.additionalGids.push_back(uint32_t(integer(groups[i], idx(sub(p, "additionalGids"), i), 0, kU32)));
  const json& um = field(obj, "umask", p);
  if (!um.is_null()) out.umask = uint32_t(integer(um, sub(p, "umask"), 0, 0777));
  const json& rl = array(obj, "rlimits", p);
  for (size_t i = 0; i < rl.size(); i++) {
    std::string q = idx(sub(p, "rlimits"), i);
    if (!rl[i].is_object()) bad(q, "expected an object");
    out.rlimits.push_back({int(integer(rl[i], "resource", q, 0, 63)), decimal_u64(rl[i], "soft", q), decimal_u64(rl[i], "hard", q)});
  }
  const json& oom = field(obj, "oomScoreAdj", p);
  if (!oom.is_null()) out.oomScoreAdj = int(integer(oom, sub(p, "oomScoreAdj"), -1000, 1000));
  out.noNewPrivileges = boolean(obj, "noNewPrivileges", p);
  const json& caps = field(obj, "capabilities", p);
  if (!caps.is_null()) {
    std::string q = sub(p, "capabilities");
    if (!caps.is_object()) bad(q, "expected an object or null");
    PlanCapabilities c;
    c.bounding = ints(caps, "bounding", q, 0, 63);
    c.effective = ints(caps, "effective", q, 0, 63);
    c.permitted = ints(caps, "permitted", q, 0, 63);
    c.inheritable = ints(caps, "inheritable", q, 0, 63);
    c.ambient = ints(caps, "ambient", q, 0, 63);
    out.capabilities = std::move(c);
  }
  out.terminal = boolean(obj, "terminal", p);
  const json& cs = field(obj, "consoleSize", p);
  if (!cs.is_null()) {
    std::string q = sub(p, "consoleSize");
    if (!cs.is_object()) bad(q, "expected an object or null");
    out.consoleSize = ConsoleSize{uint16_t(integer(cs, "height", q, 0, 65535)), uint16_t(integer(cs, "width", q, 0, 65535))};
  }
  return out;
}

bool absolute(const std::string& s) { return !s.empty() && s[0] == '/'; }

}  // namespace

ExecPlan decode_exec_plan(const json& j) {
  if (!j.is_object()) bad("plan", "expected an object");
  const std::string p;
  ExecPlan plan;
  plan.version = int(integer(j, "version", p, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
  if (plan.version != kExecPlanVersion)
    bad("version", "unsupported exec plan version " + std::to_string(plan.version) + " (runts-init speaks " +
                       std::to_string(kExecPlanVersion) + ")");
  plan.id = str(j, "id", p);
  plan.initPid = int(integer(j, "initPid", p, 1, std::numeric_limits<int>::max()));
  plan.initStartTime = str(j, "initStartTime", p);
  if (plan.initStartTime.empty() || plan.initStartTime.find_first_not_of("0123456789") != std::string::npos)
    bad("initStartTime", "expected a decimal string");
  plan.root = str(j, "root", p);
  if (!absolute(plan.root)) bad("root", "must be absolute");

  static const char* const kTypes[] = {"user", "ipc", "uts", "network", "pid", "cgroup", "time", "mount"};
  const json& nss = array(j, "namespaces", p);
  for (size_t i = 0; i < nss.size(); i++) {
    std::string q = idx("namespaces", i);
    if (!nss[i].is_object()) bad(q, "expected an object");
    ExecNamespace ns{str(nss[i], "type", q), str(nss[i], "path", q)};
    bool known = false;
    for (const char* t : kTypes) known = known || ns.type == t;
    if (!known) bad(sub(q, "type"), "unknown namespace type \"" + ns.type + "\"");
    if (!absolute(ns.path)) bad(sub(q, "path"), "must be absolute");
    plan.namespaces.push_back(std::move(ns));
  }
  plan.cgroupProcs = strings(j, "cgroupProcs", p);
  for (size_t i = 0; i < plan.cgroupProcs.size(); i++)
    if (!absolute(plan.cgroupProcs[i])) bad(idx("cgroupProcs", i), "must be absolute");
  plan.process = process(field(j, "process", p), "process");
  plan.setHome = boolean(j, "setHome", p);
  plan.sessionKeyring = opt_str(j, "sessionKeyring", p);
  plan.consoleSocket = opt_str(j, "consoleSocket", p);
  plan.foreground = boolean(j, "foreground", p);
  plan.preserveFds = int(integer(j, "preserveFds", p, 0, 1 << 20));
  return plan;
}

}  // namespace runts
