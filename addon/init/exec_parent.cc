#include "exec_parent.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "../common/errors.h"
#include "../common/fd.h"
#include "../common/syscalls.h"
#include "channel.h"
#include "console.h"
#include "exec.h"
#include "identity.h"
#include "namespaces.h"
#include "parent.h"
#include "passwd.h"
#include "process.h"
#include "relay.h"
#include "seccomp.h"
#include "sched.h"
#include "sync.h"
#include "util.h"

namespace runts::init {

namespace {

// Field 22 of /proc/<pid>/stat, or "" when the process is gone.
std::string start_time(int pid) {
  std::string text;
  if (!read_file("/proc/" + std::to_string(pid) + "/stat", text)) return "";
  size_t paren = text.rfind(')');
  if (paren == std::string::npos) return "";
  // Fields resume at 3 (state) two characters after the last ')'.
  size_t pos = paren + 2;
  for (int field = 3; field < 22; field++) {
    pos = text.find(' ', pos);
    if (pos == std::string::npos) return "";
    pos++;
  }
  return text.substr(pos, text.find(' ', pos) - pos);
}

// A pidfd reads as readable once its process has exited.
bool exited(int pidfd) {
  struct pollfd p {pidfd, POLLIN, 0};
  int r;
  do r = poll(&p, 1, 0);
  while (r < 0 && errno == EINTR);
  return r > 0;
}

[[noreturn]] void init_gone(const ExecPlan& plan) {
  fail("container init", std::to_string(plan.initPid), ESRCH, "the container's init process has exited");
}

// True when the namespace behind `ns` is owned by the user namespace `user`.
bool owned_by(int ns, int user) {
  Fd owner(ioctl(ns, NS_GET_USERNS));
  if (!owner.valid()) return true;  // no NS_GET_USERNS (before 4.9): assume the usual case
  struct stat a {}, b {};
  return fstat(owner.get(), &a) == 0 && fstat(user, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// setns() in plan order, except that namespaces the container's user
// namespace does not own (a time namespace runts-init made before cloning
// into a new user namespace) are joined before it: inside it, the rights
// over the host's namespaces are gone.
void join_in_order(const ExecPlan& plan, const std::vector<Fd>& fds) {
  int user = -1;
  for (size_t i = 0; i < plan.namespaces.size(); i++)
    if (plan.namespaces[i].type == "user") user = fds[i].get();
  std::vector<bool> done(plan.namespaces.size(), false);
  auto join = [&](size_t i) {
    if (setns(fds[i].get(), static_cast<int>(namespace_flag(plan.namespaces[i].type))) < 0) fail("setns", plan.namespaces[i].path);
    done[i] = true;
  };
  if (user >= 0) {
    for (size_t i = 0; i < plan.namespaces.size(); i++)
      if (plan.namespaces[i].type != "user" && !owned_by(fds[i].get(), user)) join(i);
  }
  for (size_t i = 0; i < plan.namespaces.size(); i++)
    if (!done[i]) join(i);
}

struct ExecFds {
  int sync;          // E's end of the A<->E socketpair
  int parent_sync;   // A's end: closed in E
  int channel;       // the runts channel: closed in E
  int root;          // O_PATH fd of the container init's root
  int console;       // where the pty master goes; -1 without a terminal
  int console_peer;  // A's end of an internal console socketpair: closed in E
  int agent;         // A's connection to the seccomp agent: closed in E
  const std::vector<Fd>* ns_fds;
  const std::vector<int>* placeholders;
};

// E's setup, in the container init's order; returns the resolved executable.
std::string set_up(const ExecPlan& plan, PlanProcess& proc, const ExecFds& fds) {
  bool joined_user = false;
  for (const auto& ns : plan.namespaces) joined_user = joined_user || ns.type == "user";
  if (joined_user) {
    // Become the user namespace's root before touching its files.
    if (setresgid(0, 0, 0) < 0) fail("setgid", "0");
    if (setresuid(0, 0, 0) < 0) fail("setuid", "0");
  }
  // The mount namespace alone is not enough: its root may be the host's
  // (runts create --no-pivot) and setns() put us at that. The init's root is.
  if (fchdir(fds.root) < 0) fail("fchdir", plan.root);
  if (chroot(".") < 0) fail("chroot", plan.root);
  close(fds.root);
  if (chdir("/") < 0) fail("chdir", "/");
  if (setsid() < 0) fail("setsid", "");

  if (proc.terminal) setup_terminal(proc, fds.console);
  if (plan.sessionKeyring && sys::keyctl_join_session(plan.sessionKeyring->c_str()) < 0 && errno != ENOSYS &&
      errno != EPERM && errno != EACCES)
    fail("keyctl", *plan.sessionKeyring);

  // Unlike the container init's, an exec's cwd must exist already.
  if (chdir(proc.cwd.c_str()) < 0) fail("chdir", proc.cwd);
  set_rlimits(proc);
  set_umask(proc);
  set_home(proc);
  std::string exe = resolve_executable(proc);
  apply_process_attrs(proc, plan.personality, plan.memoryPolicy, plan.cpuAffinity.final);
  // Before any filter is loaded: it may block getcwd.
  check_cwd();
  load_seccomp_at(plan.seccomp, PlanSeccomp::LoadAt::BeforeIdentity, fds.sync);
  apply_identity(proc);
  load_seccomp_at(plan.seccomp, PlanSeccomp::LoadAt::AfterIdentity, fds.sync);
  // Changing ids clears both; E still depends on A and must stay closed to
  // the container's processes while it runs runts-init.
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  return exe;
}

[[noreturn]] void run_exec_child(const ExecPlan& plan, const ExecFds& fds) {
  close(fds.channel);
  close(fds.parent_sync);
  if (fds.console_peer >= 0) close(fds.console_peer);
  if (fds.agent >= 0) close(fds.agent);
  // Until it execs, no process of the container may look into this one
  // (/proc/<pid>/fd, /proc/<pid>/exe): it holds host fds and runs runts-init.
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  // (A's death before that is noticed at the latest in wait_commit: EOF.)
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  for (const Fd& fd : *fds.ns_fds) close(fd.get());

  // A puts E in the container's cgroups first.
  if (!wait_go(fds.sync)) _exit(1);
  PlanProcess proc = plan.process;
  // Only once runts has heard "created" may E outlive A.
  std::string exe = set_up_and_commit(fds.sync, "exec", [&] { return set_up(plan, proc, fds); });
  exec_process(proc, plan.preserveFds, exe, *fds.placeholders, plan.seccomp);
}

}  // namespace

int run_exec(const ExecPlan& plan, int channel, const std::vector<int>& placeholders) {
  if (plan.process.terminal && !plan.consoleSocket && !plan.foreground)
    fail("console", "", EINVAL, "process.terminal needs a console socket unless runts-init runs in the foreground");

  // Pin the container init: a pidfd keeps its pid from being reused, the
  // start time proves it is the init runts recorded, and "not exited" after
  // the opens below proves every /proc/<pid>/... path reached that process.
  Fd pidfd(sys::pidfd_open(plan.initPid, 0));
  if (!pidfd.valid()) {
    if (errno == ESRCH) init_gone(plan);
    fail("pidfd_open", std::to_string(plan.initPid));
  }
  if (start_time(plan.initPid) != plan.initStartTime) init_gone(plan);

  // execCPUAffinity.initial: before the cgroup move (a cpuset may change it).
  set_cpu_affinity(plan.cpuAffinity.initial, "initial");
  // The init's cgroups, from the host's view of cgroupfs: E is put in them
  // right after the fork; A stays where it is.
  std::vector<Fd> cgroup_procs = open_cgroup_procs(plan.cgroupProcs);

  // Everything is opened before the first setns: joining the mount
  // namespace changes what these paths would resolve to.
  Fd root(open(plan.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) fail("open", plan.root);
  std::vector<Fd> ns_fds;
  for (const auto& ns : plan.namespaces) {
    Fd fd(open(ns.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) fail("open namespace", ns.path);
    ns_fds.push_back(std::move(fd));
  }
  if (exited(pidfd.get())) init_gone(plan);

  Fd console, console_peer;
  open_console(plan.consoleSocket, plan.process.terminal, console, console_peer);

  // The agent's socket is a host path: connected before any setns.
  Fd agent(connect_agent(plan.seccomp));

  join_in_order(plan, ns_fds);

  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) fail("socketpair", "sync");
  Fd sync(sv[0]), theirs(sv[1]);

  // A joined pid namespace applies to children only: E is created in it.
  pid_t child = fork();
  if (child < 0) {
    // ENOMEM here means the pid namespace has no init any more.
    if (errno == ENOMEM && exited(pidfd.get())) init_gone(plan);
    fail("fork", "exec process");
  }
  if (child == 0) {
    cgroup_procs.clear();
    ExecFds fds{theirs.get(), sync.get(), channel, root.get(), console.get(), console_peer.get(), agent.get(), &ns_fds, &placeholders};
    run_exec_child(plan, fds);
  }
  theirs.reset();
  console.reset();
  root.reset();
  ns_fds.clear();
  try {
    place_in_cgroups(cgroup_procs, plan.cgroupProcs, child);
  } catch (...) {
    kill(child, SIGKILL);
    reap(child);
    throw;
  }
  cgroup_procs.clear();
  send_go(sync.get());

  Report rep = read_report(sync.get());
  if (rep.kind == Report::Seccomp) {
    try {
      if (!agent.valid()) {
        close(rep.fd);
        fail("sync", "", EPROTO, "unexpected seccomp listener from the exec process");
      }
      send_to_agent(*plan.seccomp->listener, agent.release(), rep.fd, child);
      send_word(sync.get(), "seccomp-ok");
    } catch (...) {
      kill(child, SIGKILL);
      reap(child);
      throw;
    }
    rep = read_report(sync.get());
  }
  if (rep.kind != Report::Ready) {
    kill(child, SIGKILL);
    int status = reap(child);
    if (rep.kind == Report::Gone) fail("exec", "", 0, "the process exited before reporting (" + describe_status(status) + ")");
    throw StepError(rep.step, rep.target, rep.err, rep.reason);
  }
  // Detached, E no longer depends on A once it has closed its end.
  return hand_over(channel, sync, child, plan.foreground, console_peer);
}

}  // namespace runts::init
