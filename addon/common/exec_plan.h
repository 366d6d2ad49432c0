// The exec plan in C++: a field-for-field mirror of ExecPlan in
// src/plan/exec-types.ts (read that file for what each field means). As for
// the init plan, decoding is strict and names the offending field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "plan.h"

namespace runts {

inline constexpr int kExecPlanVersion = 2;

struct ExecNamespace {
  std::string type;  // user ipc uts network pid cgroup time mount
  std::string path;  // /proc/<init pid>/ns/<name>
};

struct ExecPlan {
  int version;
  std::string id;
  int initPid;
  std::string initStartTime;  // /proc/<pid>/stat field 22
  std::string root;           // /proc/<init pid>/root
  std::vector<ExecNamespace> namespaces;  // join order
  std::vector<std::string> cgroupProcs;   // cgroup.procs files runts-init moves itself into first
  PlanProcess process;
  std::optional<unsigned long> personality;
  std::optional<PlanMemoryPolicy> memoryPolicy;
  PlanCpuAffinity cpuAffinity;
  std::optional<std::string> sessionKeyring;
  std::optional<std::string> consoleSocket;
  bool foreground;
  int preserveFds;
  std::optional<PlanSeccomp> seccomp;
};

// Decodes the "plan" member of the exec frame. Throws StepError with step
// "plan", the field path as target and errno EINVAL.
ExecPlan decode_exec_plan(const nlohmann::json& plan);

}  // namespace runts
