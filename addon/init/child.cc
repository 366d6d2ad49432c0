#include "child.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <exception>

#include "../common/errors.h"
#include "console.h"
#include "devices.h"
#include "exec.h"
#include "hooks.h"
#include "identity.h"
#include "mounts.h"
#include "namespaces.h"
#include "passwd.h"
#include "process.h"
#include "seccomp.h"
#include "sched.h"
#include "sync.h"

namespace runts::init {

// Steps a-k of the container init, in the order the runtime-spec and the
// security invariants need; returns the resolved executable.
static std::string set_up(const Plan& plan, PlanProcess& proc, const ChildFds& fds) {
  // Creation modes below are the plan's; the real umask is set at the end.
  umask(0);
  // Become the user namespace's root, new or joined: files created below
  // must belong to ids it maps (the host's root is unmapped there: EOVERFLOW).
  if (plan.find_namespace("user")) {
    if (setresgid(0, 0, 0) < 0) fail("setgid", "0", errno, errno == EINVAL ? "gid 0 is not mapped in the container's user namespace" : "");
    if (setresuid(0, 0, 0) < 0) fail("setuid", "0", errno, errno == EINVAL ? "uid 0 is not mapped in the container's user namespace" : "");
  }
  if (setsid() < 0) fail("setsid", "");
  enter_cgroup_namespace(plan);
  set_names(plan);

  {
    Fd root = prepare_rootfs(plan);
    apply_mounts(plan, root.get());
    create_devices(plan, root.get());
    if (plan.setupDevLinks) setup_dev_links(root.get());
  }
  // The runtime environment exists; pivot_root is next. runts runs the
  // prestart and createRuntime hooks now (in the runtime namespace), then
  // this process runs the createContainer hooks in the container's (paths
  // still resolve in the runtime's root view; the cwd is the rootfs, as
  // runc's). A closed channel means runts aborted: A kills this process.
  if (plan.pauseForRuntimeHooks && !pause_for_hooks(fds.sync)) _exit(1);
  if (!plan.createContainerHooks.empty()) {
    if (chdir(plan.rootfs.c_str()) < 0) fail("chdir", plan.rootfs);
    run_hooks("createContainer", plan.createContainerHooks, hook_state_json(plan, "creating"));
  }
  switch_root(plan);

  write_sysctls(plan);
  mask_paths(plan);
  readonly_paths(plan);
  readonly_rootfs(plan);

  if (proc.terminal) setup_terminal(proc, fds.console);
  join_session_keyring(plan);

  enter_cwd(proc);
  set_rlimits(proc);
  set_oom_score_adj(proc);
  set_umask(proc);
  set_home(proc);  // in the container's root now: its /etc/passwd
  std::string exe = resolve_executable(proc);
  apply_process_attrs(proc, plan.personality, plan.memoryPolicy, {});  // execCPUAffinity: exec only
  // Before any filter is loaded: it may block getcwd.
  check_cwd();
  load_seccomp_at(plan.seccomp, PlanSeccomp::LoadAt::BeforeIdentity, fds.sync);
  apply_identity(proc);
  load_seccomp_at(plan.seccomp, PlanSeccomp::LoadAt::AfterIdentity, fds.sync);
  // A uid/gid change clears the parent-death signal; C still depends on A.
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  return exe;
}

void run_child(const Plan& plan, const ChildFds& fds) {
  // Until it execs, no process of the container may look into this one
  // (/proc/<pid>/fd, mem, environ; ptrace): it holds host fds and runs
  // runts-init. (A writes the id maps as the host's root, which a
  // non-dumpable child's root-owned /proc files do not stop.)
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  close(fds.channel);
  close(fds.parent_sync);
  if (fds.console_peer >= 0) close(fds.console_peer);
  if (fds.agent >= 0) close(fds.agent);
  // Until it reports, this process must not outlive runts-init.
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (!wait_go(fds.sync)) _exit(1);

  PlanProcess proc = plan.process;  // set_up may add HOME to its env
  // Only once runts has been told "created" may this process outlive A
  // (detached mode: A exits right after); if A dies first, so does C.
  std::string exe = set_up_and_commit(fds.sync, "init", [&] { return set_up(plan, proc, fds); });

  // Released by `runts start`. The fifo's write end stays open until
  // exec_process closes it right before the execve, so `start` learns
  // that the process runs, or reads why a startContainer hook stopped it
  // (src/container/protocol.ts, "The exec fifo").
  int fifo = release_exec_fifo(fds.fifo);
  if (!plan.startContainerHooks.empty()) {
    try {
      run_hooks("startContainer", plan.startContainerHooks, hook_state_json(plan, "created"));
    } catch (const std::exception& e) {
      report_start_failure(fifo, e.what());
      _exit(1);
    }
  }
  exec_process(proc, plan.preserveFds, exe, fds.placeholders, plan.seccomp);
}

}  // namespace runts::init
