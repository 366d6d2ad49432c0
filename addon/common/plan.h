// The init plan in C++: a field-for-field mirror of InitPlan in
// src/plan/types.ts (read that file for what each field means). Decoding is
// strict: an unknown version or a missing or mistyped field is an error that
// names the field, because runts-init must never guess.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "seccomp_plan.h"
#include "process_attrs.h"

namespace runts {

inline constexpr int kPlanVersion = 3;

struct PlanNamespace {
  std::string type;  // pid network mount ipc uts user cgroup time
  std::optional<std::string> path;
};

struct PlanIdMapping {
  uint32_t containerID;
  uint32_t hostID;
  uint32_t size;
};

struct PlanTimeOffset {
  std::string clock;  // monotonic | boottime
  int64_t secs;
  int64_t nanosecs;
};

struct PlanIdmap {
  bool recursive;  // ridmap
  // Both empty: the container's user namespace supplies the mapping.
  std::vector<PlanIdMapping> uidMappings;
  std::vector<PlanIdMapping> gidMappings;
};

struct PlanMount {
  std::string destination;
  std::string source;
  std::string fstype;
  bool bind;
  unsigned long flags;
  std::vector<unsigned long> propagation;
  std::string data;
  bool createAsFile;  // createAs == "file"
  uint64_t attrSet;   // MOUNT_ATTR_* for mount_setattr after the mount
  uint64_t attrClr;
  bool attrRecursive;  // AT_RECURSIVE for that call
  std::optional<PlanIdmap> idmap;
};

struct PlanDevice {
  std::string path;
  char type;  // c b p u
  uint32_t major;
  uint32_t minor;
  uint32_t fileMode;
  uint32_t uid;
  uint32_t gid;
};

struct PlanRlimit {
  int resource;
  uint64_t soft;
  uint64_t hard;
};

struct PlanCapabilities {
  std::vector<int> bounding, effective, permitted, inheritable, ambient;
};

struct ConsoleSize {
  uint16_t height;
  uint16_t width;
};

struct PlanProcess {
  std::vector<std::string> args;
  std::vector<std::string> env;
  bool setHome;  // env has no HOME: append HOME=<the uid's home in the container's /etc/passwd, or "/">
  std::string cwd;
  uint32_t uid;
  uint32_t gid;
  std::vector<uint32_t> additionalGids;
  std::optional<uint32_t> umask;
  std::vector<PlanRlimit> rlimits;
  std::optional<int> oomScoreAdj;
  bool noNewPrivileges;
  std::optional<PlanCapabilities> capabilities;
  bool terminal;
  std::optional<ConsoleSize> consoleSize;
  std::optional<PlanScheduler> scheduler;
  std::optional<int> ioPriority;                // class << 13 | level
  std::optional<std::string> apparmorProfile;   // "exec <profile>" before the execve
  std::optional<std::string> selinuxLabel;      // /proc/self/attr/exec before the execve
};

struct PlanSysctl {
  std::string key;
  std::string value;
};

struct PlanHook {
  std::string path;               // absolute
  std::vector<std::string> args;  // complete argv, argv[0] included
  std::vector<std::string> env;   // complete environment
  std::optional<int64_t> timeout; // seconds, > 0
};

struct PlanHookState {
  std::string ociVersion;
  std::string bundle;
  std::vector<std::pair<std::string, std::string>> annotations;  // in the plan's order
};

struct Plan {
  int version;
  std::string id;
  std::string rootfs;
  bool readonlyRootfs;
  unsigned long rootfsPropagation;
  unsigned long rootPropagation;
  bool noPivot;
  std::vector<PlanNamespace> namespaces;
  std::vector<PlanIdMapping> uidMappings;
  std::vector<PlanIdMapping> gidMappings;
  std::vector<PlanTimeOffset> timeOffsets;
  std::vector<PlanMount> mounts;
  bool setupDevLinks;
  std::vector<PlanDevice> devices;
  bool bindDevices;
  std::optional<std::string> hostname;
  std::optional<std::string> domainname;
  std::vector<PlanSysctl> sysctl;
  std::vector<std::string> maskedPaths;
  std::vector<std::string> readonlyPaths;
  std::string maskDirData;  // data of the tmpfs over masked directories
  std::optional<unsigned long> personality;
  std::optional<PlanMemoryPolicy> memoryPolicy;
  PlanProcess process;
  std::string execFifo;
  std::optional<std::string> consoleSocket;
  bool foreground;
  int preserveFds;
  bool noNewKeyring;
  bool pauseForRuntimeHooks;
  std::vector<PlanHook> createContainerHooks;
  std::vector<PlanHook> startContainerHooks;
  PlanHookState hookState;
  std::optional<PlanSeccomp> seccomp;
  std::vector<std::string> cgroupProcs;        // host paths; C's pid goes to each right after the clone
  std::optional<std::string> cloneIntoCgroup;  // cgroup v2 directory for clone3(CLONE_INTO_CGROUP)

  // Helpers over `namespaces`.
  const PlanNamespace* find_namespace(const std::string& type) const;
  bool creates(const std::string& type) const;  // listed without a path
};

// Refuses (as decode_plan) a namespace type other than PlanNamespace::type's eight;
// `path` names the field ("namespaces[0].type").
void check_namespace_type(const std::string& type, const std::string& path);

// Decodes a process object (the init plan's "process", the exec plan's) found
// at `path` ("process"), with the same errors as decode_plan.
PlanProcess decode_process(const nlohmann::json& process, const std::string& path);

// Decodes the "plan" member of the plan frame. Throws StepError with step
// "plan", the field path as target (e.g. "process.cwd") and errno EINVAL.
Plan decode_plan(const nlohmann::json& plan);

}  // namespace runts
