// Namespace work done by runts-init (A) before and right after the clone.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>
#include <utility>

#include "../common/fd.h"
#include "../common/plan.h"

namespace runts::init {

// The CLONE_NEW* flag of a plan's namespace type ("network" -> CLONE_NEWNET).
uint64_t namespace_flag(const std::string& type);

// setns() into every namespace that has a path, in plan order (user first).
// All paths are opened before the first setns, since joining a mount
// namespace changes what later paths would resolve to.
void join_namespaces(const Plan& plan);

// A new time namespace must exist, with its offsets written, before the
// container init is created in it: unshare(CLONE_NEWTIME) makes it the
// namespace of A's future children, and offsets are writable only until a
// process enters it.
void prepare_time_namespace(const Plan& plan);

// CLONE_NEW* flags for every namespace without a path (time excluded: see
// prepare_time_namespace; cgroup excluded: see enter_cgroup_namespace).
uint64_t clone_flags(const Plan& plan);

// clone3 (fork-like), into the cgroup v2 directory `cgroup` when it is an fd
// (CLONE_INTO_CGROUP; where the kernel refuses that, without it), falling
// back to clone() where clone3 is ENOSYS. Returns 0 in the child, the
// child's pid in A; throws StepError on failure.
pid_t clone_container_init(uint64_t flags, int cgroup = -1);

// A: opens the plan's cgroup.procs files (before any setns: they are host
// paths) and, after the clone, writes the container init's pid to each.
std::vector<Fd> open_cgroup_procs(const std::vector<std::string>& paths);
void place_in_cgroups(const std::vector<Fd>& procs, const std::vector<std::string>& paths, pid_t pid);

// C, first thing after "go" (A has placed it in its cgroups): a new cgroup
// namespace when the plan creates one, rooted at the container's cgroups
// rather than at runts-init's.
void enter_cgroup_namespace(const Plan& plan);

// Writes /proc/<pid>/uid_map and gid_map (A is the privileged parent, so no
// setgroups deny is needed).
void write_id_maps(pid_t pid, const Plan& plan);

// Host ids that container uid/gid 0 map to in the container's user
// namespace, new or joined: a joined one's maps are read from the kernel
// (the plan has none for it); {0, 0} without a user namespace or where 0 is
// not mapped.
std::pair<uid_t, gid_t> host_root_ids(const Plan& plan);

}  // namespace runts::init
