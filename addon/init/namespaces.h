// Namespace work done by runts-init (A) before and right after the clone.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>

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
// prepare_time_namespace).
uint64_t clone_flags(const Plan& plan);

// clone3 (fork-like), falling back to clone() where clone3 is ENOSYS.
// Returns 0 in the child, the child's pid in A; throws StepError on failure.
pid_t clone_container_init(uint64_t flags);

// Writes /proc/<pid>/uid_map and gid_map (A is the privileged parent, so no
// setgroups deny is needed).
void write_id_maps(pid_t pid, const Plan& plan);

// Host ids that container uid/gid 0 map to in the container's user
// namespace, new or joined: a joined one's maps are read from the kernel
// (the plan has none for it); {0, 0} without a user namespace or where 0 is
// not mapped.
std::pair<uid_t, gid_t> host_root_ids(const Plan& plan);

}  // namespace runts::init
