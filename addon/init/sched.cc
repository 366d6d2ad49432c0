#include "sched.h"

#include <sched.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

#include "../common/errors.h"
#include "lsm.h"

namespace runts::init {

namespace {

// struct sched_attr as of Linux 5.3 (SCHED_ATTR_SIZE_VER1): the utilization
// clamps must be present when SCHED_FLAG_UTIL_CLAMP_* is set.
struct SchedAttr {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
  uint32_t sched_util_min;
  uint32_t sched_util_max;
};
static_assert(sizeof(SchedAttr) == 56, "SCHED_ATTR_SIZE_VER1");

constexpr uint64_t kSchedFlagUtilClamp = 0x20 | 0x40;
constexpr uint32_t kSchedCapacityScale = 1024;
constexpr int kIoprioWhoProcess = 1;

const char* policy_name(int policy) {
  static const char* const kNames[] = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE"};
  return policy >= 0 && policy < 7 ? kNames[policy] : "SCHED_?";
}

std::string cpu_list(const std::vector<int>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size();) {
    size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) j++;
    if (!out.empty()) out += ',';
    out += std::to_string(ids[i]);
    if (j > i) out += "-" + std::to_string(ids[j]);
    i = j + 1;
  }
  return out;
}

void set_personality(unsigned long persona) {
  if (personality(persona) < 0) fail("personality", persona == PER_LINUX32 ? "LINUX32" : "LINUX");
}

void set_memory_policy(const PlanMemoryPolicy& mp) {
  constexpr size_t kBits = 8 * sizeof(unsigned long);
  std::vector<unsigned long> mask;
  for (int node : mp.nodes) {
    size_t word = size_t(node) / kBits;
    if (mask.size() <= word) mask.resize(word + 1, 0);
    mask[word] |= 1UL << (size_t(node) % kBits);
  }
  // maxnode counts one past the last bit the kernel reads.
  unsigned long maxnode = mask.empty() ? 0 : mask.size() * kBits + 1;
  if (syscall(SYS_set_mempolicy, mp.mode | mp.flags, mask.empty() ? nullptr : mask.data(), maxnode) < 0)
    fail("set_mempolicy", "mode " + std::to_string(mp.mode) + (mp.nodes.empty() ? "" : " nodes " + cpu_list(mp.nodes)));
}

void set_io_priority(int ioprio) {
  if (syscall(SYS_ioprio_set, kIoprioWhoProcess, 0, ioprio) < 0)
    fail("ioprio_set", "class " + std::to_string(ioprio >> 13) + " level " + std::to_string(ioprio & 7));
}

void set_scheduler(const PlanScheduler& s) {
  SchedAttr attr{};
  attr.size = sizeof attr;
  attr.sched_policy = uint32_t(s.policy);
  attr.sched_flags = s.flags;
  attr.sched_nice = s.nice;
  attr.sched_priority = uint32_t(s.priority);
  attr.sched_runtime = s.runtime;
  attr.sched_deadline = s.deadline;
  attr.sched_period = s.period;
  // The runtime-spec gives no clamp values: a clamp flag sets the unclamped range.
  if (s.flags & kSchedFlagUtilClamp) attr.sched_util_max = kSchedCapacityScale;
  if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0) {
    std::string what = policy_name(s.policy);
    if (s.policy == 1 || s.policy == 2) what += " priority " + std::to_string(s.priority);
    else if (s.policy != 6) what += " nice " + std::to_string(s.nice);
    fail("sched_setattr", what);
  }
}

}  // namespace

void set_cpu_affinity(const std::vector<int>& cpus, const char* which) {
  if (cpus.empty()) return;
  int count = cpus.back() + 1;  // sorted by the plan
  cpu_set_t* set = CPU_ALLOC(count);
  if (!set) fail("sched_setaffinity", which, ENOMEM);
  size_t size = CPU_ALLOC_SIZE(count);
  CPU_ZERO_S(size, set);
  for (int cpu : cpus) CPU_SET_S(cpu, size, set);
  int r = sched_setaffinity(0, size, set);
  int err = errno;
  CPU_FREE(set);
  if (r < 0) fail("sched_setaffinity", std::string(which) + " " + cpu_list(cpus), err);
}

void apply_process_attrs(const PlanProcess& proc, std::optional<unsigned long> personality, const std::optional<PlanMemoryPolicy>& memory_policy,
                         const std::vector<int>& final_cpus) {
  if (personality) set_personality(*personality);
  if (memory_policy) set_memory_policy(*memory_policy);
  set_cpu_affinity(final_cpus, "final");
  if (proc.ioPriority) set_io_priority(*proc.ioPriority);
  if (proc.scheduler) set_scheduler(*proc.scheduler);
  set_exec_labels(proc);
}

}  // namespace runts::init
