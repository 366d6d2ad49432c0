#include "parent.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "../common/errors.h"
#include "../common/fd.h"
#include "channel.h"
#include "child.h"
#include "console.h"
#include "idmap.h"
#include "namespaces.h"
#include "process.h"
#include "relay.h"
#include "seccomp.h"
#include "sync.h"
#include "util.h"

namespace runts::init {

namespace {

void make_fifo(const Plan& plan) {
  if (mkfifo(plan.execFifo.c_str(), 0622) < 0) fail("mkfifo", plan.execFifo);
  // Exactly 0622 whatever the umask, owned by the container's root.
  auto [uid, gid] = host_root_ids(plan);  // a joined user namespace's too
  const char* step = chmod(plan.execFifo.c_str(), 0622) < 0 ? "chmod" : chown(plan.execFifo.c_str(), uid, gid) < 0 ? "chown" : nullptr;
  if (step) {
    int err = errno;
    unlink(plan.execFifo.c_str());
    fail(step, plan.execFifo, err);
  }
}

// runts closed the channel while the container init was paused for its hooks:
// undo everything and exit without a word (runts reports the hook's failure).
struct Aborted {};

}  // namespace

int run_parent(const Plan& plan, int channel, const std::vector<int>& placeholders) {
  bool fifo_made = false;
  pid_t child = -1;
  Fd console_peer;
  Fd sync;  // A's end of the A<->C socketpair
  try {
    if (plan.process.terminal && !plan.consoleSocket && !plan.foreground)
      fail("console", "", EINVAL, "process.terminal needs a console socket unless runts-init runs in the foreground");
    make_fifo(plan);
    fifo_made = true;
    // Opened here, on the host, before any setns: C reaches the fifo through
    // this fd after its root has changed.
    Fd fifo(open(plan.execFifo.c_str(), O_PATH | O_CLOEXEC));
    if (!fifo.valid()) fail("open", plan.execFifo);

    Fd console;
    open_console(plan.consoleSocket, plan.foreground && plan.process.terminal, console, console_peer);

    // The agent's socket and the cgroup files are host paths: opened before any setns.
    Fd agent(connect_agent(plan.seccomp));
    std::vector<Fd> cgroup_procs = open_cgroup_procs(plan.cgroupProcs);
    Fd cgroup_dir;
    if (plan.cloneIntoCgroup) {
      cgroup_dir.reset(open(plan.cloneIntoCgroup->c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
      if (!cgroup_dir.valid()) fail("open", *plan.cloneIntoCgroup);
    }

    prepare_idmapped_mounts(plan);  // on the host, before any namespace changes (idmap.h)
    join_namespaces(plan);
    prepare_time_namespace(plan);

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) fail("socketpair", "sync");
    sync.reset(sv[0]);
    Fd theirs(sv[1]);

    child = clone_container_init(clone_flags(plan), cgroup_dir.get());
    if (child == 0) {
      for (Fd& fd : cgroup_procs) close(fd.release());
      cgroup_dir.reset();
      ChildFds fds{theirs.get(), sync.get(), channel, fifo.get(), console.get(), console_peer.get(), placeholders, agent.get()};
      run_child(plan, fds);
    }
    theirs.reset();
    release_idmapped_mounts();  // C has its own copies
    console.reset();

    place_in_cgroups(cgroup_procs, plan.cgroupProcs, child);
    cgroup_procs.clear();
    cgroup_dir.reset();
    if (plan.creates("user")) write_id_maps(child, plan);
    set_oom_score_adj(plan.process, child);  // process.h: why A does it
    send_go(sync.get());
    Report rep = read_report(sync.get());
    while (rep.kind == Report::Hooks || rep.kind == Report::Seccomp) {
      if (rep.kind == Report::Seccomp) {
        if (!agent.valid()) {
          close(rep.fd);
          fail("sync", "", EPROTO, "unexpected seccomp listener from the container init");
        }
        send_to_agent(*plan.seccomp->listener, agent.release(), rep.fd, child);
        send_word(sync.get(), "seccomp-ok");
      } else {
        if (!runtime_hooks(channel, child)) throw Aborted{};
        send_resume(sync.get());
      }
      rep = read_report(sync.get());
    }
    if (rep.kind == Report::Gone) {
      int status = reap(child);
      child = -1;
      fail("init", "", 0, "container init exited before reporting (" + describe_status(status) + ")");
    }
    if (rep.kind == Report::Failed) throw StepError(rep.step, rep.target, rep.err, rep.reason);
  } catch (...) {
    // Leave nothing behind before runts hears about the failure.
    if (child > 0) {
      kill(child, SIGKILL);
      reap(child);
    }
    if (fifo_made) unlink(plan.execFifo.c_str());
    try {
      throw;
    } catch (const Aborted&) {
      return 1;
    }
  }

  // Detached: A exits once C no longer depends on it; the container init is
  // then reparented to the caller's subreaper (containerd-shim, conmon),
  // which collects its status.
  return hand_over(channel, sync, child, plan.foreground, console_peer, [&] { unlink(plan.execFifo.c_str()); });
}

int hand_over(int channel, Fd& sync, pid_t child, bool foreground, Fd& console_peer, const std::function<void()>& undo) {
  if (!send_created(channel, child)) {
    diag(std::string("send created: ") + strerror(errno));
    kill(child, SIGKILL);
    reap(child);
    if (undo) undo();
    return 1;
  }
  send_commit(sync.get());
  if (!foreground) {
    wait_closed(sync.get());
    return 0;
  }
  sync.reset();
  close(channel);
  return foreground_wait(child, console_peer.release());
}

}  // namespace runts::init
