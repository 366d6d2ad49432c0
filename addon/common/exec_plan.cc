#include "exec_plan.h"

#include <limits>

#include <nlohmann/json.hpp>

#include "json_read.h"

namespace runts {

using nlohmann::json;
using namespace json_read;

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

  const json& nss = array(j, "namespaces", p);
  for (size_t i = 0; i < nss.size(); i++) {
    std::string q = idx("namespaces", i);
    if (!nss[i].is_object()) bad(q, "expected an object");
    ExecNamespace ns{str(nss[i], "type", q), str(nss[i], "path", q)};
    check_namespace_type(ns.type, sub(q, "type"));
    if (!absolute(ns.path)) bad(sub(q, "path"), "must be absolute");
    plan.namespaces.push_back(std::move(ns));
  }
  plan.cgroupProcs = strings(j, "cgroupProcs", p);
  for (size_t i = 0; i < plan.cgroupProcs.size(); i++)
    if (!absolute(plan.cgroupProcs[i])) bad(idx("cgroupProcs", i), "must be absolute");
  plan.process = decode_process(field(j, "process", p), "process");
  plan.personality = decode_personality(j, "personality", p);
  plan.memoryPolicy = decode_memory_policy(j, "memoryPolicy", p);
  plan.cpuAffinity = decode_cpu_affinity(j, "cpuAffinity", p);
  plan.sessionKeyring = opt_str(j, "sessionKeyring", p);
  plan.consoleSocket = opt_str(j, "consoleSocket", p);
  plan.foreground = boolean(j, "foreground", p);
  plan.preserveFds = int(integer(j, "preserveFds", p, 0, 1 << 20));
  plan.seccomp = decode_seccomp(j, "seccomp", p);
  return plan;
}

}  // namespace runts
