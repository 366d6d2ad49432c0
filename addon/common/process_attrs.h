// Scheduling, NUMA, CPU affinity and personality settings of the plans:
// mirrors of PlanScheduler, PlanMemoryPolicy and PlanCpuAffinity in
// src/plan/types.ts, with their strict decoders (errors as in plan.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace runts {

struct PlanScheduler {
  int policy;      // SCHED_*
  uint64_t flags;  // SCHED_FLAG_*
  int nice;        // -20..19
  int priority;    // sched_priority
  uint64_t runtime, deadline, period;  // SCHED_DEADLINE, ns
};

struct PlanMemoryPolicy {
  int mode;                // MPOL_*
  int flags;               // MPOL_F_* (or'ed into the mode argument)
  std::vector<int> nodes;  // sorted, < 1024
};

struct PlanCpuAffinity {
  std::vector<int> initial;  // empty: unchanged
  std::vector<int> final;    // empty: unchanged
};

// Each reads obj[key] (present; null -> nullopt where optional), naming sub(path, key) in errors.
std::optional<PlanScheduler> decode_scheduler(const nlohmann::json& obj, const char* key, const std::string& path);
std::optional<PlanMemoryPolicy> decode_memory_policy(const nlohmann::json& obj, const char* key, const std::string& path);
PlanCpuAffinity decode_cpu_affinity(const nlohmann::json& obj, const char* key, const std::string& path);
// personality(2) persona: null -> nullopt; otherwise PER_LINUX or PER_LINUX32.
std::optional<unsigned long> decode_personality(const nlohmann::json& obj, const char* key, const std::string& path);

}  // namespace runts
