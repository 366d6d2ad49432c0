#include "namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <sstream>
#include <utility>
#include <vector>

#include "../common/errors.h"
#include "../common/fd.h"
#include "../common/syscalls.h"
#include "util.h"

namespace runts::init {

uint64_t namespace_flag(const std::string& type) {
  if (type == "pid") return CLONE_NEWPID;
  if (type == "network") return CLONE_NEWNET;
  if (type == "mount") return CLONE_NEWNS;
  if (type == "ipc") return CLONE_NEWIPC;
  if (type == "uts") return CLONE_NEWUTS;
  if (type == "user") return CLONE_NEWUSER;
  if (type == "cgroup") return CLONE_NEWCGROUP;
  if (type == "time") return CLONE_NEWTIME;
  return 0;  // decode_plan and decode_exec_plan refuse unknown types
}

void join_namespaces(const Plan& plan) {
  std::vector<std::pair<Fd, const PlanNamespace*>> fds;
  for (const auto& ns : plan.namespaces) {
    if (!ns.path) continue;
    Fd fd(open(ns.path->c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) fail("open namespace", *ns.path);
    fds.emplace_back(std::move(fd), &ns);
  }
  for (auto& [fd, ns] : fds) {
    if (setns(fd.get(), static_cast<int>(namespace_flag(ns->type))) < 0) fail("setns", *ns->path);
  }
}

void prepare_time_namespace(const Plan& plan) {
  if (!plan.creates("time")) return;
  if (unshare(CLONE_NEWTIME) < 0) fail("unshare", "time namespace");
  if (plan.timeOffsets.empty()) return;
  // Numeric clock ids are accepted by every kernel with time namespaces.
  std::string lines;
  for (const auto& o : plan.timeOffsets) {
    int clock = o.clock == "boottime" ? CLOCK_BOOTTIME : CLOCK_MONOTONIC;
    lines += std::to_string(clock) + " " + std::to_string(o.secs) + " " + std::to_string(o.nanosecs) + "\n";
  }
  if (write_file("/proc/self/timens_offsets", lines) < 0) fail("write", "/proc/self/timens_offsets");
}

uint64_t clone_flags(const Plan& plan) {
  uint64_t flags = 0;
  for (const auto& ns : plan.namespaces) {
    if (!ns.path && ns.type != "time" && ns.type != "cgroup") flags |= namespace_flag(ns.type);
  }
  return flags;
}

pid_t clone_container_init(uint64_t flags, int cgroup) {
  pid_t pid = -1;
  if (cgroup >= 0) {
    pid = sys::clone3(flags | CLONE_INTO_CGROUP, SIGCHLD, cgroup);
    // Before 5.7, or a cgroup the kernel will not clone into (e.g. one with
    // sub-cgroups under the no-internal-process rule): place_in_cgroups
    // then moves the init, or reports why it cannot.
    if (pid < 0 && errno != ENOSYS && errno != EINVAL && errno != E2BIG && errno != EBUSY && errno != EOPNOTSUPP) fail("clone", "container init");
  }
  if (pid < 0) pid = sys::clone3(flags, SIGCHLD);
  if (pid < 0 && errno == ENOSYS) pid = sys::clone_legacy(static_cast<unsigned long>(flags) | SIGCHLD);
  if (pid < 0) fail("clone", "container init");
  return pid;
}

std::vector<Fd> open_cgroup_procs(const std::vector<std::string>& paths) {
  std::vector<Fd> fds;
  for (const auto& p : paths) {
    Fd fd(open(p.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid()) fail("open", p);
    fds.push_back(std::move(fd));
  }
  return fds;
}

void place_in_cgroups(const std::vector<Fd>& procs, const std::vector<std::string>& paths, pid_t pid) {
  std::string text = std::to_string(pid);
  for (size_t i = 0; i < procs.size(); i++) {
    // Permission is checked against the opener (host root), not A's
    // credentials after a setns into a user namespace.
    if (write(procs[i].get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) fail("join cgroup", paths[i]);
  }
}

void enter_cgroup_namespace(const Plan& plan) {
  if (plan.creates("cgroup") && unshare(CLONE_NEWCGROUP) < 0) fail("unshare", "cgroup namespace");
}

static std::string map_text(const std::vector<PlanIdMapping>& maps) {
  std::string s;
  for (const auto& m : maps) s += std::to_string(m.containerID) + " " + std::to_string(m.hostID) + " " + std::to_string(m.size) + "\n";
  return s;
}

void write_id_maps(pid_t pid, const Plan& plan) {
  std::string base = "/proc/" + std::to_string(pid) + "/";
  if (!plan.uidMappings.empty() && write_file(base + "uid_map", map_text(plan.uidMappings)) < 0) fail("write uid_map", base + "uid_map");
  if (!plan.gidMappings.empty() && write_file(base + "gid_map", map_text(plan.gidMappings)) < 0) fail("write gid_map", base + "gid_map");
}

static uint32_t host_of_zero(const std::vector<PlanIdMapping>& maps) {
  for (const auto& m : maps) {
    if (m.containerID == 0) return m.hostID;
  }
  return 0;
}

// The host id that id 0 maps to in a map file's text ("0 100000 65536\n..."),
// or `fallback` when 0 is not mapped.
static uint32_t host_of_zero(const std::string& text, uint32_t fallback) {
  std::istringstream in(text);
  unsigned long inside, outside, count;
  while (in >> inside >> outside >> count) {
    if (inside == 0 && count > 0) return static_cast<uint32_t>(outside);
  }
  return fallback;
}

// A joined user namespace has its maps already; the plan carries none. A
// child joins it and waits while A reads /proc/<child>/{uid,gid}_map, which
// shows them in A's (the host's) ids.
static std::pair<uid_t, gid_t> joined_root_ids(const std::string& path) {
  Fd ns(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns.valid()) fail("open namespace", path);
  int ready[2], done[2];
  if (pipe2(ready, O_CLOEXEC) < 0) fail("pipe", path);
  Fd ready_rd(ready[0]), ready_wr(ready[1]);
  if (pipe2(done, O_CLOEXEC) < 0) fail("pipe", path);
  Fd done_rd(done[0]), done_wr(done[1]);
  pid_t pid = fork();
  if (pid < 0) fail("fork", path);
  if (pid == 0) {
    done_wr.reset();  // or the read below never sees EOF
    ready_rd.reset();
    char c = setns(ns.get(), CLONE_NEWUSER) == 0 ? 'y' : 'n';
    if (write(ready_wr.get(), &c, 1) != 1) _exit(1);
    while (read(done_rd.get(), &c, 1) < 0 && errno == EINTR) {
    }
    _exit(0);
  }
  ready_wr.reset();
  done_rd.reset();
  char c = 'n';
  ssize_t n;
  do n = read(ready_rd.get(), &c, 1);
  while (n < 0 && errno == EINTR);
  std::string base = "/proc/" + std::to_string(pid) + "/";
  std::string uids, gids;
  bool ok = n == 1 && c == 'y' && read_file(base + "uid_map", uids) && read_file(base + "gid_map", gids);
  int err = errno;
  done_wr.reset();  // EOF: the child exits
  reap(pid);
  if (!ok) fail("setns", path, n == 1 && c == 'y' ? err : EPERM, "cannot read the maps of the user namespace to join");
  return {host_of_zero(uids, 0), host_of_zero(gids, 0)};
}

std::pair<uid_t, gid_t> host_root_ids(const Plan& plan) {
  const PlanNamespace* ns = plan.find_namespace("user");
  if (!ns) return {0, 0};
  if (ns->path) return joined_root_ids(*ns->path);
  return {host_of_zero(plan.uidMappings), host_of_zero(plan.gidMappings)};
}

}  // namespace runts::init
