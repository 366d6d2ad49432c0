#include "idmap.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "../common/errors.h"
#include "../common/fd.h"
#include "../common/syscalls.h"
#include "mount_attr.h"
#include "util.h"

namespace runts::init {

using namespace mount_api;

namespace {

std::vector<Fd> g_trees;  // indexed like plan.mounts; invalid where no idmap

std::string map_text(const std::vector<PlanIdMapping>& maps) {
  std::string s;
  for (const auto& m : maps) s += std::to_string(m.containerID) + " " + std::to_string(m.hostID) + " " + std::to_string(m.size) + "\n";
  return s;
}

// A user namespace with these maps, as an fd. A child cloned into a new
// user namespace waits on a pipe while its maps are written and its
// namespace is opened, then exits; the namespace lives on through the fd
// (and, once applied, through the idmapped mounts themselves).
Fd make_userns(const std::string& uid_map, const std::string& gid_map, const std::string& what) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) fail("pipe", what);
  Fd rd(p[0]), wr(p[1]);
  pid_t pid = sys::clone3(CLONE_NEWUSER, SIGCHLD);
  if (pid < 0 && errno == ENOSYS) pid = sys::clone_legacy(CLONE_NEWUSER | SIGCHLD);
  if (pid < 0) fail("clone", what + " (user namespace for the idmapped mount)");
  if (pid == 0) {
    wr.reset();
    char c;
    while (read(rd.get(), &c, 1) < 0 && errno == EINTR) {
    }
    _exit(0);
  }
  rd.reset();
  struct Reaper {
    pid_t pid;
    Fd& wr;
    ~Reaper() {
      wr.reset();  // EOF: the helper exits
      while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
  } reaper{pid, wr};
  std::string base = "/proc/" + std::to_string(pid) + "/";
  if (write_file(base + "uid_map", uid_map) < 0) fail("write uid_map", what + " (idmapped mount)");
  if (write_file(base + "gid_map", gid_map) < 0) fail("write gid_map", what + " (idmapped mount)");
  Fd ns(open((base + "ns/user").c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns.valid()) fail("open", base + "ns/user");
  return ns;
}

}  // namespace

void prepare_idmapped_mounts(const Plan& plan) {
  release_idmapped_mounts();
  // One user namespace per distinct pair of maps.
  std::map<std::string, Fd> usernses;
  for (size_t i = 0; i < plan.mounts.size(); i++) {
    const PlanMount& m = plan.mounts[i];
    if (!m.idmap) continue;
    if (g_trees.size() < plan.mounts.size()) g_trees.resize(plan.mounts.size());
    const PlanIdmap& idm = *m.idmap;

    int userns = -1;
    Fd joined;
    if (idm.uidMappings.empty()) {
      // The container's user namespace: the one it joins, or the maps the
      // clone will get.
      const PlanNamespace* ns = plan.find_namespace("user");
      if (!ns) fail("idmap", m.destination, EINVAL, "no mappings given and the container has no user namespace");
      if (ns->path) {
        joined.reset(open(ns->path->c_str(), O_RDONLY | O_CLOEXEC));
        if (!joined.valid()) fail("open namespace", *ns->path);
        userns = joined.get();
      }
    }
    if (userns < 0) {
      const auto& uids = idm.uidMappings.empty() ? plan.uidMappings : idm.uidMappings;
      const auto& gids = idm.gidMappings.empty() ? plan.gidMappings : idm.gidMappings;
      std::string u = map_text(uids), g = map_text(gids);
      std::string key = u + "/" + g;
      auto it = usernses.find(key);
      if (it == usernses.end()) it = usernses.emplace(key, make_userns(u, g, m.destination)).first;
      userns = it->second.get();
    }

    unsigned clone_flags = kOpenTreeClone | kOpenTreeCloexec | ((m.flags & MS_REC) ? kAtRecursive : 0);
    Fd tree(open_tree(AT_FDCWD, m.source.c_str(), clone_flags));
    if (!tree.valid()) {
      int err = errno;
      fail("open_tree", m.destination, err, std::string(strerror(err)) + " (cloning " + m.source + " for an idmapped mount)");
    }
    Attr attr;
    attr.attr_set = kAttrIdmap;
    attr.userns_fd = static_cast<uint64_t>(userns);
    if (mount_setattr(tree.get(), "", kAtEmptyPath | (idm.recursive ? kAtRecursive : 0), attr) < 0) {
      int err = errno;
      std::string why = std::string(strerror(err)) + " (idmapping " + m.source;
      if (err == EINVAL) why += "; its filesystem may not support idmapped mounts";
      if (err == ENOSYS) why += "; mount_setattr needs Linux 5.12 or later";
      fail("mount_setattr", m.destination, err, why + ")");
    }
    g_trees[i] = std::move(tree);
  }
}

int idmapped_mount(size_t index) { return index < g_trees.size() ? g_trees[index].get() : -1; }

void release_idmapped_mounts() { g_trees.clear(); }

}  // namespace runts::init
